#include "kiosk/ops/telemetry.hpp"

#include <mosquitto.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "kiosk/core/mask.hpp"

namespace kiosk::ops {

using nlohmann::json;

namespace {
struct MosqLib {
  MosqLib() { mosquitto_lib_init(); }
};
}  // namespace

bool Telemetry::valid_metric_name(std::string_view n) {
  if (!n.starts_with("kiosk_") || n.size() > 96 || n.size() <= 6) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

bool Telemetry::valid_label_value(std::string_view v) {
  if (v.empty() || v.size() > 48) return false;
  int digit_run = 0;
  for (char c : v) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.' || c == ':'))
      return false;
    digit_run = (c >= '0' && c <= '9') ? digit_run + 1 : 0;
    if (digit_run >= 12) return false;  // looks like an ID / card number: never a label
  }
  return true;
}

Telemetry::Telemetry(TelemetryConfig cfg) : cfg_(std::move(cfg)) {
  static MosqLib lib;
  if (!valid_label_value(cfg_.terminal_id) || !valid_label_value(cfg_.region_code))
    throw std::invalid_argument("telemetry: terminal id and region code must be plain tokens");
}

Telemetry::~Telemetry() {
  stop();
}

std::int64_t Telemetry::now_s() const {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Telemetry::topic(std::string_view leaf) const {
  return cfg_.topic_prefix + "/" + cfg_.region_code + "/" + cfg_.terminal_id + "/" + std::string(leaf);
}

std::string Telemetry::status_payload(bool online) const {
  json j{{"schema", "kiosk.status/1"}, {"online", online}, {"terminal", cfg_.terminal_id}, {"ts", now_s()}};
  if (online) {
    j["app_version"] = cfg_.app_version;
    j["config_version"] = config_version_;
  }
  return j.dump();
}

void Telemetry::start() {
  std::lock_guard lk(mu_);
  if (started_) return;
  started_ = true;
  stopping_ = false;
  std::string client_id = "kiosk-" + cfg_.terminal_id;
  mosq_ = mosquitto_new(client_id.c_str(), true, this);
  if (!mosq_) throw std::runtime_error("telemetry: mosquitto_new failed");
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_connect_callback_set(mosq_, &Telemetry::on_connect);
  mosquitto_disconnect_callback_set(mosq_, &Telemetry::on_disconnect);
  mosquitto_reconnect_delay_set(mosq_, 1, 30, true);
  if (cfg_.tls) {
    const char* cafile = cfg_.tls_ca_file.empty() ? nullptr : cfg_.tls_ca_file.c_str();
    int trc =
        mosquitto_tls_set(mosq_, cafile, cafile ? nullptr : "/etc/ssl/certs", nullptr, nullptr, nullptr);
    if (trc != MOSQ_ERR_SUCCESS) {
      mosquitto_destroy(mosq_);
      mosq_ = nullptr;
      started_ = false;
      throw std::runtime_error(std::string("telemetry: TLS setup failed: ") + mosquitto_strerror(trc));
    }
  }
  if (!cfg_.username.empty())
    mosquitto_username_pw_set(mosq_, cfg_.username.c_str(),
                              cfg_.password.empty() ? nullptr : cfg_.password.c_str());
  auto will = status_payload(false);
  auto st = topic("status");
  mosquitto_will_set(mosq_, st.c_str(), static_cast<int>(will.size()), will.data(), 1, true);
  int rc = mosquitto_connect_async(mosq_, cfg_.host.c_str(), cfg_.port, cfg_.keepalive_s);
  if (rc != MOSQ_ERR_SUCCESS)
    spdlog::warn("telemetry: broker {}:{} not reachable yet ({}); buffering", cfg_.host, cfg_.port,
                 mosquitto_strerror(rc));
  mosquitto_loop_start(mosq_);
  if (cfg_.metrics_interval.count() > 0) {
    ticker_ = std::thread([this] {
      std::unique_lock tl(tick_mu_);
      while (!tick_cv_.wait_for(tl, cfg_.metrics_interval, [this] { return stopping_; })) {
        tl.unlock();
        publish_metrics_now();
        tl.lock();
      }
    });
  }
}

void Telemetry::stop() {
  {
    std::lock_guard tl(tick_mu_);
    stopping_ = true;
  }
  tick_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  mosquitto* m = nullptr;
  {
    std::lock_guard lk(mu_);
    if (!started_) return;
    started_ = false;
    m = mosq_;
    if (connected_) {
      auto p = status_payload(false);
      auto st = topic("status");
      mosquitto_publish(m, nullptr, st.c_str(), static_cast<int>(p.size()), p.data(), 1, true);
    }
  }
  mosquitto_disconnect(m);
  mosquitto_loop_stop(m, false);
  mosquitto_destroy(m);
  std::lock_guard lk(mu_);
  mosq_ = nullptr;
  connected_ = false;
}

void Telemetry::on_connect(mosquitto*, void* self, int rc) {
  auto* t = static_cast<Telemetry*>(self);
  if (rc != 0) return;
  std::lock_guard lk(t->mu_);
  t->connected_ = true;
  auto p = t->status_payload(true);
  auto st = t->topic("status");
  mosquitto_publish(t->mosq_, nullptr, st.c_str(), static_cast<int>(p.size()), p.data(), 1, true);
  t->flush_locked();
}

void Telemetry::on_disconnect(mosquitto*, void* self, int) {
  auto* t = static_cast<Telemetry*>(self);
  std::lock_guard lk(t->mu_);
  t->connected_ = false;
}

void Telemetry::flush_locked() {
  while (connected_ && !queue_.empty()) {
    auto& m = queue_.front();
    int rc = mosquitto_publish(mosq_, nullptr, m.topic.c_str(), static_cast<int>(m.payload.size()),
                               m.payload.data(), m.qos, m.retain);
    if (rc != MOSQ_ERR_SUCCESS) break;  // stays queued; retried on the next connect
    queue_.pop_front();
  }
}

void Telemetry::enqueue(OutgoingMessage m) {
  std::lock_guard lk(mu_);
  if (m.qos == 0) {
    // Metrics snapshots coalesce: only the newest one waits for the broker.
    std::erase_if(queue_, [&](const OutgoingMessage& q) { return q.qos == 0 && q.topic == m.topic; });
  }
  queue_.push_back(std::move(m));
  while (queue_.size() > cfg_.buffer_capacity) {
    queue_.pop_front();
    ++dropped_;
  }
  flush_locked();
}

std::string Telemetry::series_key(std::string_view name, const Labels& labels) {
  std::string k(name);
  for (auto& [a, b] : labels) k += "|" + a + "=" + b;
  return k;
}

void Telemetry::count(std::string_view name, std::uint64_t delta, const Labels& labels) {
  if (!valid_metric_name(name) || !name.ends_with("_total"))
    throw std::invalid_argument("telemetry: bad counter name " + std::string(name));
  for (auto& [k, v] : labels)
    if (!valid_metric_name("kiosk_" + k) || !valid_label_value(v))
      throw std::invalid_argument("telemetry: bad label on " + std::string(name));
  std::lock_guard lk(mu_);
  auto& s = series_[series_key(name, labels)];
  s.name = name;
  s.labels = labels;
  s.counter = true;
  s.value += static_cast<double>(delta);
}

void Telemetry::gauge(std::string_view name, double value, const Labels& labels) {
  if (!valid_metric_name(name) || name.ends_with("_total"))
    throw std::invalid_argument("telemetry: bad gauge name " + std::string(name));
  for (auto& [k, v] : labels)
    if (!valid_metric_name("kiosk_" + k) || !valid_label_value(v))
      throw std::invalid_argument("telemetry: bad label on " + std::string(name));
  std::lock_guard lk(mu_);
  auto& s = series_[series_key(name, labels)];
  s.name = name;
  s.labels = labels;
  s.value = value;
}

void Telemetry::device_state(std::string_view device, std::string_view state, std::string_view error_code) {
  if (!valid_label_value(device) || !valid_label_value(state) ||
      (!error_code.empty() && !valid_label_value(error_code)))
    throw std::invalid_argument("telemetry: bad device state");
  gauge("kiosk_device_up", state == "ok" || state == "ready" ? 1.0 : 0.0, {{"device", std::string(device)}});
  std::lock_guard lk(mu_);
  devices_[std::string(device)] = {std::string(state), std::string(error_code)};
}

void Telemetry::staff_call(std::string_view reason_code) {
  if (!valid_label_value(reason_code)) throw std::invalid_argument("telemetry: bad staff call reason");
  count("kiosk_staff_calls_total");
  json j{{"schema", "kiosk.event/1"}, {"type", "staff_call"}, {"reason", reason_code}, {"ts", now_s()}};
  {
    std::lock_guard lk(mu_);
    j["seq"] = ++seq_;
  }
  enqueue({topic("event"), j.dump(), 1, false});
}

void Telemetry::set_config_version(std::uint64_t v) {
  gauge("kiosk_config_version", static_cast<double>(v));
  std::lock_guard lk(mu_);
  config_version_ = v;
}

void Telemetry::update_outcome(const UpdateReport& r) {
  std::string outcome(to_string(r.outcome));
  count("kiosk_config_updates_total", 1, {{"outcome", outcome}});
  set_config_version(r.active_version);
  json j{{"schema", "kiosk.cfg/1"},
         {"type", "update"},
         {"outcome", outcome},
         {"version", r.version},
         {"active_version", r.active_version},
         {"reason", r.reason},
         {"detail", core::scrub(r.detail.substr(0, 300))},
         {"ts", now_s()}};
  {
    std::lock_guard lk(mu_);
    j["seq"] = ++seq_;
  }
  auto payload = j.dump();
  enqueue({topic("event"), payload, 1, false});
  enqueue({topic("cfg/state"), payload, 1, true});
}

std::string Telemetry::metrics_payload_locked() {
  json metrics = json::array();
  for (auto& [k, s] : series_) {
    json m{{"name", s.name}, {"value", s.value}};
    if (!s.labels.empty()) m["labels"] = s.labels;
    metrics.push_back(std::move(m));
  }
  json devices = json::object();
  for (auto& [d, st] : devices_) devices[d] = {{"state", st.first}, {"error", st.second}};
  json j{{"schema", "kiosk.metrics/1"},  {"seq", ++seq_},      {"ts", now_s()},
         {"terminal", cfg_.terminal_id}, {"metrics", metrics}, {"devices", devices}};
  return j.dump();
}

void Telemetry::publish_metrics_now() {
  std::string p;
  {
    std::lock_guard lk(mu_);
    p = metrics_payload_locked();
  }
  enqueue({topic("metrics"), std::move(p), 0, false});
}

std::string Telemetry::prometheus_text() const {
  std::lock_guard lk(mu_);
  std::ostringstream os;
  std::string last;
  for (auto& [k, s] : series_) {
    if (s.name != last) {
      os << "# TYPE " << s.name << (s.counter ? " counter" : " gauge") << "\n";
      last = s.name;
    }
    os << s.name;
    if (!s.labels.empty()) {
      os << "{";
      bool first = true;
      for (auto& [a, b] : s.labels) {
        os << (first ? "" : ",") << a << "=\"" << b << "\"";
        first = false;
      }
      os << "}";
    }
    os << " " << s.value << "\n";
  }
  return os.str();
}

bool Telemetry::connected() const {
  std::lock_guard lk(mu_);
  return connected_;
}

std::size_t Telemetry::buffered() const {
  std::lock_guard lk(mu_);
  return queue_.size();
}

std::uint64_t Telemetry::dropped() const {
  std::lock_guard lk(mu_);
  return dropped_;
}

}  // namespace kiosk::ops
