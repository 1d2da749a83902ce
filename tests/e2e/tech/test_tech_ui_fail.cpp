// Headless technician screens on the real kiosk binary: wrong PIN lockout, printer out of paper,
// readers absent (simulators faulted through KIOSK_TECH_FAULTS), idle exit.
#include "tests/e2e/tech/tech_ui_env.hpp"

using tech_ui::Env;

TEST_CASE("technician failure paths: PIN lockout, printer out of paper, reader absent, idle exit",
          "[tech][e2e]") {
  Env e("failures");
  int rc = e.run("failures.kscript", "printer.paper_out,idcard.absent,sscard.absent");
  auto t = e.transcript();
  INFO(t["failures"].dump(2));
  CHECK(rc == 0);
  CHECK(t["ok"] == true);
}
