// kioskctl diag [--json] [--demo] [--fault F] [--only ID]: every diagnostic with pass/fail and what to do.
#include <iostream>

#include "kiosk/core/clock.hpp"
#include "kiosk/core/log.hpp"
#include "kiosk/core/strings.hpp"
#include "kiosk/tech/audit.hpp"
#include "kiosk/tech/diagnostics.hpp"
#include "kiosk/tech/paths.hpp"
#include "kiosk/tools/command_registry.hpp"

namespace kiosk::tools {
namespace {

struct DiagArgs {
  std::string config_dir, data_dir, lang = "zh-CN";
  bool json = false, demo = false;
  std::vector<std::string> faults, only;
  int timeout_ms = 4000;
};

CommandRegistrar reg("diag", [](CLI::App& root) {
  static DiagArgs a;
  auto* c = root.add_subcommand("diag",
                                "run the terminal diagnostics (devices, network, disk, clock, certificate)");
  c->add_flag("--json", a.json, "machine-readable report");
  c->add_flag("--demo", a.demo, "simulated devices and an embedded platform simulator");
  c->add_option("--config-dir", a.config_dir, "config folder (default: the source tree's config/)");
  c->add_option("--data-dir", a.data_dir, "data folder (default: kiosk.toml [paths] data_dir)");
  c->add_option("--fault", a.faults, "demo fault, e.g. printer.paper_out, idcard.absent, platform.down");
  c->add_option("--only", a.only, "run only these check ids (repeatable)");
  c->add_option("--lang", a.lang, "advice language in the text report: zh-CN or en");
  c->add_option("--timeout-ms", a.timeout_ms, "per-device wait");
  c->callback([] {
    core::init_logging({.file = "", .console = true, .journald = false, .level = "warn"});
    auto paths = tech::resolve_paths(a.config_dir, a.data_dir);
    core::Strings strings;
    strings.load_dir(paths.config_dir + "/strings");
    tech::DiagOptions o;
    o.config_dir = paths.config_dir;
    o.data_dir = paths.data_dir;
    o.platform_toml = paths.platform_toml;
    o.demo = a.demo;
    o.faults = {a.faults.begin(), a.faults.end()};
    o.device_timeout = std::chrono::milliseconds(a.timeout_ms);
    o.bindings = tech::Bindings::load(paths.bindings);
    tech::Diagnostics d(o, &strings, a.lang);
    std::vector<tech::CheckResult> results;
    if (a.only.empty())
      results = d.run_all();
    else
      for (auto& id : a.only) results.push_back(d.run(id));
    auto report = tech::report_json(results);
    report["demo"] = a.demo;
    core::SystemClock clock;
    try {
      tech::AuditLog(paths.audit_log, clock)
          .append("kioskctl", "diag",
                  std::string(report["ok"] ? "ok" : "faults") + ", " + std::to_string(results.size()) +
                      " checks");
    } catch (const std::exception& e) {
      std::cerr << "warning: " << e.what() << "\n";
    }
    if (a.json) {
      std::cout << report.dump(2) << "\n";
    } else {
      for (auto& r : results) {
        std::cout << (r.status == tech::CheckStatus::Pass   ? "[ OK ] "
                      : r.status == tech::CheckStatus::Warn ? "[WARN] "
                      : r.status == tech::CheckStatus::Skip ? "[SKIP] "
                                                            : "[FAIL] ")
                  << r.id << ": " << r.detail << "\n";
        if (r.status != tech::CheckStatus::Pass)
          std::cout << "       " << (a.lang == "en" ? r.advice_en : r.advice_zh) << "\n";
      }
    }
    if (!report["ok"].get<bool>()) exit_code() = 1;
  });
});

}  // namespace
}  // namespace kiosk::tools
