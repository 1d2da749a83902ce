#include "kiosk/ops/agent.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <stdexcept>

#include "kiosk/ops/health_check.hpp"
#include "kiosk/ops/http_fetcher.hpp"

namespace kiosk::ops {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json report_json(const UpdateReport& r, std::int64_t ts) {
  return {{"outcome", std::string(to_string(r.outcome))},
          {"version", r.version},
          {"active_version", r.active_version},
          {"reason", r.reason},
          {"detail", r.detail},
          {"ts", ts}};
}

fs::path resolved(const fs::path& p) {
  std::error_code ec;
  auto c = fs::canonical(p, ec);
  return ec ? p : c;
}

std::string token(std::string_view v, std::string_view fallback = "other") {
  return std::string(Telemetry::valid_label_value(v) ? v : fallback);
}

std::optional<json> read_json(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  try {
    return json::parse(std::string((std::istreambuf_iterator<char>(in)), {}));
  } catch (const std::exception&) {
    return json{{"error", "unreadable JSON"}};
  }
}

}  // namespace

FleetAgent::FleetAgent(OpsSettings settings, AgentIdentity identity, fs::path factory_config,
                       AgentHooks hooks, std::shared_ptr<Fetcher> fetcher)
    : settings_(std::move(settings)),
      identity_(std::move(identity)),
      factory_config_(std::move(factory_config)),
      hooks_(std::move(hooks)) {
  if (settings_.telemetry_enabled()) {
    TelemetryConfig tc;
    tc.host = settings_.broker_host;
    tc.port = settings_.broker_port;
    tc.terminal_id = identity_.terminal_id;
    tc.region_code = identity_.region_code;
    tc.app_version = identity_.app_version;
    tc.keepalive_s = settings_.keepalive_s;
    tc.buffer_capacity = static_cast<std::size_t>(settings_.buffer_capacity);
    tc.metrics_interval = std::chrono::seconds(settings_.metrics_period_s);
    tc.topic_prefix = settings_.topic_prefix;
    tc.tls = settings_.tls;
    tc.tls_ca_file = settings_.tls_ca_file;
    if (!settings_.credentials_file.empty()) {
      auto creds = load_broker_credentials(settings_.credentials_file);
      tc.username = creds.username;
      tc.password = creds.password;
    }
    telemetry_ = std::make_unique<Telemetry>(std::move(tc));
  }
  config_dir_ = factory_config_;
  if (settings_.updates_enabled()) {
    if (!hooks_.between_sessions)
      throw std::invalid_argument(
          "fleet agent: a between_sessions hook is required when updates are enabled");
    std::error_code ec;
    if (!fs::is_regular_file(settings_.trust_anchor, ec))
      spdlog::error(
          "ops: trust anchor {} not found: every poll will fail (reported as error) until it is installed",
          settings_.trust_anchor);
    UpdaterConfig uc;
    uc.state_dir = settings_.state_dir;
    uc.anchor_root = settings_.trust_anchor;
    uc.factory_config = factory_config_;
    uc.channel = settings_.channel;
    uc.terminal = {identity_.terminal_id, identity_.region_code, settings_.group};
    uc.poll_interval = std::chrono::seconds(settings_.poll_interval_s);
    uc.jitter = settings_.jitter;
    uc.gate_retry = std::chrono::seconds(settings_.deferred_retry_s);
    uc.stop_after_commit = true;
    if (!fetcher) {
      HttpOptions ho;
      ho.connect_timeout = std::chrono::seconds(settings_.connect_timeout_s);
      ho.total_timeout = std::chrono::seconds(settings_.download_timeout_s);
      ho.ca_file = settings_.ca_file;
      fetcher = std::make_shared<HttpFetcher>(settings_.base_url, ho);
    }
    UpdaterHooks uh;
    uh.between_sessions = hooks_.between_sessions;
    uh.health_check = hooks_.health_check ? hooks_.health_check : default_health_check;
    uh.report = [this](const UpdateReport& r) { reported(r); };
    uh.polled = [this](const UpdateReport& r) { polled(r); };
    uh.now = hooks_.now;
    updater_ = std::make_unique<Updater>(std::move(uc), std::move(fetcher), std::move(uh));
    updater_->recover();
    config_dir_ = resolved(updater_->current_config());
  }
  if (telemetry_) {
    safe("config version", [&] {
      telemetry_->set_config_version(updater_ ? updater_->state().active_version : 0);
      telemetry_->gauge("kiosk_config_updates_enabled", updater_ ? 1.0 : 0.0);
    });
  }
  spdlog::info("ops: fleet agent: updates {}, telemetry {}, config {}",
               updater_ ? settings_.base_url : std::string("disabled"),
               telemetry_ ? settings_.broker_host + ":" + std::to_string(settings_.broker_port) : "disabled",
               config_dir_.string());
}

FleetAgent::~FleetAgent() {
  stop();
}

fs::path FleetAgent::config_dir() const {
  return config_dir_;
}

void FleetAgent::start() {
  if (started_.exchange(true)) return;
  if (telemetry_) {
    try {
      telemetry_->start();
    } catch (const std::exception& e) {
      spdlog::error("ops: telemetry not started: {}", e.what());
    }
  }
  if (updater_ && !restart_pending_) updater_->start();
}

void FleetAgent::stop() {
  if (updater_) updater_->stop();
  if (telemetry_) telemetry_->stop();
  started_ = false;
}

UpdateReport FleetAgent::poll_now() {
  if (!updater_) return {Outcome::no_change, 0, 0, "", "updates disabled ([update] base_url is empty)"};
  if (restart_pending_)
    return {Outcome::no_change, 0, updater_->state().active_version, "", "restart pending"};
  auto r = updater_->poll_once();
  polled(r);
  if (r.outcome == Outcome::committed) updater_->stop();  // not on the updater's own thread here
  return r;
}

