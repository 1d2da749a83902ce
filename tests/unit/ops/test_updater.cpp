// Updater against a published directory: every attack is rejected with its reason and the running
// config stays; health-check failure rolls back; deferral waits for the end of the session.
#include <catch2/catch.hpp>

#include "tests/unit/ops/ops_fixture.hpp"

using namespace ops_test;

namespace {

struct CountingFetcher : DirFetcher {
  using DirFetcher::DirFetcher;
  int bundle_fetches = 0;
  FetchResult fetch(const std::string& path, const std::string& etag, std::size_t max) override {
    if (path.starts_with("bundles/")) ++bundle_fetches;
    return DirFetcher::fetch(path, etag, max);
  }
};

struct Terminal {
  fs::path state;
  std::shared_ptr<CountingFetcher> fetcher;
  std::vector<UpdateReport> reports;
  bool idle = true;
  bool healthy = true;
  std::unique_ptr<Updater> up;

  explicit Terminal(TestRepo& repo, std::string region = "410100") : state(repo.dir / ("state-" + region)) {
    fetcher = std::make_shared<CountingFetcher>(repo.pub);
    auto h = fixed_clock_hooks();
    h.between_sessions = [this] { return idle; };
    h.health_check = [this](const fs::path& dir) {
      // Stand-in for "config loads, screens build": the settings must parse and be present.
      if (!fs::exists(dir / "settings.toml")) return HealthResult{false, "settings missing"};
      return healthy ? HealthResult{true, ""} : HealthResult{false, "screen home failed to build"};
    };
    h.report = [this](const UpdateReport& r) { reports.push_back(r); };
    up = std::make_unique<Updater>(repo.updater_config(state, "T-0001", region), fetcher, h);
    up->recover();
  }
  FileSet current() { return read_dir(up->current_config()); }
};

}  // namespace

TEST_CASE("a valid release is applied and a re-poll is a no-op", "[ops][updater]") {
  TestRepo repo;
  Terminal t(repo);
  auto r0 = t.up->poll_once();
  CHECK(r0.outcome == Outcome::no_change);  // nothing published yet
  repo.publish(1, config_v(1));
  auto r = t.up->poll_once();
  REQUIRE(r.outcome == Outcome::committed);
  CHECK(r.active_version == 1);
  CHECK(t.current() == config_v(1));
  CHECK(t.up->poll_once().outcome == Outcome::no_change);
  repo.publish(2, config_v(2));
  CHECK(t.up->poll_once().outcome == Outcome::committed);
  CHECK(t.current() == config_v(2));
  CHECK(t.up->state().active_slot == "b");
  REQUIRE(t.reports.size() == 2);
  CHECK(t.reports[1].version == 2);
}

