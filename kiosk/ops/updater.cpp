#include "kiosk/ops/updater.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

namespace kiosk::ops {

namespace fs = std::filesystem;
using nlohmann::json;

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::no_change:
      return "no_change";
    case Outcome::committed:
      return "committed";
    case Outcome::rejected:
      return "rejected";
    case Outcome::deferred:
      return "deferred";
    case Outcome::rolled_back:
      return "rolled_back";
    case Outcome::not_eligible:
      return "not_eligible";
    case Outcome::error:
      return "error";
  }
  return "unknown";
}

namespace {

void fsync_path(const fs::path& p, bool dir) {
  int fd = ::open(p.c_str(), (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) throw OpsError(Reason::io, "open " + p.string() + " for fsync failed");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw OpsError(Reason::io, "fsync " + p.string() + " failed");
}

void write_file_fsync(const fs::path& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw OpsError(Reason::io, "cannot create " + path.string());
  std::size_t off = 0;
  while (off < data.size()) {
    auto n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      throw OpsError(Reason::io, "write " + path.string() + " failed");
    }
    off += static_cast<std::size_t>(n);
  }
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw OpsError(Reason::io, "fsync " + path.string() + " failed");
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw OpsError(Reason::io, "cannot read " + p.string());
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::string other_slot(const std::string& s) {
  return s == "a" ? "b" : "a";
}

}  // namespace

void write_file_durable(const fs::path& path, std::string_view data) {
  auto tmp = path;
  tmp += ".tmp";
  write_file_fsync(tmp, data);
  fs::rename(tmp, path);
  fsync_path(path.parent_path().empty() ? fs::path(".") : path.parent_path(), true);
}

Release publish_release(const fs::path& out, std::string_view release_envelope, std::string_view bundle) {
  auto env = parse_envelope(release_envelope);
  auto rel = parse_release(env.signed_text);
  if (env.signatures.empty()) throw OpsError(Reason::unsigned_metadata, "release is not signed");
  if (bundle.size() != rel.bundle.size || sha256_hex(bundle) != rel.bundle.sha256)
    throw OpsError(Reason::hash_mismatch, "bundle does not match the release's signed hash");
  fs::create_directories(out / "bundles");
  fs::create_directories(out / rel.channel);
  auto bp = out / rel.bundle_path();
  if (!fs::exists(bp)) write_file_durable(bp, bundle);
  write_file_durable(out / rel.channel / "release.json", release_envelope);
  return rel;
}

void publish_root(const fs::path& out, std::string_view root_envelope) {
  auto env = parse_envelope(root_envelope);
  auto r = parse_root(env.signed_text);
  fs::create_directories(out / "root");
  write_file_durable(out / "root" / (std::to_string(r.version) + ".root.json"), root_envelope);
}

FetchResult DirFetcher::fetch(const std::string& path, const std::string&, std::size_t max_bytes) {
  check_bundle_path(path);
  auto p = root_ / path;
  FetchResult r;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) {
    r.status = FetchResult::Status::not_found;
    return r;
  }
  if (fs::file_size(p) > max_bytes)
    throw OpsError(Reason::too_large, path + " exceeds " + std::to_string(max_bytes) + " bytes");
  r.body = read_file(p);
  return r;
}

Updater::Updater(UpdaterConfig cfg, std::shared_ptr<Fetcher> fetcher, UpdaterHooks hooks)
    : cfg_(std::move(cfg)), fetcher_(std::move(fetcher)), hooks_(std::move(hooks)) {
  fs::create_directories(cfg_.state_dir / "slots");
  fs::create_directories(cfg_.state_dir / "trust");
  auto sp = cfg_.state_dir / "state.json";
  if (fs::exists(sp)) {
    try {
      auto j = json::parse(read_file(sp));
      st_.active_version = j.value("active_version", 0ull);
      st_.active_slot = j.value("active_slot", "");
      st_.highest_seen = j.value("highest_seen", 0ull);
      st_.root_version = j.value("root_version", 0ull);
      for (auto& v : j.value("bad", json::array())) st_.bad.insert(v.get<std::uint64_t>());
      st_.staged_version = j.value("staged_version", 0ull);
      st_.staged_slot = j.value("staged_slot", "");
      st_.pending_version = j.value("pending_version", 0ull);
      st_.pending_previous_slot = j.value("pending_previous_slot", "");
      st_.pending_attempts = j.value("pending_attempts", 0);
      st_.time_floor = j.value("time_floor", std::int64_t{0});
    } catch (const std::exception& e) {
      // state.json is only ever replaced atomically; a corrupt one means tampering or disk failure.
      spdlog::error("ops: state.json unreadable ({}); keeping current config, starting from version floor 0",
                    e.what());
    }
  }
}

