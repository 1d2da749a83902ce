// The FleetAgent as the kiosk runs it, against real servers on loopback: nginx serves the published
// bundles, mosquitto is the broker. One publish → the agent polls over HTTP, verifies, stages, applies
// between sessions, runs the default health check on the real config, commits and asks for a restart;
// ops sees the retained online status, the outcome, metrics and a staff call buffered before the
// connection. After the restart a bundle the kiosk cannot load is rolled back and ops sees why.
#include <catch2/catch.hpp>

#include "tests/e2e/ops/loopback_servers.hpp"
#include "tests/unit/ops/agent_fixture.hpp"

using namespace ops_test;

namespace {

OpsSettings e2e_settings(const TestRepo& repo, const LoopbackServers& srv) {
  auto s = agent_settings(repo, repo.dir / "state");
  s.base_url = srv.base_url();
  s.poll_interval_s = 1;  // below the ops.toml minimum: tests only
  s.deferred_retry_s = 1;
  s.broker_host = "127.0.0.1";
  s.broker_port = srv.mqtt_port;
  s.tls = false;
  s.metrics_period_s = 1;
  s.keepalive_s = 5;
  return s;
}

}  // namespace

TEST_CASE("the fleet agent updates from nginx and reports over mosquitto", "[ops][agent][e2e]") {
  mosquitto_lib_init();
  TestRepo repo;
  LoopbackServers srv(repo.pub, repo.dir / "run");
  Observer ops(srv.mqtt_port);
  const std::string t = "kiosk/410100/T-AGENT/";
  const auto factory = fs::path(kiosk::core::source_config_dir());
  AgentProbe probe;
  fs::path committed_dir;
  {
    FleetAgent agent(e2e_settings(repo, srv), {"T-AGENT", "410100", "1.2.3"}, factory, probe.hooks());
    REQUIRE(agent.updates_enabled());
    REQUIRE(agent.telemetry_enabled());
    CHECK(agent.config_dir() == factory);
    agent.on_staff_call("paper_jam");  // before any connection: buffered, delivered on connect
    CHECK(agent.telemetry()->buffered() == 1);
    probe.idle = false;  // a resident is at the terminal while the release arrives
    auto published = repo.publish(5, real_config("five"));
    agent.start();

    REQUIRE(wait_until(5s, [&] {
      auto s = ops.get(t + "status");
      return s && (*s)["online"] == true;
    }));
    CHECK((*ops.get(t + "status"))["app_version"] == "1.2.3");
    REQUIRE(wait_until(5s, [&] {
      std::lock_guard lk(ops.mu);
      return ops.staff_calls == 1;
    }));
    REQUIRE(wait_until(5s, [&] {
      auto s = ops.get(t + "cfg/state");
      return s && (*s)["outcome"] == "deferred";
    }));
    CHECK(probe.committed.empty());

    probe.idle = true;  // back on the home screen
    REQUIRE(probe.wait_committed(1, 10s));
    committed_dir = probe.committed[0];
    CHECK_THAT(marker_of(committed_dir), Catch::Contains("five"));
    REQUIRE(wait_until(5s, [&] {
      auto s = ops.get(t + "cfg/state");
      return s && (*s)["outcome"] == "committed" && (*s)["active_version"] == 5;
    }));

    agent.on_session_start();
    agent.on_session_end("KS-A001", "completed");
    agent.on_device_state("printer", "ok");
    REQUIRE(wait_until(5s, [&] {
      auto m = ops.get(t + "metrics");
      return m && m->dump().find("kiosk_sessions_total") != std::string::npos;
    }));
    auto m = ops.get(t + "metrics")->dump();
    CHECK_THAT(m, Catch::Contains("kiosk_config_version") && Catch::Contains("kiosk_config_updates_total"));
    CHECK_THAT(m, Catch::Contains("\"printer\""));
    // Fetched once over HTTP; the agent stopped polling after the commit (restart pending).
    CHECK(srv.count_in_access_log("200 /" + published.rel.bundle_path()) == 1);
    auto polls = srv.count_in_access_log("/stable/release.json");
    std::this_thread::sleep_for(2500ms);
    CHECK(srv.count_in_access_log("/stable/release.json") == polls);
    CHECK(agent.restart_pending());
  }
  // The agent's destructor said goodbye: offline, retained.
  REQUIRE(wait_until(3s, [&] { return (*ops.get(t + "status"))["online"] == false; }));

  // systemd restarts the kiosk; it loads the committed slot and reports it as online.
  FleetAgent agent(e2e_settings(repo, srv), {"T-AGENT", "410100", "1.2.3"}, factory, probe.hooks());
  CHECK(agent.config_dir() == committed_dir);
  agent.start();
  REQUIRE(wait_until(5s, [&] {
    auto s = ops.get(t + "status");
    return s && (*s)["online"] == true && (*s)["config_version"] == 5;
  }));
  repo.publish(6, broken_config());
  REQUIRE(wait_until(10s, [&] {
    auto s = ops.get(t + "cfg/state");
    return s && (*s)["outcome"] == "rolled_back";
  }));
  auto s = *ops.get(t + "cfg/state");
  CHECK(s["version"] == 6);
  CHECK(s["active_version"] == 5);
  CHECK(s["reason"] == "health_check");
  CHECK_THAT(s["detail"].get<std::string>(), Catch::Contains("must be text"));
  CHECK(probe.committed.size() == 1);
  CHECK_FALSE(agent.restart_pending());
  CHECK(fs::canonical(repo.dir / "state" / "current") == committed_dir);
  agent.stop();
}

