#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "kiosk/vision/vision_config.hpp"

using namespace kiosk::vision;

TEST_CASE("config/vision.toml parses and matches the documented defaults") {
  const std::string path = std::string(KIOSK_SOURCE_DIR) + "/config/vision.toml";
  const auto c = load_vision_config(path);
  const VisionConfig d;
  CHECK(c.actions == 2);
  CHECK(c.action_timeout_ms == d.action_timeout_ms);
  CHECK(c.passive_threshold == Approx(d.passive_threshold));
  CHECK(c.yunet_model == d.yunet_model);
  CHECK(c.turn_delta == Approx(d.turn_delta));
}

TEST_CASE("bad vision config is rejected with a clear error") {
  CHECK_THROWS_WITH(parse_vision_config("[liveness]\nactions = \"two\"\n"), Catch::Contains("liveness.actions"));
  CHECK_THROWS_WITH(parse_vision_config("[liveness]\nactions = 9\n"), Catch::Contains("1..5"));
  CHECK_THROWS_WITH(parse_vision_config("[antispoof\n"), Catch::Contains("vision config"));
  CHECK_THROWS_WITH(parse_vision_config("[antispoof]\nthreshold = true\n"), Catch::Contains("number"));
  const auto c = parse_vision_config("[antispoof]\nthreshold = 0.7\n[liveness]\nmirror = true\n");
  CHECK(c.passive_threshold == Approx(0.7));
  CHECK(c.mirror);
}
