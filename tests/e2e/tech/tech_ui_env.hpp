// Shared by the headless technician-screen tests (each its own binary so each stays well under 30 s).
#pragma once
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "kiosk/tech/text_file.hpp"

namespace fs = std::filesystem;

namespace tech_ui {
struct Env {
  fs::path root, config, out;
  explicit Env(const std::string& name) {
    root = fs::temp_directory_path() / ("kiosk-tech-ui-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    config = root / "config";
    out = fs::path(E2E_OUT) / name;
    fs::remove_all(out);
    fs::copy(std::string(KIOSK_SOURCE_DIR) + "/config", config, fs::copy_options::recursive);
    // Set the technician PIN the way a technician does.
    std::string cmd = "printf '24681357\\n' | " + std::string(KIOSKCTL_EXE) +
                      " provision --pin --config-dir " + config.string() + " --data-dir " +
                      (root / "data").string() + " >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  ~Env() { fs::remove_all(root); }
  int run(const std::string& script, const std::string& faults = "") {
    std::string cmd = "KIOSK_CONFIG_DIR=" + config.string() +
                      " KIOSK_TECH_EXPORT_DIR=" + (root / "stick").string() +
                      (faults.empty() ? "" : " KIOSK_TECH_FAULTS=" + faults) + " " + KIOSK_BIN +
                      " --headless --log-level warn --script " + std::string(TECH_SCRIPTS) + "/" + script +
                      " --out " + out.string() + " > " + (out.string() + ".log") + " 2>&1";
    fs::create_directories(out);
    return std::system(cmd.c_str());
  }
  nlohmann::json transcript() const {
    std::ifstream in(out / "transcript.json");
    return nlohmann::json::parse(in);
  }
};
}  // namespace tech_ui
