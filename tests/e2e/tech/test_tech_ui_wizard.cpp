// Headless technician wizard on the real kiosk binary: on-screen keyboard editing, a refused region
// code with its message, save → kiosk.toml/platform.toml rewritten (through kiosk/tech/provision), audited,
// CSR written.
#include "tests/e2e/tech/tech_ui_env.hpp"

using tech_ui::Env;

TEST_CASE("technician wizard: edit on screen, invalid value refused, save persists, CSR", "[tech][e2e]") {
  Env e("wizard");
  // The kiosk's audit log where kioskctl (below) reads it.
  kiosk::tech::set_toml_value((e.config / "technician.toml").string(), "technician", "audit_log",
                              kiosk::tech::toml_quote((e.root / "audit.log").string()));
  int rc = e.run("wizard_edit.kscript");
  auto t = e.transcript();
  INFO(t["failures"].dump(2));
  CHECK(rc == 0);
  CHECK(t["ok"] == true);
  CHECK(fs::file_size(e.out / "02-keyboard.png") > 10000);
  auto kiosk = kiosk::tech::read_text((e.config / "kiosk.toml").string());
  CHECK(kiosk.find("region_code = \"410105\"") != std::string::npos);
  CHECK(kiosk.find("id = \"DEMO-0008\"") != std::string::npos);
  CHECK(kiosk.find("#") != std::string::npos);  // comments kept (edited line by line)
  auto platform = kiosk::tech::read_text((e.config / "platform.toml").string());
  CHECK(platform.find("terminal_region = \"410105\"") != std::string::npos);
  // The save is in the audit log (kioskctl reads the same log).
  std::string cmd = std::string(KIOSKCTL_EXE) + " logs show -n 50 --config-dir " + e.config.string() + " > " +
                    (e.root / "log.txt").string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  auto log = kiosk::tech::read_text((e.root / "log.txt").string());
  INFO(log);
  CHECK(log.find("wizard_invalid") != std::string::npos);
  CHECK(log.find("region_code=410105") != std::string::npos);
  CHECK(log.find("enrol_csr") != std::string::npos);
}
