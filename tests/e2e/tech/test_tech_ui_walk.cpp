// Headless technician screens on the real kiosk binary: entry, setup summary, binding, diagnostics
// against the simulators, logs, export, leave.
#include "tests/e2e/tech/tech_ui_env.hpp"

using tech_ui::Env;

TEST_CASE("technician walk-through: entry, wizard summary, bind, diagnostics, logs, export, leave",
          "[tech][e2e]") {
  Env e("walkthrough");
  int rc = e.run("wizard_and_diagnostics.kscript");
  auto t = e.transcript();
  INFO(t["failures"].dump(2));
  CHECK(rc == 0);
  CHECK(t["ok"] == true);
  CHECK(fs::file_size(e.out / "05-diagnostics.png") > 10000);
  // No full ID number on any screen, ever.
  static const std::regex full_id(R"(\d{17}[\dXx])");
  CHECK_FALSE(std::regex_search(t.dump(), full_id));
  // The export landed on the "stick" with its checksum.
  bool tar = false;
  for (auto& f : fs::directory_iterator(e.root / "stick"))
    tar = tar || f.path().string().ends_with(".tar.gz.sha256");
  CHECK(tar);
}