void FleetAgent::reported(const UpdateReport& r) {
  {
    std::lock_guard lk(mu_);
    last_report_ = r;
    last_report_ts_ = unix_now();
  }
  if (telemetry_) safe("update outcome", [&] { telemetry_->update_outcome(r); });
}

void FleetAgent::polled(const UpdateReport& r) {
  {
    std::lock_guard lk(mu_);
    last_poll_ = r;
    last_poll_ts_ = unix_now();
    ++polls_;
  }
  if (r.outcome == Outcome::committed) restart_pending_ = true;
  try {
    write_status();
  } catch (const std::exception& e) {
    spdlog::warn("ops: agent.json not written: {}", e.what());
  }
  if (r.outcome == Outcome::committed && hooks_.on_committed) {
    auto dir = resolved(fs::path(settings_.state_dir) / "current");
    spdlog::info("ops: config v{} committed; restart on {} requested", r.version, dir.string());
    hooks_.on_committed(dir);
  }
}

json FleetAgent::status() const {
  json j{{"schema", "kiosk.agent/1"},
         {"terminal", identity_.terminal_id},
         {"region", identity_.region_code},
         {"updates_enabled", updater_ != nullptr},
         {"telemetry_enabled", telemetry_ != nullptr},
         {"config_dir", config_dir_.string()},
         {"restart_pending", restart_pending_.load()}};
  if (updater_) {
    j["base_url"] = settings_.base_url;
    j["channel"] = settings_.channel;
    j["active_version"] = updater_->state().active_version;
  }
  {
    std::lock_guard lk(mu_);
    j["polls"] = polls_;
    j["last_poll"] = polls_ ? report_json(last_poll_, last_poll_ts_) : json(nullptr);
    j["last_report"] = last_report_ts_ ? report_json(last_report_, last_report_ts_) : json(nullptr);
  }
  if (telemetry_) {
    j["telemetry"] = {{"broker", settings_.broker_host + ":" + std::to_string(settings_.broker_port)},
                      {"connected", telemetry_->connected()},
                      {"buffered", telemetry_->buffered()},
                      {"dropped", telemetry_->dropped()}};
  }
  j["ts"] = unix_now();
  return j;
}

void FleetAgent::write_status() {
  if (!updater_) return;
  write_file_durable(fs::path(settings_.state_dir) / "agent.json", status().dump(2) + "\n");
}

void FleetAgent::safe(const char* what, const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception&) {
    // Never echo the value: an invalid label might be resident data passed by mistake.
    spdlog::warn("ops: telemetry {} dropped (invalid name or label)", what);
  }
}

void FleetAgent::on_device_state(std::string_view device, std::string_view state,
                                 std::string_view error_code) {
  if (!telemetry_) return;
  safe("device state", [&] {
    telemetry_->device_state(token(device), token(state, "unknown"),
                             error_code.empty() ? "" : token(error_code));
  });
}

void FleetAgent::on_staff_call(std::string_view reason_code) {
  if (!telemetry_) return;
  safe("staff call", [&] { telemetry_->staff_call(token(reason_code)); });
}

void FleetAgent::on_session_start() {
  if (!telemetry_) return;
  safe("session start", [&] { telemetry_->count("kiosk_sessions_started_total"); });
}

void FleetAgent::on_session_end(std::string_view item, std::string_view outcome) {
  if (!telemetry_) return;
  safe("session end", [&] {
    telemetry_->count("kiosk_sessions_total", 1,
                      {{"item", item.empty() ? "none" : token(item)}, {"outcome", token(outcome)}});
  });
}

void FleetAgent::on_identified(std::string_view method) {
  if (!telemetry_) return;
  safe("identification", [&] {
    telemetry_->count("kiosk_identifications_total", 1, {{"method", token(method)}});
  });
}

void FleetAgent::on_certification(bool passed) {
  if (!telemetry_) return;
  safe("certification", [&] {
    telemetry_->count("kiosk_certifications_total", 1, {{"result", passed ? "passed" : "failed"}});
  });
}

void FleetAgent::on_receipt(bool printed) {
  if (!telemetry_) return;
  safe("receipt", [&] {
    telemetry_->count("kiosk_receipts_total", 1, {{"result", printed ? "printed" : "failed"}});
  });
}

json read_agent_status(const fs::path& state_dir) {
  json j{{"schema", "kiosk.ops-status/1"}, {"state_dir", state_dir.string()}};
  std::error_code ec;
  if (!fs::is_directory(state_dir, ec)) {
    j["error"] = "state directory not found (updates never enabled on this terminal?)";
    return j;
  }
  auto cur = state_dir / "current";
  if (fs::is_symlink(cur, ec))
    j["current"] = fs::read_symlink(cur, ec).string();
  else
    j["current"] = nullptr;  // factory config
  if (auto s = read_json(state_dir / "state.json"))
    j["state"] = *s;
  else
    j["state"] = nullptr;
  if (auto a = read_json(state_dir / "agent.json"))
    j["agent"] = *a;
  else
    j["agent"] = nullptr;
  try {
    std::ifstream in(state_dir / "trust" / "root.json", std::ios::binary);
    if (in) {
      auto env = parse_envelope(std::string((std::istreambuf_iterator<char>(in)), {}));
      auto root = parse_root(env.signed_text);
      j["trusted_root"] = {{"version", root.version}, {"expires", format_time(root.expires)}};
    } else {
      j["trusted_root"] = nullptr;  // the shipped anchor is in use
    }
  } catch (const std::exception& e) {
    j["trusted_root"] = {{"error", e.what()}};
  }
  return j;
}

}  // namespace kiosk::ops