TEST_CASE("agent telemetry over MQTT/TLS with a credentials file; a wrong password stays buffered",
          "[ops][agent][e2e][tls]") {
  if (!fs::exists("/usr/bin/openssl") || !fs::exists("/usr/bin/mosquitto_passwd")) {
    WARN("openssl or mosquitto_passwd missing (scripts/install-deps.sh): TLS test skipped");
    return;
  }
  mosquitto_lib_init();
  TestRepo repo;
  auto run = repo.dir / "tls";
  fs::create_directories(run);
  auto sh = [&](const std::string& cmd) {
    return std::system(("cd '" + run.string() + "' && " + cmd).c_str());
  };
  // Throwaway self-signed certificate for 127.0.0.1 (the client checks the name against the SAN).
  REQUIRE(sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
             "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem "
             ">openssl.log 2>&1") == 0);
  REQUIRE(sh("touch pw && chmod 0600 pw && mosquitto_passwd -b pw kiosk-410100 s3cret >/dev/null 2>&1") == 0);
  const int plain = free_port(), tls = free_port();
  // "user root": started as root (CI), mosquitto would otherwise drop to a user that cannot read pw/key.
  std::string conf = "per_listener_settings true\npersistence false\nuser root\n";
  conf += "listener " + std::to_string(plain) + " 127.0.0.1\nallow_anonymous true\n";
  conf += "listener " + std::to_string(tls) + " 127.0.0.1\nallow_anonymous false\n";
  conf += "password_file " + (run / "pw").string() + "\n";
  conf += "certfile " + (run / "cert.pem").string() + "\nkeyfile " + (run / "key.pem").string() + "\n";
  spit(run / "mosquitto.conf", conf);
  Server broker({"/usr/sbin/mosquitto", "-c", (run / "mosquitto.conf").string()}, run / "mosquitto.log");
  REQUIRE(wait_until(5s, [&] { return port_open(plain) && port_open(tls); }));
  Observer ops(plain);  // ops watches on the plain listener; the terminal speaks TLS

  auto settings = [&](const std::string& creds_file) {
    OpsSettings s;  // telemetry only
    s.broker_host = "127.0.0.1";
    s.broker_port = tls;
    s.tls = true;
    s.tls_ca_file = (run / "cert.pem").string();
    s.credentials_file = creds_file;
    s.metrics_period_s = 3600;
    return s;
  };
  spit(run / "good.credentials", "username = \"kiosk-410100\"\npassword = \"s3cret\"\n");
  spit(run / "bad.credentials", "username = \"kiosk-410100\"\npassword = \"wrong\"\n");
  {
    FleetAgent agent(settings((run / "bad.credentials").string()), {"T-BADPW", "410100", "1.0"},
                     kiosk::core::source_config_dir(), {});
    agent.start();
    agent.on_staff_call("help_button");
    std::this_thread::sleep_for(1500ms);
    CHECK_FALSE(agent.telemetry()->connected());
    CHECK(agent.telemetry()->buffered() == 1);
    CHECK_FALSE(ops.get("kiosk/410100/T-BADPW/status").has_value());
  }
  FleetAgent agent(settings((run / "good.credentials").string()), {"T-TLS", "410100", "1.0"},
                   kiosk::core::source_config_dir(), {});
  agent.start();
  agent.on_staff_call("help_button");
  REQUIRE(wait_until(5s, [&] {
    auto s = ops.get("kiosk/410100/T-TLS/status");
    return s && (*s)["online"] == true;
  }));
  CHECK(agent.telemetry()->connected());
  CHECK(wait_until(3s, [&] {
    std::lock_guard lk(ops.mu);
    return ops.staff_calls == 1;
  }));
  agent.stop();
}
