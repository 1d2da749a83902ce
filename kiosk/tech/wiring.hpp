// Builds a TechMode wired to the real diagnostics, discovery, bindings file, provisioning summary and
// export — what the kiosk app constructs (kiosk/app) and what `kiosk --headless` scripts drive.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "kiosk/core/strings.hpp"
#include "kiosk/tech/paths.hpp"
#include "kiosk/tech/tech_mode.hpp"

namespace kiosk::tech {

struct TechWiring {
  TechPaths paths;
  bool demo = true;              // simulated devices, embedded platform simulator
  std::set<std::string> faults;  // demo faults (e2e failure paths), see DiagOptions
  std::string export_dir;        // where "export" writes (the mounted USB stick); empty: <data_dir>/export
};

std::unique_ptr<TechMode> make_tech_mode(const TechWiring& w, const core::Clock& clock,
                                         const core::Strings& strings);

// What kiosk/app calls: paths from the kiosk config; in demo, faults from $KIOSK_TECH_FAULTS
// ("printer.paper_out,idcard.absent" — e2e failure paths); export folder from $KIOSK_TECH_EXPORT_DIR.
std::unique_ptr<TechMode> make_app_tech_mode(const std::string& config_dir, const std::string& data_dir,
                                             bool demo, const core::Clock& clock,
                                             const core::Strings& strings);

}  // namespace kiosk::tech
