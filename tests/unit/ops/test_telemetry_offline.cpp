// Telemetry without a broker: bounded buffering, Prometheus names, no personal data in labels.
#include <catch2/catch.hpp>

#include "kiosk/ops/telemetry.hpp"

using namespace kiosk::ops;

TEST_CASE("telemetry buffers while the broker is away and stays bounded", "[ops][telemetry]") {
  TelemetryConfig c;
  c.host = "127.0.0.1";
  c.port = 1;  // nothing listens there
  c.terminal_id = "T-0001";
  c.region_code = "410100";
  c.buffer_capacity = 5;
  c.metrics_interval = std::chrono::milliseconds(0);
  Telemetry t(c);
  t.start();
  CHECK_FALSE(t.connected());
  for (int i = 0; i < 8; ++i) t.staff_call("help_button");
  CHECK(t.buffered() == 5);
  CHECK(t.dropped() == 3);
  t.publish_metrics_now();
  t.publish_metrics_now();  // metrics snapshots coalesce
  CHECK(t.buffered() == 5);
  CHECK(t.dropped() == 4);
  t.stop();
  CHECK(t.topic("status") == "kiosk/410100/T-0001/status");
}

TEST_CASE("metric names follow Prometheus conventions and labels cannot carry personal data",
          "[ops][telemetry]") {
  TelemetryConfig c;
  c.terminal_id = "T-0002";
  c.region_code = "410100";
  Telemetry t(c);
  t.count("kiosk_sessions_started_total", 1, {{"item", "KS-A001"}});
  t.count("kiosk_sessions_started_total", 2, {{"item", "KS-A001"}});
  t.gauge("kiosk_disk_free_ratio", 0.5);
  t.device_state("printer", "paper_out", "E12");
  auto text = t.prometheus_text();
  CHECK_THAT(text, Catch::Contains("# TYPE kiosk_sessions_started_total counter"));
  CHECK_THAT(text, Catch::Contains("kiosk_sessions_started_total{item=\"KS-A001\"} 3"));
  CHECK_THAT(text, Catch::Contains("kiosk_device_up{device=\"printer\"} 0"));
  CHECK_THROWS_AS(t.count("sessions", 1), std::invalid_argument);
  CHECK_THROWS_AS(t.count("kiosk_sessions_started", 1), std::invalid_argument);  // counters end in _total
  CHECK_THROWS_AS(t.gauge("kiosk_x_total", 1), std::invalid_argument);
  CHECK_THROWS_AS(t.count("kiosk_a_total", 1, {{"id", "410101199001011234"}}), std::invalid_argument);
  CHECK_THROWS_AS(t.count("kiosk_a_total", 1, {{"name", "张三"}}), std::invalid_argument);
  CHECK_THROWS_AS(t.staff_call("6222021234567890123"), std::invalid_argument);
  CHECK_THROWS_AS(Telemetry(TelemetryConfig{.terminal_id = "a/b", .region_code = "41"}),
                  std::invalid_argument);
}
