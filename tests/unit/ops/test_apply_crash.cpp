// kill -9 at every durable step of an apply (in a child process): the terminal always has either
// the old or the new config, never a mix, before and after recover().
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/unit/ops/ops_fixture.hpp"

using namespace ops_test;

TEST_CASE("kill -9 at any point of an apply leaves the old or the new config", "[ops][updater][crash]") {
  TestRepo repo;
  auto v1 = config_v(1), v2 = config_v(2);
  v2["flows/extra.toml"] = "[flow]\nsteps = [\"identify\", \"certify\"]\n";
  repo.publish(1, v1);
  auto pub1 = repo.dir / "pub1";
  fs::copy(repo.pub, pub1, fs::copy_options::recursive);
  repo.publish(2, v2);

  int killed_runs = 0;
  bool completed = false;
  std::set<int> seen_versions;
  for (int k = 0; k < 64 && !completed; ++k) {
    auto state = repo.dir / ("crash-" + std::to_string(k));
    {
      Updater u(repo.updater_config(state), std::make_shared<DirFetcher>(pub1), fixed_clock_hooks());
      u.recover();
      REQUIRE(u.poll_once().outcome == Outcome::committed);
    }
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int n = 0;
      auto h = fixed_clock_hooks();
      auto kill_point = [&] {
        if (n++ == k) ::raise(SIGKILL);
      };
      h.on_step = [&](std::string_view) { kill_point(); };
      h.health_check = [&](const fs::path&) {
        kill_point();  // also die while the new config is being checked
        return HealthResult{true, ""};
      };
      try {
        Updater u(repo.updater_config(state), std::make_shared<DirFetcher>(repo.pub), h);
        auto r = u.poll_once();
        ::_exit(r.outcome == Outcome::committed ? 0 : 3);
      } catch (...) {
        ::_exit(4);
      }
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    if (WIFEXITED(status)) {
      REQUIRE(WEXITSTATUS(status) == 0);
      completed = true;
    } else {
      REQUIRE(WIFSIGNALED(status));
      REQUIRE(WTERMSIG(status) == SIGKILL);
      ++killed_runs;
    }
    INFO("killed at step " << k);
    Updater after(repo.updater_config(state), std::make_shared<DirFetcher>(repo.pub), fixed_clock_hooks());
    auto before_recover = read_dir(after.current_config());
    CHECK((before_recover == v1 || before_recover == v2));
    after.recover();
    auto content = read_dir(after.current_config());
    auto st = after.state();
    REQUIRE((content == v1 || content == v2));
    CHECK(st.active_version == (content == v1 ? 1u : 2u));
    CHECK(st.pending_version == 0);
    seen_versions.insert(static_cast<int>(st.active_version));
    // The terminal converges: the next poll applies v2 (or finds it already applied).
    auto r = after.poll_once();
    CHECK((r.outcome == Outcome::committed || r.outcome == Outcome::no_change));
    CHECK(read_dir(after.current_config()) == v2);
  }
  CHECK(completed);
  CHECK(killed_runs >= 12);  // verified, downloaded, 6 files, slot steps, pending, switched, health…
  CHECK(seen_versions.count(1) == 1);
}