Updater::~Updater() {
  stop();
}

TimePoint Updater::now() const {
  auto t = hooks_.now ? hooks_.now()
                      : std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  // A clock set backwards cannot revive expired metadata: never go below the persisted floor.
  return std::max(t, TimePoint(std::chrono::seconds(st_.time_floor)));
}

void Updater::step(std::string_view name) {
  if (hooks_.on_step) hooks_.on_step(name);
}

void Updater::save_state() {
  json j;
  j["active_version"] = st_.active_version;
  j["active_slot"] = st_.active_slot;
  j["highest_seen"] = st_.highest_seen;
  j["root_version"] = st_.root_version;
  j["bad"] = st_.bad;
  j["staged_version"] = st_.staged_version;
  j["staged_slot"] = st_.staged_slot;
  j["pending_version"] = st_.pending_version;
  j["pending_previous_slot"] = st_.pending_previous_slot;
  j["pending_attempts"] = st_.pending_attempts;
  j["time_floor"] = st_.time_floor;
  write_file_durable(cfg_.state_dir / "state.json", j.dump(2) + "\n");
}

void Updater::switch_current(const std::string& slot) {
  auto cur = cfg_.state_dir / "current";
  auto tmp = cfg_.state_dir / "current.tmp";
  std::error_code ec;
  fs::remove(tmp, ec);
  if (slot.empty()) {
    fs::remove(cur, ec);  // back to the factory config
  } else {
    fs::create_directory_symlink(fs::path("slots") / slot, tmp);
    fs::rename(tmp, cur);  // atomic replace of the symlink
  }
  fsync_path(cfg_.state_dir, true);
}

fs::path Updater::current_config() const {
  auto cur = cfg_.state_dir / "current";
  std::error_code ec;
  if (fs::is_symlink(cur, ec) && fs::is_directory(cur, ec)) return cur;
  return cfg_.factory_config;
}

UpdaterState Updater::state() const {
  std::lock_guard lk(mu_);
  return st_;
}

void Updater::recover() {
  std::lock_guard lk(mu_);
  std::error_code ec;
  for (auto& e : fs::directory_iterator(cfg_.state_dir / "slots", ec))
    if (e.path().filename().string().starts_with(".tmp-")) fs::remove_all(e.path(), ec);
  fs::remove(cfg_.state_dir / "current.tmp", ec);
  if (st_.pending_version != 0) {
    // Interrupted between switch and commit: the new config never passed its health check.
    auto v = st_.pending_version;
    switch_current(st_.pending_previous_slot);
    st_.active_slot = st_.pending_previous_slot;
    st_.pending_attempts += 1;
    if (st_.pending_attempts >= 2) st_.bad.insert(v);
    st_.pending_version = 0;
    st_.pending_previous_slot.clear();
    st_.staged_version = 0;
    st_.staged_slot.clear();
    save_state();
    spdlog::warn("ops: apply of config v{} was interrupted; restored v{}", v, st_.active_version);
    if (hooks_.report)
      hooks_.report(
          {Outcome::rolled_back, v, st_.active_version, "interrupted", "apply interrupted before commit"});
  } else {
    // Make the symlink agree with the committed state (a crash may have hit between the two).
    auto cur = cfg_.state_dir / "current";
    std::string target;
    if (fs::is_symlink(cur, ec)) target = fs::read_symlink(cur, ec).filename().string();
    if (target != st_.active_slot) switch_current(st_.active_slot);
  }
}

Root Updater::load_trusted_root() {
  auto stored = cfg_.state_dir / "trust" / "root.json";
  Root anchor = verify_root_self(parse_envelope(read_file(cfg_.anchor_root)));
  if (fs::exists(stored)) {
    Root r = verify_root_self(parse_envelope(read_file(stored)));
    if (r.version >= anchor.version) return r;
  }
  return anchor;
}

Root Updater::walk_root_chain(Root trusted) {
  for (std::size_t hop = 0; hop < cfg_.max_root_hops; ++hop) {
    auto path = "root/" + std::to_string(trusted.version + 1) + ".root.json";
    auto res = fetcher_->fetch(path, "", 64 * 1024);
    if (res.status != FetchResult::Status::ok) break;
    auto env = parse_envelope(res.body);
    trusted = verify_root_successor(trusted, env);
    write_file_durable(cfg_.state_dir / "trust" / "root.json", res.body);
    spdlog::info("ops: trusted root rotated to v{}", trusted.version);
  }
  if (trusted.expires <= now())
    throw OpsError(Reason::expired, "root v" + std::to_string(trusted.version) + " expired at " +
                                        format_time(trusted.expires));
  return trusted;
}

