// The fleet agent inside the running kiosk: owns the config Updater (signed bundles over HTTP) and the
// MQTT Telemetry, both configured by ops.toml (OpsSettings). Lifecycle in the app:
//   FleetAgent agent(settings, identity, factory_config_dir, hooks);  // recovers an interrupted apply
//   cfg.config_dir = agent.config_dir();  // load config from the resolved current slot (or factory)
//   ... app.load(cfg) ... first frame ...
//   agent.start();                         // telemetry connects, background polling with jitter
//   App events → on_session_end / on_device_state / on_staff_call / ...
// After a committed update the agent stops polling and calls on_committed(new_dir) from its thread:
// the app then exits cleanly at the next moment between sessions and systemd restarts it
// (kiosk.service: Restart=always, RestartSec=2, StartLimitIntervalSec=0) on the new config.
// Nothing personal is ever sent: metric names, bounded label tokens and codes only.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "kiosk/ops/settings.hpp"
#include "kiosk/ops/telemetry.hpp"
#include "kiosk/ops/updater.hpp"

namespace kiosk::ops {

struct AgentIdentity {
  std::string terminal_id;  // kiosk.toml [terminal] id
  std::string region_code;  // kiosk.toml [terminal] region_code (GB/T 2260)
  std::string app_version;
};

struct AgentHooks {
  // Required when updates are enabled: true on the home screen with no resident session.
  std::function<bool()> between_sessions;
  // Empty: default_health_check (kiosk/ops/health_check.hpp). Runs on the agent's thread.
  std::function<HealthResult(const std::filesystem::path& config_dir)> health_check;
  // A new config was committed; `config_dir` is the resolved new slot. Runs on the agent's thread:
  // post an event, do not block. Polling has stopped until the process restarts.
  std::function<void(const std::filesystem::path& config_dir)> on_committed;
  std::function<TimePoint()> now;  // tests: fixed clock for metadata expiry (default system clock)
};

class FleetAgent {
 public:
  // Constructs the telemetry (if [telemetry] broker_host is set) and the updater (if [update] base_url
  // is set) and recovers an apply interrupted by a crash. `fetcher` replaces the HTTP fetcher (tests,
  // USB publishing). Throws std::invalid_argument / core::ConfigLoadError on unusable settings.
  FleetAgent(OpsSettings settings, AgentIdentity identity, std::filesystem::path factory_config,
             AgentHooks hooks, std::shared_ptr<Fetcher> fetcher = nullptr);
  ~FleetAgent();
  FleetAgent(const FleetAgent&) = delete;
  FleetAgent& operator=(const FleetAgent&) = delete;

  // The config directory the kiosk must load: the resolved current slot (slots/a or slots/b, stable for
  // the life of the process even when `current` is switched) or the factory config before any apply.
  std::filesystem::path config_dir() const;

  void start();  // telemetry connects (buffers without a broker); background polling begins
  void stop();   // polling ends, telemetry says offline; also done by the destructor

  // One poll now on the caller's thread (tests, technician "check for updates"); same reporting.
  UpdateReport poll_now();

  // --- App events (thread-safe, never throw; invalid tokens are counted as "other") ---
  void on_device_state(std::string_view device, std::string_view state, std::string_view error_code = "");
  void on_staff_call(std::string_view reason_code);
  void on_session_start();
  // item: catalog code ("KS-A013", "" = none chosen); outcome: completed, cancelled, timeout, error, ...
  void on_session_end(std::string_view item, std::string_view outcome);
  void on_identified(std::string_view method);  // idcard, sscard, medical_voucher, e_sscard
  void on_certification(bool passed);
  void on_receipt(bool printed);

  bool updates_enabled() const { return updater_ != nullptr; }
  bool telemetry_enabled() const { return telemetry_ != nullptr; }
  bool restart_pending() const { return restart_pending_; }
  Telemetry* telemetry() { return telemetry_.get(); }
  // Agent status as written to <state_dir>/agent.json (kioskctl ops status).
  nlohmann::json status() const;

 private:
  void reported(const UpdateReport& r);
  void polled(const UpdateReport& r);
  void write_status();
  void safe(const char* what, const std::function<void()>& f);

  OpsSettings settings_;
  AgentIdentity identity_;
  std::filesystem::path factory_config_;
  AgentHooks hooks_;
  std::unique_ptr<Telemetry> telemetry_;
  std::unique_ptr<Updater> updater_;
  std::filesystem::path config_dir_;
  std::atomic<bool> restart_pending_{false};
  std::atomic<bool> started_{false};
  mutable std::mutex mu_;
  UpdateReport last_report_;  // last outcome other than no_change
  UpdateReport last_poll_;    // last poll of any outcome
  std::int64_t last_poll_ts_ = 0;
  std::int64_t last_report_ts_ = 0;
  std::uint64_t polls_ = 0;
};

// Reads <state_dir>/state.json, agent.json, the `current` symlink and the trusted root version into
// one JSON document (kioskctl ops status). Missing files are reported as such, never an exception.
nlohmann::json read_agent_status(const std::filesystem::path& state_dir);

}  // namespace kiosk::ops