TEST_CASE("bad releases are rejected with a clear reason and the running config stays", "[ops][updater]") {
  TestRepo repo;
  Terminal t(repo);
  repo.publish(5, config_v(5));
  REQUIRE(t.up->poll_once().outcome == Outcome::committed);

  auto expect_rejected = [&](const std::string& reason, const std::string& words) {
    auto r = t.up->poll_once();
    INFO(r.detail);
    CHECK(r.outcome == Outcome::rejected);
    CHECK(r.reason == reason);
    CHECK_THAT(r.detail, Catch::Contains(words));
    CHECK(r.active_version == 5);
    CHECK(t.up->state().active_version == 5);
    CHECK(t.current() == config_v(5));
  };

  SECTION("unsigned") {
    auto b = repo.build(6, config_v(6));
    b.env.signatures.clear();
    repo.publish_raw(b);
    expect_rejected("unsigned", "no signature");
  }
  SECTION("wrongly signed: key not in root") {
    auto k1 = generate_key(), k2 = generate_key();
    repo.publish_raw(repo.build(6, config_v(6), {&k1, &k2}));
    expect_rejected("unknown_key", "not trusted");
  }
  SECTION("wrongly signed: payload altered after signing") {
    auto b = repo.build(6, config_v(6));
    auto pos = b.env.signed_text.find("\"version\": 6");
    b.env.signed_text.replace(pos, 12, "\"version\": 7");
    repo.publish_raw(b);
    expect_rejected("bad_signature", "does not verify");
  }
  SECTION("below threshold") {
    repo.publish_raw(repo.build(6, config_v(6), {&repo.rel_keys[2]}));
    expect_rejected("below_threshold", "1 of 2");
  }
  SECTION("older version") {
    repo.publish_raw(repo.build(4, config_v(4)));
    expect_rejected("older_version", "older than v5");
  }
  SECTION("expired") {
    repo.publish_raw(repo.build(6, config_v(6), {}, "2026-05-31T00:00:00Z"));
    expect_rejected("expired", "expired at 2026-05-31T00:00:00Z");
  }
  SECTION("truncated bundle") {
    auto b = repo.build(6, config_v(6));
    repo.publish_raw(b);
    auto p = repo.pub / b.rel.bundle_path();
    spit(p, b.bundle.substr(0, b.bundle.size() - 40));
    expect_rejected("truncated", "bytes");
  }
  SECTION("hash mismatch of the bundle") {
    auto b = repo.build(6, config_v(6));
    b.bundle[b.bundle.size() / 2] ^= 0x5a;
    repo.publish_raw(b);
    expect_rejected("hash_mismatch", "sha256");
  }
  SECTION("hash mismatch of a file inside a consistent bundle") {
    auto b = repo.build(6, config_v(6));
    auto other = config_v(6);
    other["strings/zh-CN.toml"] = "[home]\nprompt = \"篡改\"\n";
    b.bundle = build_tar_zst(other);
    b.rel.bundle = {sha256_hex(b.bundle), b.bundle.size()};  // bundle hash re-signed, file hash not
    b.env = TestRepo::sign_env(release_json(b.rel), {&repo.rel_keys[0], &repo.rel_keys[1]});
    repo.publish_raw(b);
    expect_rejected("hash_mismatch", "strings/zh-CN.toml");
  }
  SECTION("oversized bundle (endless data)") {
    auto b = repo.build(6, config_v(6));
    repo.publish_raw(b);
    spit(repo.pub / b.rel.bundle_path(), b.bundle + std::string(100, 'x'));
    expect_rejected("too_large", "exceeds");
  }
  SECTION("content fails the schema") {
    auto bad = config_v(6);
    bad["settings.toml"] = "[session\n";
    repo.publish_raw(repo.build(6, bad));
    expect_rejected("schema", "settings.toml");
  }
  SECTION("garbage metadata") {
    spit(repo.pub / "stable" / "release.json", "<html>502 Bad Gateway</html>");
    expect_rejected("malformed", "not valid JSON");
  }
}

TEST_CASE("a failed health check rolls back and the version is never retried", "[ops][updater]") {
  TestRepo repo;
  Terminal t(repo);
  repo.publish(1, config_v(1));
  REQUIRE(t.up->poll_once().outcome == Outcome::committed);
  t.healthy = false;
  repo.publish(2, config_v(2));
  auto r = t.up->poll_once();
  CHECK(r.outcome == Outcome::rolled_back);
  CHECK(r.reason == "health_check");
  CHECK(r.detail == "screen home failed to build");
  CHECK(r.active_version == 1);
  CHECK(t.current() == config_v(1));
  CHECK(t.up->state().bad.count(2) == 1);
  t.healthy = true;
  auto again = t.up->poll_once();
  CHECK(again.outcome == Outcome::no_change);
  CHECK(again.reason == "known_bad");
  CHECK(t.current() == config_v(1));
  // Ops "rollback" = publish a higher version; it applies normally.
  repo.publish(3, config_v(3));
  CHECK(t.up->poll_once().outcome == Outcome::committed);
  CHECK(t.current() == config_v(3));
}

TEST_CASE("apply waits for the end of the resident session without downloading twice", "[ops][updater]") {
  TestRepo repo;
  Terminal t(repo);
  repo.publish(1, config_v(1));
  t.idle = false;
  auto r = t.up->poll_once();
  CHECK(r.outcome == Outcome::deferred);
  CHECK(t.up->current_config() == repo.dir / "factory");
  CHECK(t.up->poll_once().outcome == Outcome::deferred);
  t.idle = true;
  CHECK(t.up->poll_once().outcome == Outcome::committed);
  CHECK(t.fetcher->bundle_fetches == 1);
  CHECK(t.current() == config_v(1));
}

