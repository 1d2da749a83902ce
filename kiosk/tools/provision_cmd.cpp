// kioskctl provision: validates and writes terminal id, hall name, region, platform URL and panel
// geometry; --csr makes the key pair + CSR; --install-cert installs the issued client certificate;
// --pin sets the technician PIN (read from stdin, never from the command line).
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "kiosk/core/clock.hpp"
#include "kiosk/core/config.hpp"
#include "kiosk/core/log.hpp"
#include "kiosk/core/mask.hpp"
#include "kiosk/tech/audit.hpp"
#include "kiosk/tech/paths.hpp"
#include "kiosk/tech/provision.hpp"
#include "kiosk/tools/command_registry.hpp"

namespace kiosk::tools {
namespace {

struct ProvArgs {
  std::string config_dir, data_dir, kiosk_toml, platform_toml;
  tech::ProvisionValues v;
  bool csr = false, pin = false, allow_http = false, check_only = false, tech_card = false;
  std::string csr_dir, install_cert;
};

std::string read_pin_line() {
  termios old{};
  bool tty = ::isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios t = old;
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
    std::cerr << "technician PIN (digits): " << std::flush;
  }
  std::string pin;
  std::getline(std::cin, pin);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  return pin;
}

CommandRegistrar reg("provision", [](CLI::App& root) {
  static ProvArgs a;
  auto* c = root.add_subcommand("provision",
                                "first-boot provisioning: terminal, hall, region, platform, panel, "
                                "enrolment, technician PIN");
  c->add_option("--config-dir", a.config_dir, "config folder (default: the source tree's config/)");
  c->add_option("--data-dir", a.data_dir, "data folder (audit log)");
  c->add_option("--kiosk-toml", a.kiosk_toml, "kiosk.toml to write (default <config-dir>/kiosk.toml)");
  c->add_option("--platform-toml", a.platform_toml,
                "platform.toml to write (default <config-dir>/platform.toml)");
  c->add_option("--terminal-id", a.v.terminal_id, "terminal id, e.g. ZZ-4101-0007");
  c->add_option("--hall-name", a.v.hall_name, "hall name (Chinese)");
  c->add_option("--region", a.v.region_code, "GB/T 2260 region code of the hall");
  c->add_option("--platform-url", a.v.platform_url, "platform base URL (https)");
  c->add_option("--width", a.v.width_px, "panel width in pixels");
  c->add_option("--height", a.v.height_px, "panel height in pixels");
  c->add_option("--diagonal", a.v.diagonal_in, "panel diagonal in inches");
  c->add_option("--pitch", a.v.mm_per_px, "pixel pitch in mm (instead of --diagonal)");
  c->add_flag("--allow-http", a.allow_http, "accept http://127.0.0.1 (demo simulator)");
  c->add_flag("--check", a.check_only, "validate only, write nothing");
  c->add_flag("--csr", a.csr, "generate the terminal key pair and a CSR");
  c->add_option("--csr-dir", a.csr_dir, "where client.key/client.csr go (default <data-dir>/tls)");
  c->add_option("--install-cert", a.install_cert, "install the certificate the platform issued for the CSR");
  c->add_flag("--pin", a.pin, "set the technician PIN (read from stdin)");
  c->add_flag("--tech-card", a.tech_card,
              "add a technician card: its card number (read from stdin) is stored only as a hash");
  c->callback([] {
    core::init_logging({.file = "", .console = true, .journald = false, .level = "warn"});
    auto p = tech::resolve_paths(a.config_dir, a.data_dir, a.kiosk_toml, a.platform_toml);
    core::SystemClock clock;
    tech::AuditLog audit(p.audit_log, clock);
    bool did = false;
    bool values = !a.v.terminal_id.empty() || !a.v.hall_name.empty() || !a.v.region_code.empty() ||
                  !a.v.platform_url.empty();
    if (values) {
      tech::RegionTable regions;
      regions.load(p.config_dir + "/regions/gb2260.tsv");
      auto errs = tech::validate(a.v, regions, a.allow_http);
      for (auto& e : errs) std::cerr << e.field << ": " << e.zh << " / " << e.en << "\n";
      if (!errs.empty()) {
        exit_code() = 2;
        return;
      }
      if (a.check_only) {
        std::cout << "values OK (" << regions.find(a.v.region_code)->name << ")\n";
        return;
      }
      tech::apply_provision(a.v, p.kiosk_toml, p.platform_toml);
      audit.append("kioskctl", "provision", "terminal " + a.v.terminal_id + ", region " + a.v.region_code);
      std::cout << "written: " << p.kiosk_toml << ", " << p.platform_toml << "\n";
      did = true;
    }
    std::string tls = a.csr_dir.empty() ? p.data_dir + "/tls" : a.csr_dir;
    if (a.csr) {
      auto cfg_id = a.v.terminal_id, hall = a.v.hall_name, region = a.v.region_code;
      if (cfg_id.empty()) {
        auto k = core::load_config(p.kiosk_toml);
        cfg_id = k.terminal_id, hall = k.hall_name, region = k.region_code;
      }
      auto r = tech::make_key_and_csr(tls, cfg_id, hall, region);
      audit.append("kioskctl", "csr", "terminal " + cfg_id);
      std::cout << "key: " << r.key_path << " (0600)\ncsr: " << r.csr_path << "\n" << r.csr_pem;
      did = true;
    }
    if (!a.install_cert.empty()) {
      auto info =
          tech::install_certificate(a.install_cert, tls + "/client.key", p.platform_toml, std::time(nullptr));
      auto days = (info.not_after - std::time(nullptr)) / 86400;
      audit.append("kioskctl", "cert_install", "valid " + std::to_string(days) + " days");
      std::cout << "certificate installed: " << info.subject << ", valid " << days << " days\n";
      did = true;
    }
    if (a.pin) {
      auto pin = read_pin_line();
      auto hash = tech::hash_pin(pin, p.tech.policy);
      std::fill(pin.begin(), pin.end(), '\0');
      tech::store_pin_hash(p.technician_toml, hash);
      audit.append("kioskctl", "pin_set", "");
      std::cout << "technician PIN set in " << p.technician_toml << "\n";
      did = true;
    }
    if (a.tech_card) {
      std::string number;
      std::getline(std::cin, number);
      auto hash = tech::hash_card(number);
      tech::add_card_hash(p.technician_toml, hash);
      audit.append("kioskctl", "tech_card_added", core::mask_id(number));
      std::fill(number.begin(), number.end(), '\0');
      std::cout << "technician card added to " << p.technician_toml << "\n";
      did = true;
    }
    if (!did)
      throw std::runtime_error(
          "nothing to do: give values (--terminal-id ...), --csr, --install-cert, --pin or --tech-card");
  });
});

}  // namespace
}  // namespace kiosk::tools
