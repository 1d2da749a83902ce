// kioskctl logs export|show|verify: logs + config (scrubbed, secrets left out) as a tar.gz with a
// SHA-256 file for a USB stick; the technician audit log on screen and its hash-chain check.
#include <iostream>

#include "kiosk/core/clock.hpp"
#include "kiosk/core/log.hpp"
#include "kiosk/tech/audit.hpp"
#include "kiosk/tech/export.hpp"
#include "kiosk/tech/paths.hpp"
#include "kiosk/tools/command_registry.hpp"

namespace kiosk::tools {
namespace {

struct LogArgs {
  std::string config_dir, data_dir, out;
  std::vector<std::string> extra;
  std::size_t n = 30;
};

void common(CLI::App* sub, std::string& config_dir, std::string& data_dir) {
  sub->add_option("--config-dir", config_dir, "config folder (default: the source tree's config/)");
  sub->add_option("--data-dir", data_dir, "data folder (bindings.toml, tech-audit.log, logs/)");
}

CommandRegistrar reg("logs", [](CLI::App& root) {
  static LogArgs a;
  auto* c = root.add_subcommand("logs", "technician logs: export to a USB stick, show, verify the audit log");
  c->require_subcommand(1);

  auto* ex =
      c->add_subcommand("export", "write logs + config (no personal data) as a tar.gz with a checksum");
  common(ex, a.config_dir, a.data_dir);
  ex->add_option("--out", a.out, "tar.gz to write, e.g. /media/usb/kiosk-DEMO-0001.tar.gz")->required();
  ex->add_option("--include", a.extra, "extra log file or folder (repeatable)");
  ex->callback([] {
    core::init_logging({.file = "", .console = true, .journald = false, .level = "warn"});
    auto p = tech::resolve_paths(a.config_dir, a.data_dir);
    std::vector<tech::ExportSource> src{
        {p.config_dir, "config"}, {p.logs_dir, "logs"}, {p.audit_log, "audit"}, {p.bindings, "state"}};
    for (auto& e : a.extra) src.push_back({e, "logs"});
    auto r = tech::export_bundle(src, a.out);
    core::SystemClock clock;
    tech::AuditLog(p.audit_log, clock)
        .append("kioskctl", "export", std::to_string(r.files.size()) + " files");
    std::cout << r.tar_path << ": " << r.files.size() << " files, " << r.skipped.size() << " left out, "
              << r.scrubbed << " masked\nsha256 " << r.sha256 << " (" << r.checksum_path << ")\n";
  });

  auto* show = c->add_subcommand("show", "the last N technician audit entries");
  common(show, a.config_dir, a.data_dir);
  show->add_option("-n", a.n, "how many");
  show->callback([] {
    core::init_logging({.file = "", .console = true, .journald = false, .level = "warn"});
    auto p = tech::resolve_paths(a.config_dir, a.data_dir);
    core::SystemClock clock;
    for (auto& e : tech::AuditLog(p.audit_log, clock).recent(a.n)) {
      std::time_t t = e.wall + 8 * 3600;
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
      std::cout << e.seq << "  " << buf << " CST  " << e.source << "  " << e.action << "  " << e.detail
                << "\n";
    }
  });

  auto* verify = c->add_subcommand("verify", "check the audit log's hash chain");
  common(verify, a.config_dir, a.data_dir);
  verify->callback([] {
    core::init_logging({.file = "", .console = true, .journald = false, .level = "warn"});
    auto p = tech::resolve_paths(a.config_dir, a.data_dir);
    core::SystemClock clock;
    auto err = tech::AuditLog(p.audit_log, clock).verify();
    if (err.empty()) {
      std::cout << p.audit_log << ": intact\n";
    } else {
      std::cout << err << "\n";
      exit_code() = 1;
    }
  });
});

}  // namespace
}  // namespace kiosk::tools
