// Runs the real kiosk binary headless on scripts and checks the transcript and the PNG screenshots.
#include "tests/e2e/ui/support.hpp"

TEST_CASE("home -> category -> guide -> back -> idle warning -> continue -> timeout -> home") {
  json t = run_script("browse_and_timeout");
  INFO(t["failures"].dump(2));
  REQUIRE(t["ok"] == true);
  CHECK(t["violations"].empty());
  std::vector<std::string> screens;
  for (auto& s : t["steps"]) {
    std::string sc = s["screen"];
    if (screens.empty() || screens.back() != sc) screens.push_back(sc);
  }
  CHECK(screens == std::vector<std::string>{"home", "category", "guide", "category", "home"});
  // The warning came at 20 s left, was extended once, and the session expired with a wipe.
  bool warned = false, wiped = false;
  for (auto& s : t["steps"]) {
    if (s["warning"] == true) {
      warned = true;
      CHECK(s["remaining_s"].get<int>() <= 20);
    }
    for (auto& e : s["effects"]) wiped = wiped || e["kind"] == "wipe";
  }
  CHECK(warned);
  CHECK(wiped);
  std::string out = std::string(E2E_OUT) + "/browse_and_timeout/";
  for (auto& s : t["steps"]) {
    std::string step = s["step"];
    if (step.rfind("screenshot ", 0) == 0) check_screenshot(s, out + step.substr(11) + ".png");
  }
}

TEST_CASE("elder mode and English switch from home, checked for size, contrast and glyphs") {
  json t = run_script("elder_and_english");
  INFO(t["failures"].dump(2));
  REQUIRE(t["ok"] == true);
  CHECK(t["violations"].empty());
}

TEST_CASE("a failing expectation makes the script fail with the line number") {
  json t = run_script("must_fail", 1);
  REQUIRE(t["ok"] == false);
  REQUIRE(t["failures"].size() == 2);
  CHECK(t["failures"][0].get<std::string>().find("line 1:") == 0);
  CHECK(t["failures"][1].get<std::string>().find("line 2:") == 0);
  CHECK(t["failures"][1].get<std::string>().find("no widget 'does.not.exist'") != std::string::npos);
}
