// kioskctl config check FILE: validates a kiosk.toml (and, with --config-dir, strings and catalog).
#include <iostream>

#include "kiosk/core/catalog.hpp"
#include "kiosk/core/config.hpp"
#include "kiosk/core/strings.hpp"
#include "kiosk/tools/command_registry.hpp"

namespace kiosk::tools {
namespace {

CommandRegistrar reg("config", [](CLI::App& root) {
  auto* config = root.add_subcommand("config", "check configuration files");
  config->require_subcommand(1);
  auto* check = config->add_subcommand("check", "validate a kiosk.toml; errors name file, line and reason");
  static std::string file, dir;
  check->add_option("FILE", file, "kiosk.toml to check")->required();
  check->add_option("--config-dir", dir, "also load strings/ and catalog/ from this folder");
  check->callback([] {
    try {
      auto cfg = core::load_config(file);
      std::size_t items = 0, strings = 0;
      if (!dir.empty()) {
        core::Strings s;
        s.load_dir(dir + "/strings");
        core::Catalog c;
        c.load_dir(dir + "/catalog");
        items = c.items().size();
        strings = s.keys("zh-CN").size();
      }
      std::cout << file << ": OK (terminal " << cfg.terminal_id << ", region " << cfg.region_code << ")";
      if (!dir.empty()) std::cout << ", " << items << " items, " << strings << " zh-CN strings";
      std::cout << "\n";
    } catch (const core::ConfigLoadError& e) {
      for (auto& err : e.errors()) std::cerr << err.format() << "\n";
      exit_code() = 1;
    }
  });
});

}  // namespace
}  // namespace kiosk::tools
