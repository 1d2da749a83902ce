// Fleet agent tests: bundles made from the real config/ tree (so the default health check loads real
// strings, catalog, regions and flows), published into a TestRepo, and an agent wired to them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "kiosk/core/config.hpp"
#include "kiosk/ops/agent.hpp"
#include "tests/unit/ops/ops_fixture.hpp"

namespace ops_test {

// The shipped config with a marker text appended to the English strings (valid TOML, new table).
inline FileSet real_config(const std::string& marker) {
  auto f = read_dir(kiosk::core::source_config_dir());
  f["strings/en.toml"] += "\n[ops_test]\nmarker = \"" + marker + "\"\n";
  return f;
}

// Parses as TOML (the bundle's content schema passes) but the kiosk cannot load it: a text that is a
// number. Only a health check that loads the strings like the kiosk does catches it.
inline FileSet broken_config() {
  auto f = read_dir(kiosk::core::source_config_dir());
  f["strings/en.toml"] += "\n[ops_test]\nmarker = 5\n";
  return f;
}

struct AgentProbe {
  std::atomic<bool> idle{true};
  std::mutex mu;
  std::condition_variable cv;
  std::vector<fs::path> committed;

  kiosk::ops::AgentHooks hooks() {
    kiosk::ops::AgentHooks h;
    h.between_sessions = [this] { return idle.load(); };
    h.on_committed = [this](const fs::path& dir) {
      std::lock_guard lk(mu);
      committed.push_back(dir);
      cv.notify_all();
    };
    h.now = fixed_now;
    return h;
  }
  bool wait_committed(std::size_t n, std::chrono::milliseconds limit) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, limit, [&] { return committed.size() >= n; });
  }
};

inline kiosk::ops::OpsSettings agent_settings(const TestRepo& repo, const fs::path& state_dir) {
  kiosk::ops::OpsSettings s;
  s.base_url = "http://unused.invalid/";  // enabled; tests pass their own fetcher
  s.trust_anchor = repo.anchor.string();
  s.state_dir = state_dir.string();
  s.group = "hall-a";
  return s;
}

inline std::string marker_of(const fs::path& config_dir) {
  return slurp(config_dir / "strings" / "en.toml");
}

}  // namespace ops_test
