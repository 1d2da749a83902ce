// Shared by the UI e2e tests: run the real kiosk headless on a script, read its transcript, and check
// that Chinese text in screenshots shows real glyph ink.
#pragma once

#include <stb_image.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using nlohmann::json;

namespace e2e {

inline json run_script(const std::string& name, int expect_rc = 0) {
  std::string script = std::string(KIOSK_SOURCE_DIR) + "/tests/e2e/ui/" + name + ".kscript";
  std::string out = std::string(E2E_OUT) + "/" + name;
  fs::remove_all(out);
  // One glyph-atlas cache for every script run (the kiosk's per-run data dir would rebuild it each time).
  std::string cmd = "KIOSK_CACHE_DIR=" + std::string(E2E_OUT) + "/atlas-cache " + std::string(KIOSK_BIN) +
                    " --headless --log-level warn --script " + script + " --out " + out + " > " + out +
                    ".log 2>&1";
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

inline int hanzi_count(const std::string& s) {
  int n = 0;
  for (std::size_t i = 0; i + 2 < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xF0) == 0xE0) ++n, i += 2;
  return n;
}

// Every Chinese text run in the screenshot shows real glyph ink (a '?' box or a blank would not).
inline void check_screenshot(const json& step, const std::string& png_path) {
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

}  // namespace e2e
using namespace e2e;
