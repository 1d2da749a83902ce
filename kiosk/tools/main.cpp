// kioskctl: the technician and ops command line.
#include <algorithm>
#include <iostream>

#include "kiosk/tools/command_registry.hpp"

namespace kiosk::tools {

std::vector<std::pair<std::string, CommandSetup>>& command_registry() {
  static std::vector<std::pair<std::string, CommandSetup>> registry;
  return registry;
}

int& exit_code() {
  static int code = 0;
  return code;
}

}  // namespace kiosk::tools

int main(int argc, char** argv) {
  using namespace kiosk::tools;
  CLI::App app{"kioskctl — technician and ops tool for the 自助通办 self-service terminal"};
  app.require_subcommand(1);
  auto& reg = command_registry();
  std::sort(reg.begin(), reg.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (auto& [name, setup] : reg) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "kioskctl: " << e.what() << "\n";
    return 1;
  }
  return exit_code();
}