void Updater::stage(const Release& rel, const FileSet& files) {
  std::string slot = st_.active_slot.empty() ? "a" : other_slot(st_.active_slot);
  auto slots = cfg_.state_dir / "slots";
  auto tmp = slots / (".tmp-" + slot);
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp);
  for (auto& [path, data] : files) {
    auto p = tmp / path;
    fs::create_directories(p.parent_path());
    write_file_fsync(p, data);
    step("extract");
  }
  for (auto it = fs::recursive_directory_iterator(tmp); it != fs::recursive_directory_iterator(); ++it)
    if (it->is_directory()) fsync_path(it->path(), true);
  fsync_path(tmp, true);
  fs::remove_all(slots / slot, ec);  // the inactive slot (never the one `current` points at)
  step("slot_cleared");
  fs::rename(tmp, slots / slot);
  fsync_path(slots, true);
  step("slot_written");
  st_.staged_version = rel.version;
  st_.staged_slot = slot;
  save_state();
  step("staged");
}

UpdateReport Updater::apply_staged(const Release& rel) {
  if (hooks_.between_sessions && !hooks_.between_sessions())
    return {Outcome::deferred, rel.version, st_.active_version, "",
            "waiting for the end of the resident session"};
  std::string previous = st_.active_slot;
  st_.pending_version = rel.version;
  st_.pending_previous_slot = previous;
  save_state();
  step("pending");
  switch_current(st_.staged_slot);
  step("switched");
  HealthResult health;
  auto dir = cfg_.state_dir / "current";
  try {
    validate_content(read_dir(dir, cfg_.limits));
    if (hooks_.health_check) health = hooks_.health_check(dir);
  } catch (const std::exception& e) {
    health = {false, e.what()};
  }
  step("health_checked");
  if (!health.ok) {
    switch_current(previous);
    step("switched_back");
    st_.bad.insert(rel.version);
    st_.pending_version = 0;
    st_.pending_previous_slot.clear();
    st_.pending_attempts = 0;
    st_.staged_version = 0;
    st_.staged_slot.clear();
    save_state();
    spdlog::warn("ops: config v{} failed its health check ({}); rolled back to v{}", rel.version,
                 health.detail, st_.active_version);
    return {Outcome::rolled_back, rel.version, st_.active_version,
            std::string(to_string(Reason::health_check)), health.detail};
  }
  st_.active_version = rel.version;
  st_.active_slot = st_.staged_slot;
  st_.pending_version = 0;
  st_.pending_previous_slot.clear();
  st_.pending_attempts = 0;
  st_.staged_version = 0;
  st_.staged_slot.clear();
  save_state();
  step("committed");
  spdlog::info("ops: config v{} committed in slot {}", rel.version, st_.active_slot);
  return {Outcome::committed, rel.version, rel.version, "", "applied and healthy"};
}

UpdateReport Updater::poll_once() {
  std::lock_guard lk(mu_);
  UpdateReport r;
  try {
    r = poll_locked();
  } catch (const OpsError& e) {
    bool transient = e.reason() == Reason::network || e.reason() == Reason::io;
    r = {transient ? Outcome::error : Outcome::rejected, r.version, st_.active_version,
         std::string(to_string(e.reason())), e.what()};
  } catch (const std::exception& e) {
    r = {Outcome::error, 0, st_.active_version, std::string(to_string(Reason::io)), e.what()};
  }
  r.active_version = st_.active_version;
  last_outcome_ = r.outcome;
  if (r.outcome == Outcome::rejected || r.outcome == Outcome::error)
    spdlog::warn("ops: update {}: {}", to_string(r.outcome), r.detail);
  if (hooks_.report && r.outcome != Outcome::no_change) hooks_.report(r);
  return r;
}

