// Real servers on loopback, started by the test: nginx serves the published static layout,
// mosquitto is the broker. 50 simulated terminals (updater + telemetry each) poll, apply one
// publish and report; an ops subscriber sees every terminal's status and outcome on the broker.
#include <fcntl.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "kiosk/ops/http_fetcher.hpp"
#include "kiosk/ops/telemetry.hpp"
#include "tests/e2e/ops/loopback_servers.hpp"

using namespace ops_test;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("a fleet of 50 terminals applies one publish from nginx and reports over mosquitto", "[ops][e2e]") {
  mosquitto_lib_init();
  TestRepo repo;
  auto run = repo.dir / "run";
  LoopbackServers srv(repo.pub, run);
  const int http_port = srv.http_port, mqtt_port = srv.mqtt_port;

  // One terminal runs in a child process so it can vanish without a goodbye (kill -9): the broker
  // must then publish its retained last will.
  int go[2];
  REQUIRE(::pipe(go) == 0);
  pid_t doomed = ::fork();
  if (doomed == 0) {
    TelemetryConfig c{.port = mqtt_port,
                      .terminal_id = "T-DOOMED",
                      .region_code = "410100",
                      .keepalive_s = 5,
                      .metrics_interval = 0ms};
    Telemetry t(c);
    t.start();
    char b;
    (void)::read(go[0], &b, 1);  // parent kills us while we wait
    ::_exit(0);
  }

  Observer ops(mqtt_port);
  constexpr int kFleet = 50;
  struct Node {
    std::unique_ptr<Telemetry> tel;
    std::unique_ptr<Updater> up;
  };
  std::vector<Node> fleet(kFleet);
  const std::string base = "http://127.0.0.1:" + std::to_string(http_port) + "/";
  for (int i = 0; i < kFleet; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "T-%04d", i);
    std::string region = i % 2 ? "440300" : "410100";
    auto& n = fleet[static_cast<std::size_t>(i)];
    n.tel = std::make_unique<Telemetry>(TelemetryConfig{.port = mqtt_port,
                                                        .terminal_id = id,
                                                        .region_code = region,
                                                        .app_version = "0.1.0",
                                                        .metrics_interval = 0ms});
    n.tel->start();
    auto cfg = repo.updater_config(repo.dir / "terminals" / id, id, region);
    cfg.poll_interval = 400ms;
    cfg.gate_retry = 100ms;
    UpdaterHooks h;
    h.now = fixed_now;
    h.between_sessions = [] { return true; };
    h.health_check = [](const fs::path& dir) {
      return HealthResult{fs::exists(dir / "settings.toml"), "settings.toml present"};
    };
    Telemetry* tel = n.tel.get();
    h.report = [tel](const UpdateReport& r) { tel->update_outcome(r); };
    n.up = std::make_unique<Updater>(
        cfg, std::make_shared<HttpFetcher>(base, HttpOptions{.connect_timeout = 2s, .total_timeout = 10s}),
        h);
    n.up->recover();
  }
  REQUIRE(wait_until(10s, [&] {
    for (int i = 0; i < kFleet; ++i)
      if (!fleet[static_cast<std::size_t>(i)].tel->connected()) return false;
    return true;
  }));

  // Ops publishes once.
  auto t0 = std::chrono::steady_clock::now();
  auto published = repo.publish(1, config_v(1));
  for (auto& n : fleet) n.up->start();
  auto all_committed = [&] {
    for (int i = 0; i < kFleet; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "T-%04d", i);
      auto s = ops.get(std::string("kiosk/") + (i % 2 ? "440300" : "410100") + "/" + id + "/cfg/state");
      if (!s || (*s)["outcome"] != "committed" || (*s)["active_version"] != 1) return false;
    }
    return true;
  };
  REQUIRE(wait_until(20s, all_committed));
  auto fleet_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  WARN("50 terminals committed v1 " << fleet_ms << " ms after the publish");

  for (auto& n : fleet) {
    CHECK(n.up->state().active_version == 1);
    CHECK(read_dir(n.up->current_config()) == config_v(1));
    n.tel->staff_call("help_button");
    n.tel->count("kiosk_sessions_started_total", 1, {{"item", "KS-A001"}});
    n.tel->publish_metrics_now();
  }
  auto st = ops.get("kiosk/410100/T-0000/status");
  REQUIRE(st);
  CHECK((*st)["online"] == true);
  CHECK(wait_until(5s, [&] {
    std::lock_guard lk(ops.mu);
    return ops.staff_calls == kFleet && ops.metrics >= kFleet;
  }));
  auto m = ops.get("kiosk/440300/T-0001/metrics");
  REQUIRE(m);
  CHECK(m->dump().find("kiosk_sessions_started_total") != std::string::npos);
  CHECK(m->dump().find("kiosk_config_version") != std::string::npos);

  // Idle polls after the apply are conditional GETs answered 304 by nginx.
  std::this_thread::sleep_for(1200ms);
  for (auto& n : fleet) n.up->stop();
  auto log = slurp(run / "access.log");
  auto count = [&](const std::string& needle) {
    std::size_t c = 0;
    for (auto p = log.find(needle); p != std::string::npos; p = log.find(needle, p + 1)) ++c;
    return c;
  };
  std::size_t bundle_gets = count("200 /" + published.rel.bundle_path());
  std::size_t not_modified = count("304 /stable/release.json");
  WARN("nginx: " << bundle_gets << " bundle downloads, " << not_modified << " release.json 304s");
  CHECK(bundle_gets == kFleet);  // each terminal downloads the bundle exactly once
  CHECK(not_modified >= kFleet);

  // The vanished terminal: the broker publishes its retained last will (keepalive 5 s × 1.5).
  REQUIRE(wait_until(5s, [&] { return ops.get("kiosk/410100/T-DOOMED/status").has_value(); }));
  CHECK((*ops.get("kiosk/410100/T-DOOMED/status"))["online"] == true);
  ::kill(doomed, SIGKILL);
  ::waitpid(doomed, nullptr, 0);
  CHECK(wait_until(12s, [&] { return (*ops.get("kiosk/410100/T-DOOMED/status"))["online"] == false; }));

  // A graceful stop publishes offline too.
  fleet[0].tel->stop();
  CHECK(wait_until(3s, [&] { return (*ops.get("kiosk/410100/T-0000/status"))["online"] == false; }));
  fleet.clear();
  ::close(go[0]);
  ::close(go[1]);
}
