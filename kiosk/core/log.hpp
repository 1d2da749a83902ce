// Logging: spdlog everywhere, through sinks wrapped by a scrubbing sink so that even a mistaken
// log of a raw ID number comes out masked. Callers still pass only masked values (mask.hpp).
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace kiosk::core {

struct LogOptions {
  std::string file;       // empty: no file sink
  bool console = true;    // stderr
  bool journald = false;  // systemd journal (production)
  std::string level = "info";
};

// Installs the default logger "kiosk". Safe to call more than once (replaces the previous one).
void init_logging(const LogOptions& opts);
void flush_logs();

}  // namespace kiosk::core
