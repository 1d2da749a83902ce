// kiosk.toml: typed configuration with errors that name the file, line and reason.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace kiosk::core {

struct ConfigError {
  std::string file;
  int line = 0;  // 0 when the error is not tied to a line (e.g. unreadable file)
  int column = 0;
  std::string reason;
  std::string format() const;  // "file:line:column: reason"
};

class ConfigLoadError : public std::runtime_error {
 public:
  explicit ConfigLoadError(std::vector<ConfigError> errors);
  const std::vector<ConfigError>& errors() const { return errors_; }

 private:
  std::vector<ConfigError> errors_;
};

struct SessionTimeouts {
  int step_s = 60;
  int elder_step_s = 90;
  int reading_s = 90;
  int warning_s = 20;
  int max_extensions = 10;
};

struct KioskConfig {
  std::string source;  // file the config came from
  // [terminal]
  std::string terminal_id = "DEMO-0001";
  std::string hall_name = "政务服务中心";
  std::string region_code = "410100";
  // [display]
  int width_px = 1920;
  int height_px = 1080;
  double mm_per_px = 0.248;
  bool fullscreen = true;
  // [session]
  SessionTimeouts timeouts;
  // [ui]
  std::string language = "zh-CN";
  bool elder_mode_default = false;
  // [log]
  std::string log_level = "info";
  std::string log_file;
  bool log_journald = true;
  // [paths]
  std::string config_dir;
  std::string data_dir = "/var/lib/kiosk";
};

// Parses TOML text; `name` is used in error messages. Throws ConfigLoadError with every problem found.
KioskConfig parse_config(const std::string& text, const std::string& name);
KioskConfig load_config(const std::string& path);

// The config/ folder of the source tree (build-tree runs and tests).
std::string source_config_dir();

}  // namespace kiosk::core
