#include "kiosk/tech/wiring.hpp"

#include <filesystem>
#include <thread>

#include "kiosk/core/config.hpp"
#include "kiosk/hw/device_hub.hpp"
#include "kiosk/platform/client.hpp"
#include "kiosk/tech/diagnostics.hpp"
#include "kiosk/tech/export.hpp"
#include "kiosk/tech/provision.hpp"

namespace kiosk::tech {

std::unique_ptr<TechMode> make_tech_mode(const TechWiring& w, const core::Clock& clock,
                                         const core::Strings& strings) {
  auto audit = std::make_shared<AuditLog>(w.paths.audit_log, clock);
  TechHooks h;
  h.check_ids = Diagnostics::check_ids();
  h.pin_state = w.paths.data_dir + "/tech-pin-state";
  const core::Strings* sp = &strings;
  h.run_check = [w, sp](const std::string& id) {
    DiagOptions o;
    o.config_dir = w.paths.config_dir;
    o.data_dir = w.paths.data_dir;
    o.platform_toml = w.paths.platform_toml;
    o.demo = w.demo;
    o.faults = w.faults;
    o.bindings = Bindings::load(w.paths.bindings);
    o.device_timeout = std::chrono::milliseconds(3000);
    // Demo fault "diag.slow": every check takes 1.5 s longer (to watch the progress state).
    if (w.demo && w.faults.count("diag.slow")) std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return Diagnostics(o, sp).run(id);
  };
  h.list_matches = [w] {
    auto profiles = load_profiles(w.paths.config_dir + "/devices");
    std::vector<std::vector<std::string>> rows;
    if (w.demo) {  // the simulators stand in for plugged devices
      for (auto& p : profiles)
        if (p.transport == "sim" || p.transport == "demo")
          rows.push_back({p.role, p.name, "sim", "demo", p.file});
      return rows;
    }
    auto found = list_usb_devices();
    auto serial = list_serial_ports();
    found.insert(found.end(), serial.begin(), serial.end());
    for (auto& m : match(profiles, found))
      rows.push_back({m.profile->role, m.profile->name, m.device->id(), m.how, m.profile->file});
    return rows;
  };
  h.load_bindings = [w] { return Bindings::load(w.paths.bindings); };
  h.save_binding = [w](const Binding& b) {
    auto all = Bindings::load(w.paths.bindings);
    all.bind(b);
    all.save(w.paths.bindings);
  };
  h.provision_summary = [w] {
    std::vector<std::tuple<std::string, std::string, bool>> rows;
    RegionTable regions;
    regions.load(w.paths.config_dir + "/regions/gb2260.tsv");
    auto k = core::load_config(w.paths.kiosk_toml);
    auto pc = platform::load_client_config(w.paths.platform_toml);
    ProvisionValues v{k.terminal_id, k.hall_name, k.region_code, pc.base_url, k.width_px,
                      k.height_px,   0,           k.mm_per_px};
    auto errs = validate(v, regions, w.demo);
    auto ok = [&](const std::string& f) {
      for (auto& e : errs)
        if (e.field == f) return false;
      return true;
    };
    auto* reg = regions.find(k.region_code);
    char pitch[32];
    std::snprintf(pitch, sizeof pitch, "%dx%d, %.3f mm", k.width_px, k.height_px, k.mm_per_px);
    rows.push_back({"tech.wizard.terminal_id", k.terminal_id, ok("terminal_id")});
    rows.push_back({"tech.wizard.hall_name", k.hall_name, ok("hall_name")});
    rows.push_back(
        {"tech.wizard.region_code", k.region_code + (reg ? " " + reg->name : ""), ok("region_code")});
    rows.push_back({"tech.wizard.platform_url", pc.base_url, ok("platform_url")});
    rows.push_back({"tech.wizard.panel", pitch, ok("panel") && ok("resolution")});
    bool cert = !pc.client_cert.empty() && std::filesystem::exists(pc.client_cert);
    rows.push_back({"tech.wizard.certificate", cert ? pc.client_cert : "-", cert || w.demo});
    return rows;
  };
  // First-boot wizard: the same validate/apply/enrolment code as `kioskctl provision`.
  auto regions = std::make_shared<RegionTable>();
  regions->load(w.paths.config_dir + "/regions/gb2260.tsv");
  h.load_values = [w] {
    auto k = core::load_config(w.paths.kiosk_toml);
    auto pc = platform::load_client_config(w.paths.platform_toml);
    return ProvisionValues{k.terminal_id, k.hall_name, k.region_code, pc.base_url, k.width_px,
                           k.height_px,   0,           k.mm_per_px};
  };
  h.validate_values = [regions, demo = w.demo](const ProvisionValues& v) {
    return validate(v, *regions, demo);
  };
  h.save_values = [w](const ProvisionValues& v) {
    apply_provision(v, w.paths.kiosk_toml, w.paths.platform_toml);
  };
  h.region_name = [regions](const std::string& code) -> std::string {
    auto* r = regions->find(code);
    if (!r) return "";
    auto name = regions->full_name(code);
    return regions->current(code) ? name : name + " (已撤销 withdrawn)";
  };
  const std::string stick = w.export_dir.empty() ? w.paths.data_dir + "/export" : w.export_dir;
  const std::string tls = w.paths.data_dir + "/tls";
  h.make_csr = [tls, stick](const ProvisionValues& v) {
    auto r = make_key_and_csr(tls, v.terminal_id, v.hall_name, v.region_code);
    std::string where = r.csr_path;
    std::error_code ec;
    if (std::filesystem::is_directory(stick, ec)) {  // a copy on the stick to take to the platform
      auto copy = stick + "/" + v.terminal_id + ".csr";
      std::filesystem::copy_file(r.csr_path, copy, std::filesystem::copy_options::overwrite_existing, ec);
      if (!ec) where += " , " + copy;
    }
    return where;
  };
  h.cert_source = stick;
  h.install_cert = [w, tls, stick, &clock]() -> std::string {
    std::string found;
    std::error_code ec;
    if (std::filesystem::is_directory(stick, ec))
      for (auto& e : std::filesystem::directory_iterator(stick, ec)) {
        auto ext = e.path().extension().string();
        if (e.is_regular_file() && (ext == ".crt" || ext == ".pem") &&
            (found.empty() || e.path().string() < found))
          found = e.path().string();
      }
    if (found.empty()) throw TechError("no .crt/.pem certificate in " + stick);
    auto info = install_certificate(found, tls + "/client.key", w.paths.platform_toml, clock.wall());
    return info.subject + ", " + std::to_string((info.not_after - clock.wall()) / 86400) + " days";
  };
  h.export_logs = [w, &clock] {
    std::string dir = w.export_dir.empty() ? w.paths.data_dir + "/export" : w.export_dir;
    std::filesystem::create_directories(dir);
    auto out = dir + "/kiosk-logs-" + std::to_string(clock.wall()) + ".tar.gz";
    export_bundle({{w.paths.config_dir, "config"},
                   {w.paths.logs_dir, "logs"},
                   {w.paths.audit_log, "audit"},
                   {w.paths.bindings, "state"}},
                  out);
    return out;
  };
  h.settle_checks = w.settle_checks;
  h.notify = w.notify;
  if (w.hub && w.queue && !w.demo) {  // demo: the checks use their own simulators
    // Running kiosk: a check of a role whose worker owns the device stops that worker for the check
    // and restarts it afterwards (the device is never opened twice).
    auto hub = w.hub;
    core::EventQueue* queue = w.queue;
    h.pause_device = [hub, queue](const std::string& role) -> std::function<void()> {
      hw::DeviceHub* devices = hub();
      hw::DeviceWorker* dw = devices ? devices->find(role) : nullptr;
      if (!dw || false) return nullptr;
      dw->stop();
      return [dw, queue] { dw->start(*queue); };
    };
  }
  return std::make_unique<TechMode>(w.paths.tech, clock, audit, std::move(h));
}

std::unique_ptr<TechMode> make_app_tech_mode(const std::string& config_dir, const std::string& data_dir,
                                             bool demo, const core::Clock& clock,
                                             const core::Strings& strings,
                                             std::function<hw::DeviceHub*()> hub, core::EventQueue* queue) {
  TechWiring w;
  w.hub = std::move(hub);
  w.queue = queue;
  if (queue)  // the app's loop wakes on a posted event and runs tick() in pump()
    w.notify = [queue] { queue->post(core::Command{"tech.check_done", ""}); };
  // Headless scripts run on an injected clock: a step must see the checks it started.
  w.settle_checks = dynamic_cast<const core::ManualClock*>(&clock) != nullptr;
  w.paths = resolve_paths(config_dir, data_dir);
  w.demo = demo;
  if (const char* f = std::getenv("KIOSK_TECH_FAULTS"); f && demo) {
    std::string all = f;
    for (std::size_t pos = 0; pos <= all.size();) {
      auto comma = all.find(',', pos);
      std::string one = all.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (!one.empty()) w.faults.insert(one);
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  if (const char* e = std::getenv("KIOSK_TECH_EXPORT_DIR")) w.export_dir = e;
  return make_tech_mode(w, clock, strings);
}

}  // namespace kiosk::tech
