#include "kiosk/tech/paths.hpp"

#include <filesystem>

#include "kiosk/core/config.hpp"

namespace kiosk::tech {

TechPaths resolve_paths(std::string config_dir, std::string data_dir, std::string kiosk_toml,
                        std::string platform_toml) {
  TechPaths p;
  p.config_dir = config_dir.empty() ? core::source_config_dir() : std::move(config_dir);
  p.kiosk_toml = kiosk_toml.empty() ? p.config_dir + "/kiosk.toml" : std::move(kiosk_toml);
  p.platform_toml = platform_toml.empty() ? p.config_dir + "/platform.toml" : std::move(platform_toml);
  p.technician_toml = p.config_dir + "/technician.toml";
  if (data_dir.empty()) {
    try {
      data_dir = core::load_config(p.kiosk_toml).data_dir;
    } catch (const std::exception&) {
      data_dir = "/var/lib/kiosk";
    }
  }
  p.data_dir = std::move(data_dir);
  if (std::filesystem::exists(p.technician_toml)) p.tech = load_technician_config(p.technician_toml);
  p.audit_log = p.tech.audit_log.empty() ? p.data_dir + "/tech-audit.log" : p.tech.audit_log;
  p.bindings = p.tech.bindings.empty() ? p.data_dir + "/bindings.toml" : p.tech.bindings;
  p.logs_dir = p.data_dir + "/logs";
  return p;
}

}  // namespace kiosk::tech
