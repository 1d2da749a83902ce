// Catalog search, English item names and the guide slip, through the real kiosk binary (headless).
#include "tests/e2e/ui/support.hpp"

namespace {
std::vector<std::string> screens_of(const json& t) {
  std::vector<std::string> screens;
  for (auto& s : t["steps"]) {
    std::string sc = s["screen"];
    if (screens.empty() || screens.back() != sc) screens.push_back(sc);
  }
  return screens;
}
}  // namespace

TEST_CASE("catalog search: initials, a common word, paging, open a guide, print its guide slip") {
  json t = run_script("search");
  INFO(t["failures"].dump(2));
  REQUIRE(t["ok"] == true);
  CHECK(t["violations"].empty());
  CHECK(screens_of(t) == std::vector<std::string>{"home", "search", "guide", "search", "guide"});
  bool printed_slip = false;
  for (auto& s : t["steps"])
    for (auto& e : s["effects"])
      printed_slip = printed_slip || (e["kind"] == "print" && e["arg"] == "guide_slip_80");
  CHECK(printed_slip);
  std::string out = std::string(E2E_OUT) + "/search/";
  for (auto& s : t["steps"]) {
    std::string step = s["step"];
    if (step.rfind("screenshot ", 0) == 0) check_screenshot(s, out + step.substr(11) + ".png");
  }
}

TEST_CASE("English UI: English item names on category, search and guide pages; English words search") {
  json t = run_script("search_english");
  INFO(t["failures"].dump(2));
  REQUIRE(t["ok"] == true);
  CHECK(t["violations"].empty());
  CHECK(screens_of(t) ==
        std::vector<std::string>{"home", "category", "search", "guide", "search", "category"});
}
