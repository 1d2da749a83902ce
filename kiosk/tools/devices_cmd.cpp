// kioskctl devices list|bind|unbind|test: discovery (libusb + serial ports) against config/devices
// profiles, one binding per role, and the role's diagnostics.
#include <filesystem>
#include <iostream>

#include "kiosk/core/clock.hpp"
#include "kiosk/core/log.hpp"
#include "kiosk/core/strings.hpp"
#include "kiosk/tech/audit.hpp"
#include "kiosk/tech/devices.hpp"
#include "kiosk/tech/diagnostics.hpp"
#include "kiosk/tech/paths.hpp"
#include "kiosk/tools/command_registry.hpp"

namespace kiosk::tools {
namespace {

struct DevArgs {
  std::string config_dir, data_dir, dev_dir = "/dev";
  bool json = false, demo = false;
  std::string role, profile, device;
  std::vector<std::string> faults;
};

void audit(const tech::TechPaths& p, const std::string& action, const std::string& detail) {
  core::SystemClock clock;
  try {
    tech::AuditLog(p.audit_log, clock).append("kioskctl", action, detail);
  } catch (const std::exception& e) {
    std::cerr << "warning: " << e.what() << "\n";
  }
}

void common(CLI::App* sub, std::string& config_dir, std::string& data_dir) {
  sub->add_option("--config-dir", config_dir, "config folder (default: the source tree's config/)");
  sub->add_option("--data-dir", data_dir, "data folder (bindings.toml, tech-audit.log, logs/)");
}

CommandRegistrar reg("devices", [](CLI::App& root) {
  static DevArgs a;
  auto* c = root.add_subcommand("devices", "find, bind and test the terminal's devices");
  c->require_subcommand(1);

  auto* list = c->add_subcommand("list", "USB devices and serial ports, matching profiles, current bindings");
  common(list, a.config_dir, a.data_dir);
  list->add_flag("--json", a.json, "machine-readable output");
  list->add_option("--dev-dir", a.dev_dir, "where serial ports are listed");
  list->callback([] {
    core::init_logging({.file = "", .console = true, .journald = false, .level = "warn"});
    auto p = tech::resolve_paths(a.config_dir, a.data_dir);
    auto profiles = tech::load_profiles(p.config_dir + "/devices");
    auto found = tech::list_usb_devices();
    auto serial = tech::list_serial_ports(a.dev_dir);
    found.insert(found.end(), serial.begin(), serial.end());
    auto matches = tech::match(profiles, found);
    auto bindings = tech::Bindings::load(p.bindings);
    nlohmann::json j = {{"profiles", nlohmann::json::array()},
                        {"found", nlohmann::json::array()},
                        {"matches", nlohmann::json::array()},
                        {"bindings", nlohmann::json::object()}};
    for (auto& pr : profiles) j["profiles"].push_back(pr.to_json());
    for (auto& f : found) j["found"].push_back(f.to_json());
    for (auto& m : matches)
      j["matches"].push_back({{"device", m.device->id()},
                              {"role", m.profile->role},
                              {"profile", m.profile->name},
                              {"file", m.profile->file},
                              {"how", m.how}});
    for (auto& [role, b] : bindings.all())
      j["bindings"][role] = {{"profile", b.profile_name}, {"file", b.profile_file}, {"device", b.device}};
    if (a.json) {
      std::cout << j.dump(2) << "\n";
      return;
    }
    std::cout << "Devices found (" << found.size() << "):\n";
    for (auto& f : found) std::cout << "  " << f.id() << "\n";
    std::cout << "Matches:\n";
    for (auto& m : matches)
      std::cout << "  " << m.device->id() << " → " << m.profile->role << " / " << m.profile->name << " ("
                << m.profile->file << ", by " << m.how << ")\n";
    if (matches.empty()) std::cout << "  none — 未检测到已知设备，请检查连线 (no known device found)\n";
    std::cout << "Bindings:\n";
    for (auto& role : tech::roles()) {
      auto* b = bindings.get(role);
      std::cout << "  " << role << ": "
                << (b ? b->profile_name + " @ " + b->device : std::string("(not bound)")) << "\n";
    }
  });

  auto* bind = c->add_subcommand("bind", "bind ROLE to PROFILE (and the device found for it)");
  common(bind, a.config_dir, a.data_dir);
  bind->add_option("ROLE", a.role, "idcard, sscard, printer, scanner, camera")->required();
  bind->add_option("PROFILE", a.profile, "profile name from config/devices (or a printer dialect file)")
      ->required();
  bind->add_option("--device", a.device,
                   "device id or path (default: the first found device matching the profile)");
  bind->callback([] {
    core::init_logging({.file = "", .console = true, .journald = false, .level = "warn"});
    auto p = tech::resolve_paths(a.config_dir, a.data_dir);
    auto profiles = tech::load_profiles(p.config_dir + "/devices");
    const tech::DeviceProfile* prof = nullptr;
    // PROFILE or FILE:PROFILE when two files use the same name; the first file (sorted) wins otherwise.
    auto colon = a.profile.find(':');
    std::string want_file = colon == std::string::npos ? "" : a.profile.substr(0, colon);
    std::string want_name = colon == std::string::npos ? a.profile : a.profile.substr(colon + 1);
    for (auto& pr : profiles)
      if (!prof && pr.role == a.role && pr.name == want_name && (want_file.empty() || pr.file == want_file))
        prof = &pr;
    tech::Binding b;
    b.role = a.role;
    b.profile_name = want_name;
    b.bound_at = static_cast<std::int64_t>(std::time(nullptr));
    if (prof) {
      b.profile_file = prof->file;
      b.device = a.device;
      if (b.device.empty() && (prof->transport == "sim" || prof->transport == "demo")) b.device = "sim";
      if (b.device.empty()) {
        auto found = tech::list_usb_devices();
        auto serial = tech::list_serial_ports();
        found.insert(found.end(), serial.begin(), serial.end());
        std::vector<tech::DeviceProfile> one{*prof};
        auto ms = tech::match(one, found);
        if (ms.empty())
          throw std::runtime_error("no connected device matches profile " + a.profile +
                                   " (give --device to bind anyway)");
        b.device = ms.front().device->id();
      }
    } else if (a.role == "printer" &&
               std::filesystem::exists(p.config_dir + "/printers/" + a.profile + ".toml")) {
      b.profile_file = a.profile + ".toml";  // printers bind a dialect; the device is the USB printer class
      b.device = a.device;
    } else {
      throw std::runtime_error("no " + a.role + " profile named " + a.profile + " in " + p.config_dir +
                               "/devices");
    }
    auto bindings = tech::Bindings::load(p.bindings);
    bindings.bind(b);
    bindings.save(p.bindings);
    audit(p, "bind", a.role + " -> " + a.profile + " @ " + b.device);
    std::cout << a.role << " bound to " << a.profile << " @ " << (b.device.empty() ? "(any)" : b.device)
              << " in " << p.bindings << "\n";
  });

  auto* unbind = c->add_subcommand("unbind", "remove ROLE's binding");
  common(unbind, a.config_dir, a.data_dir);
  unbind->add_option("ROLE", a.role, "role")->required();
  unbind->callback([] {
    core::init_logging({.file = "", .console = true, .journald = false, .level = "warn"});
    auto p = tech::resolve_paths(a.config_dir, a.data_dir);
    auto bindings = tech::Bindings::load(p.bindings);
    if (!bindings.unbind(a.role)) throw std::runtime_error(a.role + " is not bound");
    bindings.save(p.bindings);
    audit(p, "unbind", a.role);
    std::cout << a.role << " unbound\n";
  });

  auto* test =
      c->add_subcommand("test", "run ROLE's diagnostics with its binding (or the simulator with --demo)");
  common(test, a.config_dir, a.data_dir);
  test->add_option("ROLE", a.role, "idcard, sscard, printer, scanner, camera")->required();
  test->add_flag("--demo", a.demo, "the simulated device");
  test->add_option("--fault", a.faults, "demo fault (e.g. printer.paper_out)");
  test->add_flag("--json", a.json, "machine-readable output");
  test->callback([] {
    core::init_logging({.file = "", .console = true, .journald = false, .level = "warn"});
    auto p = tech::resolve_paths(a.config_dir, a.data_dir);
    core::Strings strings;
    strings.load_dir(p.config_dir + "/strings");
    tech::DiagOptions o;
    o.config_dir = p.config_dir;
    o.data_dir = p.data_dir;
    o.platform_toml = p.platform_toml;
    o.demo = a.demo;
    o.faults = {a.faults.begin(), a.faults.end()};
    o.bindings = tech::Bindings::load(p.bindings);
    auto ids = tech::Diagnostics::checks_for(a.role);
    if (ids.empty()) throw std::runtime_error("unknown role " + a.role);
    tech::Diagnostics d(o, &strings);
    std::vector<tech::CheckResult> rs;
    for (auto& id : ids) rs.push_back(d.run(id));
    auto report = tech::report_json(rs);
    audit(p, "test", a.role + (report["ok"].get<bool>() ? " ok" : " fault"));
    if (a.json) {
      std::cout << report.dump(2) << "\n";
    } else {
      for (auto& r : rs)
        std::cout << r.id << ": " << tech::to_string(r.status) << " — " << r.detail << "\n  " << r.advice_zh
                  << " / " << r.advice_en << "\n";
    }
    if (!report["ok"].get<bool>()) exit_code() = 1;
  });
});

}  // namespace
}  // namespace kiosk::tools
