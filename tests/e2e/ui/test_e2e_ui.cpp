// Runs the real kiosk binary headless on scripts and checks the transcript and the PNG screenshots.
#include <stb_image.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json run_script(const std::string& name, int expect_rc = 0) {
  std::string script = std::string(KIOSK_SOURCE_DIR) + "/tests/e2e/ui/" + name + ".kscript";
  std::string out = std::string(E2E_OUT) + "/" + name;
  fs::remove_all(out);
  std::string cmd = std::string(KIOSK_BIN) + " --headless --log-level warn --script " + script + " --out " +
                    out + " > " + out + ".log 2>&1";
  fs::create_directories(E2E_OUT);
  int rc = std::system(cmd.c_str());
  CHECK(WEXITSTATUS(rc) == expect_rc);
  std::ifstream in(out + "/transcript.json");
  REQUIRE(in.good());
  return json::parse(in);
}

struct Png {
  int w = 0, h = 0;
  std::vector<unsigned char> px;
  explicit Png(const std::string& path) {
    int n = 0;
    unsigned char* d = stbi_load(path.c_str(), &w, &h, &n, 3);
    REQUIRE(d != nullptr);
    px.assign(d, d + static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
    stbi_image_free(d);
  }
  // Share of pixels in the box that differ clearly from the box's dominant colour (glyph ink).
  double ink(const json& box) const {
    int x0 = std::max(0, box[0].get<int>()), y0 = std::max(0, box[1].get<int>());
    int x1 = std::min(w, box[2].get<int>()), y1 = std::min(h, box[3].get<int>());
    std::map<int, int> hist;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) {
        auto* p =
            &px[(static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x)) *
                3];
        ++hist[(p[0] << 16) | (p[1] << 8) | p[2]];
      }
    int bg = 0, best = -1;
    for (auto& [c, n] : hist)
      if (n > best) best = n, bg = c;
    int inked = 0, total = 0;
    for (auto& [c, n] : hist) {
      int dr = ((c >> 16) & 255) - ((bg >> 16) & 255), dg = ((c >> 8) & 255) - ((bg >> 8) & 255),
          db = (c & 255) - (bg & 255);
      if (dr * dr + dg * dg + db * db > 80 * 80) inked += n;
      total += n;
    }
    return total ? static_cast<double>(inked) / total : 0;
  }
};

int hanzi_count(const std::string& s) {
  int n = 0;
  for (std::size_t i = 0; i + 2 < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xF0) == 0xE0) ++n, i += 2;
  return n;
}

// Every Chinese text run in the screenshot shows real glyph ink (a '?' box or a blank would not).
void check_screenshot(const json& step, const std::string& png_path) {
  Png png(png_path);
  CHECK(png.w == 1920);
  CHECK(png.h == 1080);
  int checked = 0;
  for (auto& t : step["text_boxes"]) {
    std::string text = t["text"];
    if (hanzi_count(text) < 3) continue;
    INFO(png_path << ": " << text);
    CHECK(t["em_mm"].get<double>() >= 5.2);
    double ink = png.ink(t["box"]);
    CHECK(ink > 0.06);
    ++checked;
  }
  CHECK(checked >= 3);
}

}  // namespace

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
    for (auto& e : s["effects"]) printed_slip = printed_slip || (e["kind"] == "print" && e["arg"] == "guide_slip_80");
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
  CHECK(screens_of(t) == std::vector<std::string>{"home", "category", "search", "guide", "search", "category"});
}
