// kioskctl ops status|check — the terminal side of fleet updates (docs/operations.md):
//   status: the fleet agent's state from its state_dir as JSON (active/pending versions, last poll and
//           outcome, current slot, trusted root); exit 1 when the state directory does not exist.
//   check:  validates an ops.toml (file:line: reason) and/or runs the kiosk's default health check on a
//           config tree (what a terminal runs before committing a bundle; use it before publishing).
#include <iostream>

#include "kiosk/core/config.hpp"
#include "kiosk/ops/agent.hpp"
#include "kiosk/ops/health_check.hpp"
#include "kiosk/ops/settings.hpp"
#include "kiosk/tools/command_registry.hpp"

namespace kiosk::tools {
namespace {

constexpr const char* kHostKioskToml = "/etc/kiosk/kiosk.toml";
constexpr const char* kPackagedConfig = "/usr/share/kiosk/config";

CommandRegistrar reg("ops", [](CLI::App& root) {
  auto* ops = root.add_subcommand("ops", "fleet agent: update state, ops.toml and config health checks");
  ops->require_subcommand(1);

  auto* status = ops->add_subcommand("status", "print the fleet agent's state (from its state_dir) as JSON");
  static std::string state_dir, settings;
  status->add_option("--state-dir", state_dir,
                     "agent state directory (default: [update] state_dir of ops.toml)");
  status->add_option("--settings", settings,
                     "ops.toml (default: /etc/kiosk/ops.toml, else /usr/share/kiosk/config/ops.toml)");
  status->callback([] {
    try {
      std::string dir = state_dir;
      if (dir.empty()) {
        std::string path =
            settings.empty() ? ops::ops_settings_path(kHostKioskToml, kPackagedConfig) : settings;
        dir = path.empty() ? ops::OpsSettings{}.state_dir : ops::load_ops_settings(path).state_dir;
      }
      auto j = ops::read_agent_status(dir);
      std::cout << j.dump(2) << "\n";
      if (j.contains("error")) exit_code() = 1;
    } catch (const core::ConfigLoadError& e) {
      for (auto& err : e.errors()) std::cerr << err.format() << "\n";
      exit_code() = 2;
    }
  });

  auto* check = ops->add_subcommand("check", "validate ops.toml and/or health-check a config tree");
  static std::string file, config_dir;
  check->add_option("FILE", file, "ops.toml to validate");
  check->add_option("--config-dir", config_dir,
                    "config tree to load as the kiosk would (strings, catalog, flows)");
  check->callback([] {
    if (file.empty() && config_dir.empty()) {
      std::cerr << "kioskctl ops check: give an ops.toml and/or --config-dir\n";
      exit_code() = 2;
      return;
    }
    if (!file.empty()) {
      try {
        auto s = ops::load_ops_settings(file);
        std::cout << file << ": OK (updates "
                  << (s.updates_enabled() ? s.base_url + " every " + std::to_string(s.poll_interval_s) + " s"
                                          : std::string("disabled"))
                  << ", telemetry "
                  << (s.telemetry_enabled()
                          ? s.broker_host + ":" + std::to_string(s.broker_port) + (s.tls ? " TLS" : " plain")
                          : std::string("disabled"))
                  << ")\n";
      } catch (const core::ConfigLoadError& e) {
        for (auto& err : e.errors()) std::cerr << err.format() << "\n";
        exit_code() = 1;
      }
    }
    if (!config_dir.empty()) {
      auto h = ops::default_health_check(config_dir);
      if (h.ok) {
        std::cout << config_dir << ": OK (" << h.detail << ")\n";
      } else {
        std::cerr << config_dir << ": UNHEALTHY " << h.detail << "\n";
        exit_code() = 1;
      }
    }
  });
});

}  // namespace
}  // namespace kiosk::tools
