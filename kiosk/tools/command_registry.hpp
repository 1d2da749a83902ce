// kioskctl subcommands register themselves: each *_cmd.cpp in this folder defines a static
// CommandRegistrar, so adding a command never edits a shared list.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace kiosk::tools {

using CommandSetup = std::function<void(CLI::App& root)>;

std::vector<std::pair<std::string, CommandSetup>>& command_registry();

struct CommandRegistrar {
  CommandRegistrar(std::string name, CommandSetup setup) {
    command_registry().emplace_back(std::move(name), std::move(setup));
  }
};

// Exit code a subcommand callback requests; the callbacks set it (0 by default).
int& exit_code();

}  // namespace kiosk::tools
