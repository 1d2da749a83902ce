#include <catch2/catch.hpp>

#include "kiosk/core/config.hpp"
#include "kiosk/core/strings.hpp"

using namespace kiosk::core;

TEST_CASE("the shipped kiosk.toml loads") {
  auto cfg = load_config(source_config_dir() + "/kiosk.toml");
  CHECK(cfg.terminal_id == "DEMO-0001");
  CHECK(cfg.mm_per_px == Approx(0.248));
  CHECK(cfg.timeouts.warning_s == 20);
  CHECK(cfg.timeouts.max_extensions >= 10);
}

TEST_CASE("syntax errors carry file and line") {
  try {
    parse_config("[terminal]\nid = \"T1\"\nhall_name = \"x\n", "bad.toml");
    FAIL("no error");
  } catch (const ConfigLoadError& e) {
    REQUIRE(e.errors().size() == 1);
    CHECK(e.errors()[0].file == "bad.toml");
    CHECK(e.errors()[0].line == 3);
  }
}

TEST_CASE("type, range and unknown-key errors point at the offending line") {
  std::string text =
      "[terminal]\n"
      "id = \"T1\"\n"
      "region_code = \"41A100\"\n"
      "[display]\n"
      "mm_per_px = \"wide\"\n"
      "width_px = 99999\n"
      "[session]\n"
      "warning_s = 5\n"
      "step_timeot_s = 60\n"
      "[bogus]\n";
  try {
    parse_config(text, "k.toml");
    FAIL("no error");
  } catch (const ConfigLoadError& e) {
    std::string all = e.what();
    INFO(all);
    CHECK_THAT(all, Catch::Contains("k.toml:3:") && Catch::Contains("region_code must be 6 digits"));
    CHECK_THAT(all, Catch::Contains("k.toml:5:") && Catch::Contains("mm_per_px must be a number"));
    CHECK_THAT(all, Catch::Contains("k.toml:6:") && Catch::Contains("out of range"));
    CHECK_THAT(all, Catch::Contains("k.toml:8:") && Catch::Contains("warning_s = 5 is out of range 20..120"));
    CHECK_THAT(all, Catch::Contains("k.toml:9:") && Catch::Contains("unknown key 'step_timeot_s'"));
    CHECK_THAT(all, Catch::Contains("k.toml:10:") && Catch::Contains("unknown section [bogus]"));
    CHECK(e.errors().size() == 6);
  }
}

TEST_CASE("strings exist in both languages for every zh-CN key") {
  Strings s;
  s.load_dir(source_config_dir() + "/strings");
  auto zh = s.keys("zh-CN");
  REQUIRE(zh.size() > 30);
  for (auto& k : zh) {
    INFO(k);
    CHECK(s.has("en", k));
  }
  CHECK(s.format("zh-CN", "countdown.remaining", {{"seconds", "42"}}) == "剩余 42 秒");
  CHECK(s.get("en", "nav.back") == "Back");
}
