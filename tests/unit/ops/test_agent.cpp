// ops.toml settings, the default health check and the FleetAgent against a published directory:
// poll → verify → stage → apply only between sessions → health check → commit → on_committed;
// a failed health check rolls back and is reported; telemetry buffers without a broker.
#include <catch2/catch.hpp>
#include <thread>

#include "kiosk/ops/health_check.hpp"
#include "tests/unit/ops/agent_fixture.hpp"

using namespace ops_test;
using namespace std::chrono_literals;
using kiosk::core::ConfigLoadError;

namespace {

std::string errors_of(const std::string& text) {
  try {
    parse_ops_settings(text, "ops.toml");
  } catch (const ConfigLoadError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the shipped ops.toml parses with updates and telemetry off", "[ops][agent][settings]") {
  auto s = load_ops_settings(kiosk::core::source_config_dir() + "/ops.toml");
  CHECK_FALSE(s.updates_enabled());
  CHECK_FALSE(s.telemetry_enabled());
  CHECK(s.channel == "stable");
  CHECK(s.poll_interval_s == 300);
  CHECK(s.jitter == Approx(0.3));
  CHECK(s.state_dir == "/var/lib/kiosk/ops");
  CHECK(s.trust_anchor == "/usr/share/kiosk/trust/root.json");
  CHECK(s.broker_port == 8883);
  CHECK(s.tls);
  CHECK(s.topic_prefix == "kiosk");
  CHECK(s.metrics_period_s == 60);
}

TEST_CASE("ops.toml errors name file, line and reason", "[ops][agent][settings]") {
  auto s = parse_ops_settings(
      "[update]\nbase_url = \"https://cfg.example/kiosk/\"\npoll_interval_s = 120\njitter = 0.2\ngroup = "
      "\"hall-a\"\n"
      "[telemetry]\nbroker_host = \"mqtt.example\"\nbroker_port = 1883\ntls = false\n",
      "ops.toml");
  CHECK(s.updates_enabled());
  CHECK(s.telemetry_enabled());
  CHECK(s.poll_interval_s == 120);
  CHECK(s.group == "hall-a");
  CHECK_FALSE(s.tls);

  CHECK_THAT(errors_of("[update]\nbase_url = \"ftp://x/\"\n"),
             Catch::Contains("ops.toml:2:") && Catch::Contains("http:// or https://"));
  CHECK_THAT(errors_of("[update]\npoll_interval_s = 1\n"),
             Catch::Contains("ops.toml:2:") && Catch::Contains("out of range 10..86400"));
  CHECK_THAT(errors_of("\n[telemetry]\nbroker_port = \"1883\"\n"),
             Catch::Contains("ops.toml:3:") && Catch::Contains("must be an integer"));
  CHECK_THAT(errors_of("[telemetry]\nbrokr_host = \"x\"\n"), Catch::Contains("unknown key 'brokr_host'"));
  CHECK_THAT(errors_of("[updates]\n"), Catch::Contains("unknown section [updates]"));
  CHECK_THAT(errors_of("[telemetry]\ntopic_prefix = \"a/b\"\n"), Catch::Contains("topic_prefix"));
  CHECK_THAT(errors_of("[update]\nbase_url = \n"), Catch::Contains("ops.toml:2:"));
  // Every problem is listed, not only the first.
  auto both = errors_of("[update]\njitter = 2.0\n[telemetry]\ntls = \"yes\"\n");
  CHECK_THAT(both, Catch::Contains("ops.toml:2:") && Catch::Contains("ops.toml:4:"));
}

TEST_CASE("host ops.toml beside kiosk.toml wins over the packaged one; credentials file",
          "[ops][agent][settings]") {
  auto d = temp_dir("settings");
  spit(d / "etc" / "kiosk.toml", "");
  spit(d / "share" / "ops.toml", "");
  CHECK(ops_settings_path((d / "etc" / "kiosk.toml").string(), (d / "share").string()) ==
        (d / "share" / "ops.toml").string());
  spit(d / "etc" / "ops.toml", "");
  CHECK(ops_settings_path((d / "etc" / "kiosk.toml").string(), (d / "share").string()) ==
        (d / "etc" / "ops.toml").string());
  CHECK(ops_settings_path("", (d / "none").string()).empty());

  spit(d / "mqtt.credentials", "username = \"kiosk-410100\"\npassword = \"s3cret\"\n");
  auto c = load_broker_credentials((d / "mqtt.credentials").string());
  CHECK(c.username == "kiosk-410100");
  CHECK(c.password == "s3cret");
  spit(d / "bad.credentials", "password = \"x\"\nuser = \"y\"\n");
  try {
    load_broker_credentials((d / "bad.credentials").string());
    FAIL("accepted a credentials file without username");
  } catch (const ConfigLoadError& e) {
    CHECK_THAT(std::string(e.what()),
               Catch::Contains("bad.credentials:2:") && Catch::Contains("unknown key 'user'"));
    CHECK_THAT(std::string(e.what()), Catch::Contains("username must be set"));
  }
  fs::remove_all(d);
}

TEST_CASE("the default health check loads the real config and catches what the kiosk would refuse",
          "[ops][agent][health]") {
  auto ok = default_health_check(kiosk::core::source_config_dir());
  INFO(ok.detail);
  CHECK(ok.ok);

  auto d = temp_dir("health");
  auto write_tree = [&](const FileSet& f) {
    fs::remove_all(d);
    for (auto& [p, data] : f) spit(d / p, data);
  };
  write_tree(broken_config());
  auto bad = default_health_check(d);
  CHECK_FALSE(bad.ok);
  CHECK_THAT(bad.detail, Catch::Contains("strings") && Catch::Contains("must be text"));

  auto f = real_config("x");
  f.erase("regions/gb2260.tsv");
  write_tree(f);
  auto no_regions = default_health_check(d);
  CHECK_FALSE(no_regions.ok);
  CHECK_THAT(no_regions.detail, Catch::Contains("regions"));

  f = real_config("x");
  f["ops.toml"] = "[update]\npoll_interval_s = 0\n";
  write_tree(f);
  auto bad_ops = default_health_check(d);
  CHECK_FALSE(bad_ops.ok);
  CHECK_THAT(bad_ops.detail, Catch::Contains("ops.toml:2:"));

  f = real_config("x");
  for (auto it = f.begin(); it != f.end();)
    it = it->first.starts_with("flows/") && it->first != "flows/certification.toml" ? f.erase(it)
                                                                                    : std::next(it);
  f["flows/certification.toml"] = "[flow]\nitem = \"KS-NOPE\"\n";
  write_tree(f);
  auto bad_flow = default_health_check(d);
  CHECK_FALSE(bad_flow.ok);
  CHECK_THAT(bad_flow.detail, Catch::Contains("flows"));
  fs::remove_all(d);
}

TEST_CASE("the agent applies a release only between sessions, commits and asks for a restart",
          "[ops][agent]") {
  TestRepo repo;
  AgentProbe probe;
  auto state = repo.dir / "state";
  auto fetcher = std::make_shared<DirFetcher>(repo.pub);
  const auto factory = fs::path(kiosk::core::source_config_dir());
  {
    FleetAgent agent(agent_settings(repo, state), {"T-0001", "410100", "1.0"}, factory, probe.hooks(),
                     fetcher);
    CHECK(agent.updates_enabled());
    CHECK_FALSE(agent.telemetry_enabled());
    CHECK(agent.config_dir() == factory);  // nothing applied yet: the packaged config

    repo.publish(7, real_config("seven"));
    probe.idle = false;  // a resident is being served
    auto r = agent.poll_now();
    CHECK(r.outcome == Outcome::deferred);
    CHECK(probe.committed.empty());
    CHECK_FALSE(fs::exists(state / "current"));

    probe.idle = true;
    r = agent.poll_now();
    INFO(r.detail);
    REQUIRE(r.outcome == Outcome::committed);
    REQUIRE(probe.committed.size() == 1);
    CHECK(probe.committed[0] == fs::canonical(state / "slots" / "a"));
    CHECK_THAT(marker_of(probe.committed[0]), Catch::Contains("seven"));
    CHECK(agent.restart_pending());
    // Until the restart the running process uses the old config: no further poll may stage over it.
    repo.publish(8, real_config("eight"));
    CHECK(agent.poll_now().detail == "restart pending");
    CHECK(read_agent_status(state)["state"]["active_version"] == 7);

    auto st = agent.status();
    CHECK(st["last_report"]["outcome"] == "committed");
    CHECK(st["active_version"] == 7);
  }
  // The restarted kiosk: config_dir is the resolved committed slot, stable while `current` later moves.
  FleetAgent agent(agent_settings(repo, state), {"T-0001", "410100", "1.0"}, factory, probe.hooks(), fetcher);
  CHECK(agent.config_dir() == fs::canonical(state / "slots" / "a"));
  auto r = agent.poll_now();
  REQUIRE(r.outcome == Outcome::committed);
  CHECK(r.version == 8);
  CHECK(agent.config_dir() == fs::canonical(state / "slots" / "a"));
  CHECK_THAT(marker_of(state / "current"), Catch::Contains("eight"));

  auto status = read_agent_status(state);
  CHECK(status["current"] == "slots/b");
  CHECK(status["state"]["active_version"] == 8);
  CHECK(status["agent"]["last_poll"]["outcome"] == "committed");
  CHECK(status["agent"]["restart_pending"] == true);
  CHECK(status["trusted_root"].is_null());  // still the shipped anchor
}

TEST_CASE("a release whose config the kiosk cannot load is rolled back and reported", "[ops][agent]") {
  TestRepo repo;
  AgentProbe probe;
  auto state = repo.dir / "state";
  auto fetcher = std::make_shared<DirFetcher>(repo.pub);
  const auto factory = fs::path(kiosk::core::source_config_dir());
  FleetAgent agent(agent_settings(repo, state), {"T-0001", "410100", "1.0"}, factory, probe.hooks(), fetcher);
  repo.publish(3, real_config("three"));
  REQUIRE(agent.poll_now().outcome == Outcome::committed);
  FleetAgent restarted(agent_settings(repo, state), {"T-0001", "410100", "1.0"}, factory, probe.hooks(),
                       fetcher);
  auto good = restarted.config_dir();

  repo.publish(4, broken_config());
  auto r = restarted.poll_now();
  CHECK(r.outcome == Outcome::rolled_back);
  CHECK(r.reason == "health_check");
  CHECK_THAT(r.detail, Catch::Contains("must be text"));
  CHECK(r.active_version == 3);
  CHECK(probe.committed.size() == 1);  // only v3
  CHECK_FALSE(restarted.restart_pending());
  CHECK(fs::canonical(state / "current") == good);
  CHECK_THAT(marker_of(state / "current"), Catch::Contains("three"));
  auto st = read_agent_status(state);
  CHECK(st["agent"]["last_report"]["outcome"] == "rolled_back");
  CHECK(st["agent"]["last_report"]["reason"] == "health_check");
  CHECK(st["state"]["bad"] == nlohmann::json::array({4}));
  // Never retried: the same release stays a no-op until a higher version comes.
  CHECK(restarted.poll_now().outcome == Outcome::no_change);
}

TEST_CASE("an app-supplied health check replaces the default", "[ops][agent]") {
  TestRepo repo;
  AgentProbe probe;
  auto hooks = probe.hooks();
  std::vector<fs::path> checked;
  hooks.health_check = [&](const fs::path& dir) {
    checked.push_back(dir);
    return HealthResult{false, "screen home failed to build"};
  };
  FleetAgent agent(agent_settings(repo, repo.dir / "state"), {"T-0001", "410100", "1.0"},
                   kiosk::core::source_config_dir(), hooks, std::make_shared<DirFetcher>(repo.pub));
  repo.publish(2, real_config("two"));
  auto r = agent.poll_now();
  CHECK(r.outcome == Outcome::rolled_back);
  CHECK(r.detail == "screen home failed to build");
  REQUIRE(checked.size() == 1);
  CHECK(checked[0] == repo.dir / "state" / "current");
}

TEST_CASE("the agent's background thread polls with jitter and stops after a commit", "[ops][agent]") {
  TestRepo repo;
  AgentProbe probe;
  auto s = agent_settings(repo, repo.dir / "state");
  s.poll_interval_s = 1;  // below the ops.toml minimum: tests only
  s.deferred_retry_s = 1;
  auto fetcher = std::make_shared<DirFetcher>(repo.pub);
  FleetAgent agent(s, {"T-0001", "410100", "1.0"}, kiosk::core::source_config_dir(), probe.hooks(), fetcher);
  repo.publish(11, real_config("eleven"));
  probe.idle = false;
  agent.start();
  // Deferred while a resident is served, applied within a retry after the session ends.
  std::this_thread::sleep_for(1500ms);
  CHECK(probe.committed.empty());
  CHECK(read_agent_status(repo.dir / "state")["agent"]["last_poll"]["outcome"] == "deferred");
  probe.idle = true;
  REQUIRE(probe.wait_committed(1, 10s));
  CHECK_THAT(marker_of(probe.committed[0]), Catch::Contains("eleven"));
  repo.publish(12, real_config("twelve"));
  std::this_thread::sleep_for(2500ms);  // > 2 poll intervals: a running poller would have applied v12
  CHECK(probe.committed.size() == 1);
  CHECK(read_agent_status(repo.dir / "state")["state"]["active_version"] == 11);
  agent.stop();
}

TEST_CASE("updates disabled: the packaged config is used and nothing is written", "[ops][agent]") {
  auto d = temp_dir("disabled");
  OpsSettings s;  // defaults: base_url and broker_host empty
  s.state_dir = (d / "state").string();
  FleetAgent agent(s, {"T-0001", "410100", "1.0"}, kiosk::core::source_config_dir(), {});
  CHECK_FALSE(agent.updates_enabled());
  CHECK_FALSE(agent.telemetry_enabled());
  CHECK(agent.config_dir() == kiosk::core::source_config_dir());
  agent.start();
  CHECK(agent.poll_now().outcome == Outcome::no_change);
  agent.on_staff_call("help_button");  // no-ops
  agent.on_session_end("KS-A001", "completed");
  agent.stop();
  CHECK_FALSE(fs::exists(d / "state"));
  CHECK(read_agent_status(d / "state").contains("error"));
  fs::remove_all(d);
  // A between_sessions hook is mandatory once updates are on.
  TestRepo repo;
  CHECK_THROWS_AS(FleetAgent(agent_settings(repo, repo.dir / "s"), {"T-0001", "410100", "1.0"},
                             kiosk::core::source_config_dir(), {}, std::make_shared<DirFetcher>(repo.pub)),
                  std::invalid_argument);
}

TEST_CASE("agent telemetry buffers without a broker, counts sessions and never sends bad labels",
          "[ops][agent][telemetry]") {
  TestRepo repo;
  AgentProbe probe;
  auto s = agent_settings(repo, repo.dir / "state");
  s.broker_host = "127.0.0.1";
  s.broker_port = 1;  // nothing listens there
  s.tls = false;
  s.buffer_capacity = 10;
  s.metrics_period_s = 3600;
  FleetAgent agent(s, {"T-0001", "410100", "1.0"}, kiosk::core::source_config_dir(), probe.hooks(),
                   std::make_shared<DirFetcher>(repo.pub));
  REQUIRE(agent.telemetry_enabled());
  agent.start();
  auto* t = agent.telemetry();
  CHECK_FALSE(t->connected());
  agent.on_session_start();
  agent.on_session_end("KS-A001", "completed");
  agent.on_session_end("KS-A001", "completed");
  agent.on_session_end("", "timeout");
  agent.on_session_end("410105199001011234", "completed");  // an ID number by mistake: never a label
  agent.on_identified("idcard");
  agent.on_certification(true);
  agent.on_receipt(false);
  agent.on_device_state("printer", "paper_out", "E12");
  agent.on_staff_call("help_button");
  agent.on_staff_call("张三");  // not a token: counted as "other"
  repo.publish(2, real_config("two"));
  REQUIRE(agent.poll_now().outcome == Outcome::committed);

  auto text = t->prometheus_text();
  CHECK_THAT(text, Catch::Contains("kiosk_sessions_total{item=\"KS-A001\",outcome=\"completed\"} 2"));
  CHECK_THAT(text, Catch::Contains("kiosk_sessions_total{item=\"none\",outcome=\"timeout\"} 1"));
  CHECK_THAT(text, Catch::Contains("kiosk_sessions_total{item=\"other\",outcome=\"completed\"} 1"));
  CHECK_THAT(text, Catch::Contains("kiosk_sessions_started_total 1"));
  CHECK_THAT(text, Catch::Contains("kiosk_identifications_total{method=\"idcard\"} 1"));
  CHECK_THAT(text, Catch::Contains("kiosk_certifications_total{result=\"passed\"} 1"));
  CHECK_THAT(text, Catch::Contains("kiosk_receipts_total{result=\"failed\"} 1"));
  CHECK_THAT(text, Catch::Contains("kiosk_device_up{device=\"printer\"} 0"));
  CHECK_THAT(text, Catch::Contains("kiosk_staff_calls_total 2"));
  CHECK_THAT(text, Catch::Contains("kiosk_config_updates_total{outcome=\"committed\"} 1"));
  CHECK_THAT(text, Catch::Contains("kiosk_config_version 2"));
  CHECK_THAT(text, Catch::Contains("kiosk_config_updates_enabled 1"));
  CHECK_THAT(text, !Catch::Contains("199001011234"));
  // 2 staff calls + update outcome (event + retained cfg/state) wait for the broker, bounded.
  CHECK(t->buffered() == 4);
  for (int i = 0; i < 20; ++i) agent.on_staff_call("help_button");
  CHECK(t->buffered() == 10);
  CHECK(t->dropped() == 14);
  auto st = agent.status();
  CHECK(st["telemetry"]["connected"] == false);
  CHECK(st["telemetry"]["buffered"] == 10);
  agent.stop();
}