UpdateReport Updater::poll_locked() {
  Root root = walk_root_chain(load_trusted_root());
  if (root.version != st_.root_version) {
    st_.root_version = root.version;
    save_state();
  }
  auto res = fetcher_->fetch(cfg_.channel + "/release.json", release_etag_, kMaxMetadataBytes);
  Envelope env;
  if (res.status == FetchResult::Status::not_found)
    return {Outcome::no_change, 0, 0, "", "nothing published"};
  if (res.status == FetchResult::Status::not_modified) {
    if (!cached_release_) return {Outcome::no_change, 0, 0, "", "not modified"};
    env = *cached_release_;
  } else {
    env = parse_envelope(res.body);
  }
  Release rel = verify_release(root, env, now());
  auto t = now().time_since_epoch().count();
  if (t > st_.time_floor + 3600) {  // persisted at most hourly (each save is an fsync)
    st_.time_floor = t;
    save_state();
  }
  if (rel.channel != cfg_.channel)
    throw OpsError(Reason::schema,
                   "release is for channel '" + rel.channel + "', not '" + cfg_.channel + "'");
  if (rel.version == st_.active_version) {
    release_etag_ = res.etag.empty() ? release_etag_ : res.etag;
    cached_release_ = env;
    return {Outcome::no_change, rel.version, st_.active_version, "", "up to date"};
  }
  if (rel.version < st_.highest_seen || rel.version < st_.active_version)
    throw OpsError(Reason::older_version, "release v" + std::to_string(rel.version) + " is older than v" +
                                              std::to_string(std::max(st_.highest_seen, st_.active_version)));
  if (st_.bad.count(rel.version)) {
    cached_release_ = env;
    release_etag_ = res.etag;
    return {Outcome::no_change, rel.version, st_.active_version, std::string(to_string(Reason::known_bad)),
            "v" + std::to_string(rel.version) + " was rolled back before; waiting for a higher version"};
  }
  if (auto why = ineligible_reason(rel, cfg_.terminal)) {
    cached_release_ = env;
    release_etag_ = res.etag;
    return {Outcome::not_eligible, rel.version, st_.active_version,
            std::string(to_string(Reason::not_eligible)), *why};
  }
  if (rel.version > st_.highest_seen) {
    st_.highest_seen = rel.version;  // rollback protection persists before anything else happens
    save_state();
  }
  step("verified");
  if (st_.staged_version != rel.version) {
    auto b = fetcher_->fetch(rel.bundle_path(), "", static_cast<std::size_t>(rel.bundle.size));
    if (b.status != FetchResult::Status::ok)
      throw OpsError(Reason::network, rel.bundle_path() + " not found");
    if (b.body.size() < rel.bundle.size)
      throw OpsError(Reason::truncated, "bundle has " + std::to_string(b.body.size()) + " of " +
                                            std::to_string(rel.bundle.size) + " bytes");
    if (sha256_hex(b.body) != rel.bundle.sha256)
      throw OpsError(Reason::hash_mismatch, "bundle sha256 differs from the signed hash");
    step("downloaded");
    FileSet files = read_tar(b.body, cfg_.limits);
    check_against(files, rel.files);
    validate_content(files);
    stage(rel, files);
  }
  // Only now is the release fully processed: a 304 next time may reuse it (e.g. after a deferral).
  cached_release_ = env;
  release_etag_ = res.etag;
  return apply_staged(rel);
}

void Updater::start() {
  std::lock_guard lk(run_mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::mt19937_64 rng(std::random_device{}());
    auto jittered = [&](std::chrono::milliseconds base, double lo, double hi) {
      std::uniform_real_distribution<double> d(lo, hi);
      return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * d(rng)));
    };
    // First poll after a random part of the interval: a fleet rebooting together spreads out.
    auto wait = jittered(cfg_.poll_interval, 0.0, 1.0);
    for (;;) {
      {
        std::unique_lock wl(run_mu_);
        if (run_cv_.wait_for(wl, wait, [this] { return stopping_; })) return;
      }
      auto r = poll_once();
      if (hooks_.polled) hooks_.polled(r);
      if (r.outcome == Outcome::committed && cfg_.stop_after_commit) return;
      if (r.outcome == Outcome::error) {
        ++error_streak_;
        auto cap = std::min(cfg_.error_backoff_cap.count(), cfg_.error_backoff_base.count()
                                                                << std::min(error_streak_ - 1, 16));
        wait = jittered(std::chrono::milliseconds(cap), 0.0, 1.0);  // full jitter
      } else {
        error_streak_ = 0;
        wait = r.outcome == Outcome::deferred
                   ? cfg_.gate_retry
                   : jittered(cfg_.poll_interval, 1.0 - cfg_.jitter, 1.0 + cfg_.jitter);
      }
    }
  });
}

void Updater::stop() {
  {
    std::lock_guard lk(run_mu_);
    stopping_ = true;
  }
  run_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace kiosk::ops
