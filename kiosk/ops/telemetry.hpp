// Fleet telemetry over MQTT (libmosquitto). Topics under kiosk/<region>/<terminal_id>/:
//   status     retained {"online":true,…}; the broker publishes the retained will {"online":false}
//              when the terminal disappears (keepalive 30 s → offline within ~45 s)
//   metrics    periodic snapshot of counters/gauges with Prometheus names (QoS 0)
//   event      staff calls and update outcomes (QoS 1, buffered while offline, bounded)
//   cfg/state  retained last update outcome and active config version
// Only metric names, bounded label values and codes are accepted: no personal data can be sent.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "kiosk/ops/updater.hpp"

struct mosquitto;

namespace kiosk::ops {

using Labels = std::map<std::string, std::string>;

struct TelemetryConfig {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string terminal_id;
  std::string region_code;
  std::string app_version;
  int keepalive_s = 30;
  std::size_t buffer_capacity = 1000;                  // queued events while offline (oldest dropped)
  std::chrono::milliseconds metrics_interval{60'000};  // 0: only on publish_metrics_now()
  std::string topic_prefix = "kiosk";
  bool tls = false;         // MQTT over TLS; the broker's certificate is verified
  std::string tls_ca_file;  // "" with tls: the system CA directory /etc/ssl/certs
  std::string username;     // "" = anonymous
  std::string password;
};

struct OutgoingMessage {
  std::string topic;
  std::string payload;
  int qos = 1;
  bool retain = false;
};

class Telemetry {
 public:
  explicit Telemetry(TelemetryConfig cfg);
  ~Telemetry();
  Telemetry(const Telemetry&) = delete;
  Telemetry& operator=(const Telemetry&) = delete;

  void start();  // connects in the background; works (buffers) without a broker
  void stop();   // publishes offline status, disconnects

  // Metric names must match ^kiosk_[a-z0-9_]+$ (counters end in _total); label values are bounded
  // tokens. Throws std::invalid_argument otherwise (a programming error, never resident data).
  void count(std::string_view name, std::uint64_t delta = 1, const Labels& labels = {});
  void gauge(std::string_view name, double value, const Labels& labels = {});
  void device_state(std::string_view device, std::string_view state, std::string_view error_code = "");
  void staff_call(std::string_view reason_code);
  void update_outcome(const UpdateReport& r);
  void set_config_version(std::uint64_t v);
  void publish_metrics_now();

  std::string topic(std::string_view leaf) const;
  std::string prometheus_text() const;  // text exposition of the current counters/gauges
  bool connected() const;
  std::size_t buffered() const;
  std::uint64_t dropped() const;

  static bool valid_metric_name(std::string_view name);
  static bool valid_label_value(std::string_view v);

 private:
  struct Series {
    std::string name;
    Labels labels;
    double value = 0;
    bool counter = false;
  };
  static std::string series_key(std::string_view name, const Labels& labels);
  void enqueue(OutgoingMessage m);
  void flush_locked();
  std::string metrics_payload_locked();
  std::string status_payload(bool online) const;
  std::int64_t now_s() const;
  static void on_connect(mosquitto*, void* self, int rc);
  static void on_disconnect(mosquitto*, void* self, int rc);

  TelemetryConfig cfg_;
  mosquitto* mosq_ = nullptr;
  mutable std::mutex mu_;
  bool connected_ = false;
  bool started_ = false;
  std::map<std::string, Series> series_;
  std::map<std::string, std::pair<std::string, std::string>> devices_;  // device → (state, error)
  std::deque<OutgoingMessage> queue_;
  std::uint64_t dropped_ = 0;
  std::uint64_t seq_ = 0;
  std::uint64_t config_version_ = 0;
  std::string last_update_json_;

  std::mutex tick_mu_;
  std::condition_variable tick_cv_;
  bool stopping_ = false;
  std::thread ticker_;
};

}  // namespace kiosk::ops
