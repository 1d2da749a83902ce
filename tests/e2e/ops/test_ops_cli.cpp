// The ops workflow through the real kioskctl binary: keys, 2-of-3 root, build the repo's config/,
// sign below and at threshold, verify, publish — then a terminal's updater applies what ops published.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "tests/unit/ops/agent_fixture.hpp"

using namespace ops_test;

namespace {
int kioskctl(const fs::path& cwd, const std::string& args) {
  std::string cmd = "cd '" + cwd.string() + "' && '" KIOSKCTL_EXE "' bundle " + args + " > out.txt 2>&1";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
}  // namespace

TEST_CASE("kioskctl bundle: keys, root, build, sign, verify, publish, then a terminal applies it",
          "[ops][cli]") {
  auto dir = temp_dir("cli");
  auto out = [&] { return slurp(dir / "out.txt"); };
  for (auto k : {"root-a", "root-b", "root-c", "rel-a", "rel-b"})
    REQUIRE(kioskctl(dir, std::string("keygen keys/") + k) == 0);
  CHECK((fs::status(dir / "keys/root-a.key").permissions() & fs::perms::others_read) == fs::perms::none);
  REQUIRE(
      kioskctl(
          dir,
          "root --version 1 --expires 2031-01-01T00:00:00Z --root-key keys/root-a.pub "
          "--root-key keys/root-b.pub --root-key keys/root-c.pub --root-threshold 2 "
          "--release-key keys/rel-a.pub --release-key keys/rel-b.pub --release-threshold 2 -o 1.root.json") ==
      0);
  REQUIRE(kioskctl(dir, "sign 1.root.json --key keys/root-a.key") == 0);
  CHECK(kioskctl(dir, "verify 1.root.json --root 1.root.json") == 1);
  CHECK_THAT(out(), Catch::Contains("below_threshold"));
  REQUIRE(kioskctl(dir, "sign 1.root.json --key keys/root-c.key") == 0);
  REQUIRE(kioskctl(dir, "verify 1.root.json --root 1.root.json") == 0);

  auto config = fs::path(KIOSK_SOURCE_DIR) / "config";
  REQUIRE(kioskctl(dir, "build '" + config.string() +
                            "' --version 7 --expires 2027-01-01T00:00:00Z --region 41 -o out") == 0);
  REQUIRE(kioskctl(dir, "sign out/release.json --key keys/rel-a.key") == 0);
  CHECK(kioskctl(dir, "publish pub --release out/release.json --bundle out/x.tar.zst") ==
        1);  // missing bundle file
  REQUIRE(kioskctl(dir, "sign out/release.json --key keys/rel-b.key") == 0);
  std::string bundle;
  for (auto& e : fs::directory_iterator(dir / "out"))
    if (e.path().extension() == ".zst") bundle = "out/" + e.path().filename().string();
  REQUIRE_FALSE(bundle.empty());
  REQUIRE(kioskctl(dir, "verify out/release.json --root 1.root.json --now 2026-06-01T00:00:00Z --bundle " +
                            bundle) == 0);
  CHECK_THAT(out(), Catch::Contains("OK bundle matches"));
  CHECK(kioskctl(dir, "verify out/release.json --root 1.root.json --now 2027-02-01T00:00:00Z") == 1);
  CHECK_THAT(out(), Catch::Contains("expired"));
  REQUIRE(kioskctl(dir, "publish pub --root 1.root.json --release out/release.json --bundle " + bundle) == 0);
  CHECK(kioskctl(dir, "diff " + bundle + " '" + config.string() + "'") == 0);
  CHECK_THAT(out(), Catch::Contains("no changes"));

  UpdaterConfig cfg;
  cfg.state_dir = dir / "terminal";
  cfg.anchor_root = dir / "1.root.json";
  cfg.factory_config = dir / "factory";
  cfg.terminal = {"T-CLI", "410105", ""};
  Updater up(cfg, std::make_shared<DirFetcher>(dir / "pub"), fixed_clock_hooks());
  up.recover();
  auto r = up.poll_once();
  INFO(r.detail);
  REQUIRE(r.outcome == Outcome::committed);
  CHECK(r.active_version == 7);
  CHECK(read_dir(up.current_config()) == read_dir(config));
  fs::remove_all(dir);
}

namespace {
int kioskctl_ops(const fs::path& cwd, const std::string& args) {
  std::string cmd = "cd '" + cwd.string() + "' && '" KIOSKCTL_EXE "' ops " + args + " > out.txt 2>&1";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
}  // namespace

TEST_CASE("kioskctl ops check validates ops.toml and health-checks a config tree", "[ops][cli]") {
  auto dir = temp_dir("cli-ops");
  auto out = [&] { return slurp(dir / "out.txt"); };
  auto config = fs::path(KIOSK_SOURCE_DIR) / "config";
  REQUIRE(kioskctl_ops(dir, "check '" + (config / "ops.toml").string() + "'") == 0);
  CHECK_THAT(out(), Catch::Contains("OK (updates disabled, telemetry disabled)"));
  spit(dir / "ops.toml", "[update]\nbase_url = \"https://cfg.example/k/\"\n\n[telemetry]\nbroker_port = 0\n");
  CHECK(kioskctl_ops(dir, "check ops.toml") == 1);
  CHECK_THAT(out(), Catch::Contains("ops.toml:5:") && Catch::Contains("broker_port"));

  REQUIRE(kioskctl_ops(dir, "check --config-dir '" + config.string() + "'") == 0);
  CHECK_THAT(out(), Catch::Contains("OK (config loads)"));
  for (auto& [p, data] : broken_config()) spit(dir / "broken" / p, data);
  CHECK(kioskctl_ops(dir, "check --config-dir broken") == 1);
  CHECK_THAT(out(), Catch::Contains("UNHEALTHY strings") && Catch::Contains("must be text"));
  fs::remove_all(dir);
}

TEST_CASE("kioskctl ops status prints the agent's state as JSON", "[ops][cli]") {
  TestRepo repo;
  auto state = repo.dir / "state";
  CHECK(kioskctl_ops(repo.dir, "status --state-dir '" + state.string() + "'") == 1);
  CHECK_THAT(slurp(repo.dir / "out.txt"), Catch::Contains("state directory not found"));

  AgentProbe probe;
  FleetAgent agent(agent_settings(repo, state), {"T-0001", "410100", "1.0"}, kiosk::core::source_config_dir(),
                   probe.hooks(), std::make_shared<DirFetcher>(repo.pub));
  repo.publish(9, real_config("nine"));
  REQUIRE(agent.poll_now().outcome == Outcome::committed);
  // Through ops.toml's [update] state_dir, as a technician would call it.
  spit(repo.dir / "ops.toml", "[update]\nstate_dir = \"" + state.string() + "\"\n");
  REQUIRE(kioskctl_ops(repo.dir, "status --settings ops.toml") == 0);
  auto j = nlohmann::json::parse(slurp(repo.dir / "out.txt"));
  CHECK(j["current"] == "slots/a");
  CHECK(j["state"]["active_version"] == 9);
  CHECK(j["agent"]["last_poll"]["outcome"] == "committed");
  CHECK(j["agent"]["restart_pending"] == true);
  CHECK(j["agent"]["terminal"] == "T-0001");
}
