// Runs one service-flow script (FLOW_SCRIPT) through the real kiosk binary, headless, and checks the
// transcript: every expectation held, no accessibility finding on any screen, nothing personal in
// any effect (speech keys, logs, requests), no full ID number ever on screen, screenshots drawn.
#include <stb_image.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json run_script(const std::string& name) {
  std::string script = std::string(KIOSK_SOURCE_DIR) + "/tests/e2e/flows/" + name + ".kscript";
  std::string out = std::string(E2E_OUT) + "/" + name;
  fs::remove_all(out);
  fs::create_directories(E2E_OUT);
  std::string cmd = std::string(KIOSK_BIN) + " --headless --log-level debug --script " + script + " --out " +
                    out + " > " + out + ".log 2>&1";
  int rc = std::system(cmd.c_str());
  CHECK(WEXITSTATUS(rc) == 0);
  std::ifstream in(out + "/transcript.json");
  REQUIRE(in.good());
  return json::parse(in);
}

// Share of pixels that differ from the most common colour (a blank or failed frame has ~0).
double ink(const std::string& png) {
  int w = 0, h = 0, n = 0;
  unsigned char* d = stbi_load(png.c_str(), &w, &h, &n, 3);
  REQUIRE(d != nullptr);
  CHECK(w == 1920);
  CHECK(h == 1080);
  std::map<int, int> hist;
  for (int i = 0; i < w * h; i += 7) ++hist[(d[i * 3] << 16) | (d[i * 3 + 1] << 8) | d[i * 3 + 2]];
  stbi_image_free(d);
  int best = 0, total = 0;
  for (auto& [c, k] : hist) best = std::max(best, k), total += k;
  return 1.0 - static_cast<double>(best) / total;
}

}  // namespace

TEST_CASE("service flow script " FLOW_SCRIPT) {
  json t = run_script(FLOW_SCRIPT);
  for (auto& f : t["failures"]) UNSCOPED_INFO(f.get<std::string>());
  CHECK(t["ok"] == true);
  for (auto& v : t["violations"]) UNSCOPED_INFO(v.get<std::string>());
  CHECK(t["violations"].empty());

  // An ID number on its own (the 21-digit transaction number "YW4101…" is not one).
  const std::regex full_id("(^|[^0-9A-Z])[0-9]{17}[0-9X]([^0-9]|$)");
  const std::regex key("^[a-z0-9_.]*$");
  const std::set<std::string> keyed = {"speak", "screen", "platform", "print", "start_face", "identified"};
  int screens = 0, shots = 0;
  std::set<std::string> flow_screens;
  for (auto& step : t["steps"]) {
    for (auto& text : step["texts"]) CHECK_FALSE(std::regex_search(text.get<std::string>(), full_id));
    for (auto& e : step["effects"]) {
      const std::string kind = e["kind"], arg = e["arg"];
      CHECK_FALSE(std::regex_search(arg, full_id));
      if (keyed.count(kind)) {
        INFO(kind << " " << arg);
        CHECK((std::regex_match(arg, key) || arg.rfind("KS-", 0) == 0 || kind == "platform"));
      }
      if (kind == "screen") ++screens;
    }
    std::string screen = step["screen"];
    if (screen.rfind("flow.", 0) == 0) flow_screens.insert(screen);
    std::string s = step["step"];
    if (s.rfind("screenshot ", 0) == 0) {
      ++shots;
      std::string png = std::string(E2E_OUT) + "/" FLOW_SCRIPT "/" + s.substr(11) + ".png";
      INFO(png);
      CHECK(ink(png) > 0.05);
    }
  }
  CHECK(screens > 2);
  CHECK(shots >= 1);
  CHECK_FALSE(flow_screens.empty());

  // The kiosk's own log of the whole session, at debug level: no full ID number, no resident name
  // (the names the script puts on its cards), no QR token.
  std::ifstream script(std::string(KIOSK_SOURCE_DIR) + "/tests/e2e/flows/" FLOW_SCRIPT ".kscript");
  std::set<std::string> secrets;
  const std::regex field("(name|token)=([^ ]+)");
  for (std::string line; std::getline(script, line);)
    for (std::sregex_iterator it(line.begin(), line.end(), field), end; it != end; ++it)
      if ((*it)[2].length() >= 2) secrets.insert((*it)[2]);
  std::ifstream log(std::string(E2E_OUT) + "/" FLOW_SCRIPT ".log");
  REQUIRE(log.good());
  int lines = 0;
  for (std::string line; std::getline(log, line); ++lines) {
    INFO(line);
    CHECK_FALSE(std::regex_search(line, full_id));
    for (auto& sec : secrets) CHECK(line.find(sec) == std::string::npos);
  }
  CHECK(lines > 10);  // debug logging really ran
}
