// The kiosk's config updater: polls a static host (any HTTP server / object store / CDN), verifies
// root chain, release signatures + threshold, version monotonicity, expiry and hashes, stages the
// bundle into the inactive A/B slot, applies it only between resident sessions, runs the injected
// health check and rolls back automatically on failure. Layout under state_dir:
//   trust/root.json   newest trusted root envelope (the shipped anchor is only read)
//   slots/a, slots/b  complete config trees; current -> slots/X (symlink swapped with rename(2))
//   state.json        versions, staged/pending apply, bad versions (written tmp → fsync → rename)
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "kiosk/ops/bundle.hpp"
#include "kiosk/ops/metadata.hpp"

namespace kiosk::ops {

struct FetchResult {
  enum class Status { ok, not_modified, not_found } status = Status::ok;
  std::string body;
  std::string etag;
};

// Fetches `path` relative to the repository base. Throws OpsError(network) on transport failure or
// timeout and OpsError(too_large) when the body exceeds max_bytes.
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual FetchResult fetch(const std::string& path, const std::string& if_none_match,
                            std::size_t max_bytes) = 0;
};

// A published directory on the local file system (USB stick, tests). No ETags.
class DirFetcher : public Fetcher {
 public:
  explicit DirFetcher(std::filesystem::path root) : root_(std::move(root)) {}
  FetchResult fetch(const std::string& path, const std::string& if_none_match,
                    std::size_t max_bytes) override;

 private:
  std::filesystem::path root_;
};

enum class Outcome { no_change, committed, rejected, deferred, rolled_back, not_eligible, error };
std::string_view to_string(Outcome o);

struct UpdateReport {
  Outcome outcome = Outcome::no_change;
  std::uint64_t version = 0;         // release the report is about (0 if unknown)
  std::uint64_t active_version = 0;  // config version running after this step (0 = factory)
  std::string reason;                // Reason code for rejected/rolled_back/error
  std::string detail;                // human text (no personal data)
};

struct HealthResult {
  bool ok = true;
  std::string detail;
};

struct UpdaterHooks {
  // True when no resident session is running (the kiosk is on its idle/home screen).
  std::function<bool()> between_sessions;
  // Called after `current` points at the new config: load config, build screens, bind devices.
  std::function<HealthResult(const std::filesystem::path& config_dir)> health_check;
  std::function<void(const UpdateReport&)> report;
  std::function<TimePoint()> now;                      // default: system clock
  std::function<void(std::string_view step)> on_step;  // tests: crash injection at each durable step
  // Background polling (start()): called after every poll, no_change included, outside the lock.
  std::function<void(const UpdateReport&)> polled;
};

struct UpdaterConfig {
  std::filesystem::path state_dir;       // /var/lib/kiosk/ops
  std::filesystem::path anchor_root;     // /usr/share/kiosk/trust/root.json (shipped, self-signed)
  std::filesystem::path factory_config;  // config used while no bundle was ever applied
  std::string channel = "stable";
  TerminalIdentity terminal;
  std::chrono::milliseconds poll_interval{300'000};
  double jitter = 0.3;                          // ± fraction of poll_interval
  std::chrono::milliseconds gate_retry{5'000};  // re-check of "between sessions" while deferred
  std::chrono::milliseconds error_backoff_base{30'000};
  std::chrono::milliseconds error_backoff_cap{1'800'000};
  std::size_t max_root_hops = 32;
  BundleLimits limits;
  // Background polling ends after a commit: the running process still uses the previous slot (now the
  // inactive one, which the next staging would overwrite) until it restarts on the new config.
  bool stop_after_commit = false;
};

struct UpdaterState {
  std::uint64_t active_version = 0;
  std::string active_slot;  // "" = factory config
  std::uint64_t highest_seen = 0;
  std::uint64_t root_version = 0;
  std::set<std::uint64_t> bad;
  std::uint64_t staged_version = 0;
  std::string staged_slot;
  std::uint64_t pending_version = 0;  // switched, not yet committed
  std::string pending_previous_slot;
  int pending_attempts = 0;
  std::int64_t time_floor =
      0;  // unix s: latest clock seen at a successful verification (anti clock-rollback)
};

class Updater {
 public:
  Updater(UpdaterConfig cfg, std::shared_ptr<Fetcher> fetcher, UpdaterHooks hooks);
  ~Updater();
  Updater(const Updater&) = delete;
  Updater& operator=(const Updater&) = delete;

  // Call once at start, before loading config: undoes an apply interrupted before its commit
  // (crash, power loss, watchdog) and removes half-written staging trees.
  void recover();
  // The config directory to load: state_dir/current, or factory_config before the first apply.
  std::filesystem::path current_config() const;
  UpdaterState state() const;

  // One poll + (if a new release is eligible) download, stage, apply, health check. Never throws.
  UpdateReport poll_once();

  // Background polling with jitter and error backoff; no busy waiting.
  void start();
  void stop();

 private:
  UpdateReport poll_locked();
  Root load_trusted_root();
  Root walk_root_chain(Root trusted);
  void stage(const Release& rel, const FileSet& files);
  UpdateReport apply_staged(const Release& rel);
  void save_state();
  void switch_current(const std::string& slot);
  void step(std::string_view name);
  TimePoint now() const;

  UpdaterConfig cfg_;
  std::shared_ptr<Fetcher> fetcher_;
  UpdaterHooks hooks_;
  mutable std::mutex mu_;
  UpdaterState st_;
  std::string release_etag_;
  std::optional<Envelope> cached_release_;
  Outcome last_outcome_ = Outcome::no_change;
  int error_streak_ = 0;

  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

// Atomic file replace: tmp → write → fsync → rename → fsync(dir).
void write_file_durable(const std::filesystem::path& path, std::string_view data);

// Static-host layout (any web server / object store / CDN):
//   root/<N>.root.json   <channel>/release.json   bundles/<sha256>.tar.zst (immutable)
// publish_release checks the bundle against the signed release and writes the bundle before the
// release, so a terminal never sees a release whose bundle is missing. Returns the release.
Release publish_release(const std::filesystem::path& out_dir, std::string_view release_envelope,
                        std::string_view bundle);
void publish_root(const std::filesystem::path& out_dir, std::string_view root_envelope);

}  // namespace kiosk::ops
