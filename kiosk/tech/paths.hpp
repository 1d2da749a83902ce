// Where technician mode keeps its files, resolved once for the screens and for kioskctl.
#pragma once

#include <string>

#include "kiosk/tech/pin.hpp"

namespace kiosk::tech {

struct TechPaths {
  std::string config_dir;       // kiosk config folder (devices/, printers/, regions/, strings/)
  std::string data_dir;         // writable state (bindings, audit log, exports' temp files)
  std::string kiosk_toml;       // <config_dir>/kiosk.toml unless given
  std::string platform_toml;    // <config_dir>/platform.toml unless given
  std::string technician_toml;  // <config_dir>/technician.toml
  std::string audit_log;        // technician.toml audit_log, else <data_dir>/tech-audit.log
  std::string bindings;         // technician.toml bindings, else <data_dir>/bindings.toml
  std::string logs_dir;         // <data_dir>/logs
  TechnicianConfig tech;        // loaded technician.toml (defaults when the file is missing)
};

// Empty config_dir: core::source_config_dir(); empty data_dir: kiosk.toml's [paths] data_dir.
TechPaths resolve_paths(std::string config_dir, std::string data_dir, std::string kiosk_toml = "",
                        std::string platform_toml = "");

}  // namespace kiosk::tech
