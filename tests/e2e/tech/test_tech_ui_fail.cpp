// Headless technician screens on the real kiosk binary: wrong PIN lockout with its countdown.
#include "tests/e2e/tech/tech_ui_env.hpp"

using tech_ui::Env;

TEST_CASE("technician failure path: wrong PIN lockout", "[tech][e2e]") {
  Env e("failures");
  int rc = e.run("failures.kscript");
  auto t = e.transcript();
  INFO(t["failures"].dump(2));
  CHECK(rc == 0);
  CHECK(t["ok"] == true);
}