TEST_CASE("root rotation is followed and old release keys stop working", "[ops][updater]") {
  TestRepo repo;
  Terminal t(repo);
  repo.publish(1, config_v(1));
  REQUIRE(t.up->poll_once().outcome == Outcome::committed);
  SecretKey nk[3] = {generate_key(), generate_key(), generate_key()};
  SecretKey nrel[3] = {generate_key(), generate_key(), generate_key()};
  auto r2 = TestRepo::make_root(2, nk, nrel);
  publish_root(repo.pub, envelope_text(TestRepo::sign_env(
                             root_json(r2), {&repo.root_keys[0], &repo.root_keys[1], &nk[0], &nk[2]})));
  repo.publish_raw(repo.build(2, config_v(2)));  // still signed by the retired release keys
  auto r = t.up->poll_once();
  CHECK(r.outcome == Outcome::rejected);
  CHECK(r.reason == "unknown_key");
  CHECK(t.up->state().root_version == 2);
  repo.publish(3, config_v(3), {&nrel[0], &nrel[1]});
  CHECK(t.up->poll_once().outcome == Outcome::committed);
  CHECK(t.current() == config_v(3));
}

TEST_CASE("a root signed only by new keys is refused", "[ops][updater]") {
  TestRepo repo;
  Terminal t(repo);
  SecretKey nk[3] = {generate_key(), generate_key(), generate_key()};
  SecretKey nrel[3] = {generate_key(), generate_key(), generate_key()};
  publish_root(repo.pub, envelope_text(TestRepo::sign_env(root_json(TestRepo::make_root(2, nk, nrel)),
                                                          {&nk[0], &nk[1]})));
  repo.publish(1, config_v(1), {&nrel[0], &nrel[1]});
  auto r = t.up->poll_once();
  CHECK(r.outcome == Outcome::rejected);
  CHECK_THAT(r.detail, Catch::Contains("root v2 (old keys)"));
  CHECK(t.up->current_config() == repo.dir / "factory");
}

TEST_CASE("releases outside the terminal's region are not applied", "[ops][updater]") {
  TestRepo repo;
  Terminal henan(repo, "410100"), guangdong(repo, "440100");
  auto b = repo.build(1, config_v(1));
  b.rel.targets.regions = {"44"};
  b.env = TestRepo::sign_env(release_json(b.rel), {&repo.rel_keys[0], &repo.rel_keys[1]});
  publish_release(repo.pub, envelope_text(b.env), b.bundle);
  auto r = henan.up->poll_once();
  CHECK(r.outcome == Outcome::not_eligible);
  CHECK(r.detail == "region 410100 not targeted");
  CHECK(guangdong.up->poll_once().outcome == Outcome::committed);
}

TEST_CASE("a clock set backwards cannot revive an expired release", "[ops][updater]") {
  TestRepo repo;
  auto clock = fixed_now();
  auto h = fixed_clock_hooks();
  h.now = [&] { return clock; };
  Updater up(repo.updater_config(repo.dir / "clock"), std::make_shared<DirFetcher>(repo.pub), h);
  up.recover();
  repo.publish(1, config_v(1));
  REQUIRE(up.poll_once().outcome == Outcome::committed);
  // An old release (v2, expired in March 2026) is replayed and the terminal's clock jumps back to 2025.
  repo.publish_raw(repo.build(2, config_v(2), {}, "2026-03-01T00:00:00Z"));
  clock = parse_time("2025-01-01T00:00:00Z");
  auto r = up.poll_once();
  CHECK(r.outcome == Outcome::rejected);
  CHECK(r.reason == "expired");
  CHECK(read_dir(up.current_config()) == config_v(1));
  // The floor survives a restart.
  Updater again(repo.updater_config(repo.dir / "clock"), std::make_shared<DirFetcher>(repo.pub), h);
  CHECK(again.poll_once().reason == "expired");
}
