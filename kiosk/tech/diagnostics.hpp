// Diagnostics per device and for the terminal: each check runs the real driver (against the
// simulators in demo mode, against the bound device otherwise) and returns pass/warn/fail with a
// log-safe English detail, figures, and an advice key whose text (config/strings/tech.*.toml) tells
// the technician in plain words what to do.
#pragma once

#include <chrono>
#include <ctime>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "kiosk/core/strings.hpp"
#include "kiosk/tech/check_result.hpp"
#include "kiosk/tech/devices.hpp"

namespace kiosk::tech {

struct DiagOptions {
  std::string config_dir;     // kiosk config folder (devices/, printers/, receipts/, strings/)
  std::string data_dir;       // for disk checks and A4 output
  std::string platform_toml;  // empty: <config_dir>/platform.toml
  bool demo = true;           // simulated devices and an embedded platform simulator
  // Demo fault injection (failure paths, e2e tests): idcard.absent, sscard.absent, scanner.absent,
  // printer.absent, printer.paper_out, printer.cover_open, platform.down, camera.absent.
  std::set<std::string> faults;
  std::string idcard_fixture = "henan-resident";
  std::string sscard_fixture = "gen3";
  std::string printer_dialect = "epson";
  Bindings bindings;  // production: which profile each role uses
  std::chrono::milliseconds device_timeout{4000};
  std::int64_t min_free_mb = 500;
  int cert_warn_days = 30;
  std::function<std::time_t()> now = [] { return std::time(nullptr); };
  std::string ntp_flag = "/run/systemd/timesync/synchronized";  // exists once timesyncd synced
};

class Diagnostics {
 public:
  Diagnostics(DiagOptions o, const core::Strings* strings = nullptr, std::string lang = "zh-CN");
  // Every check id, in the order a technician walks through them.
  static const std::vector<std::string>& check_ids();
  CheckResult run(const std::string& id);
  std::vector<CheckResult> run_all();
  // Check ids for one role ("printer" → printer.status, printer.receipt, printer.a4).
  static std::vector<std::string> checks_for(const std::string& role);

 private:
  CheckResult idcard();
  CheckResult sscard();
  CheckResult scanner();
  CheckResult camera();
  CheckResult printer(const std::string& what);
  CheckResult platform();
  CheckResult disk();
  CheckResult clock();
  CheckResult certificate();
  void finish(CheckResult& r) const;

  DiagOptions o_;
  const core::Strings* strings_;
  std::string lang_;
};

// {"ok": all pass/warn/skip, "checks": [...]} — what `kioskctl diag --json` prints.
nlohmann::json report_json(const std::vector<CheckResult>& results);

}  // namespace kiosk::tech
