// Builds a TechMode wired to the real diagnostics, discovery, bindings file, provisioning summary and
// export — what the kiosk app constructs (kiosk/app) and what `kiosk --headless` scripts drive.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "kiosk/core/strings.hpp"
#include "kiosk/tech/paths.hpp"
#include "kiosk/tech/tech_mode.hpp"

namespace kiosk::hw {
class DeviceHub;
}

namespace kiosk::tech {

struct TechWiring {
  TechPaths paths;
  bool demo = true;              // simulated devices, embedded platform simulator
  std::set<std::string> faults;  // demo faults (e2e failure paths), see DiagOptions
  std::string export_dir;        // where "export" writes (the mounted USB stick); empty: <data_dir>/export
  // The running kiosk's device workers: a check of a role a worker owns pauses that worker.
  // (A getter: the app creates its hub after the UI and technician mode.)
  std::function<hw::DeviceHub*()> hub;
  core::EventQueue* queue = nullptr;  // workers restart posting here
  std::function<void()> notify;       // a check finished (called on the check thread)
  bool settle_checks = false;         // see TechHooks::settle_checks
};

std::unique_ptr<TechMode> make_tech_mode(const TechWiring& w, const core::Clock& clock,
                                         const core::Strings& strings);

// What kiosk/app calls: paths from the kiosk config; in demo, faults from $KIOSK_TECH_FAULTS
// ("printer.paper_out,idcard.absent" — e2e failure paths); export folder from $KIOSK_TECH_EXPORT_DIR.
// With the app's hub and queue: checks pause the worker that owns their device, and a finished check
// posts core::Command{"tech.check_done"} to wake the loop (the session ignores it).
std::unique_ptr<TechMode> make_app_tech_mode(const std::string& config_dir, const std::string& data_dir,
                                             bool demo, const core::Clock& clock,
                                             const core::Strings& strings,
                                             std::function<hw::DeviceHub*()> hub = {},
                                             core::EventQueue* queue = nullptr);

}  // namespace kiosk::tech
