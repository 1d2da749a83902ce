// Headless technician screens on the real kiosk binary: printer out of paper, readers absent
// (simulators faulted through KIOSK_TECH_FAULTS), each with its plain advice.
#include "tests/e2e/tech/tech_ui_env.hpp"

using tech_ui::Env;

TEST_CASE("technician diagnostics: printer out of paper, readers absent", "[tech][e2e]") {
  Env e("faults");
  int rc = e.run("device_faults.kscript", "printer.paper_out,idcard.absent,sscard.absent");
  auto t = e.transcript();
  INFO(t["failures"].dump(2));
  CHECK(rc == 0);
  CHECK(t["ok"] == true);
}
