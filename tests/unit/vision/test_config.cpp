#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
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
  // Relative model paths come back resolved against the tree that holds config/ (here the source tree).
  CHECK(c.yunet_model == std::string(KIOSK_SOURCE_DIR) + "/" + d.yunet_model);
  CHECK(std::filesystem::exists(c.fas_model_v2));
  CHECK(c.turn_delta == Approx(d.turn_delta));
}

TEST_CASE("bad vision config is rejected with a clear error") {
  CHECK_THROWS_WITH(parse_vision_config("[liveness]\nactions = \"two\"\n"),
                    Catch::Contains("liveness.actions"));
  CHECK_THROWS_WITH(parse_vision_config("[liveness]\nactions = 9\n"), Catch::Contains("1..5"));
  CHECK_THROWS_WITH(parse_vision_config("[antispoof\n"), Catch::Contains("vision config"));
  CHECK_THROWS_WITH(parse_vision_config("[antispoof]\nthreshold = true\n"), Catch::Contains("number"));
  const auto c = parse_vision_config("[antispoof]\nthreshold = 0.7\n[liveness]\nmirror = true\n");
  CHECK(c.passive_threshold == Approx(0.7));
  CHECK(c.mirror);
}

#include "kiosk/core/strings.hpp"

TEST_CASE("every vision text key exists in zh-CN and English") {
  kiosk::core::Strings s;
  s.load_dir(std::string(KIOSK_SOURCE_DIR) + "/config/strings");
  for (const char* k : {"vision.guide.ok",
                        "vision.guide.no_face",
                        "vision.guide.multiple_faces",
                        "vision.guide.too_dark",
                        "vision.guide.too_bright",
                        "vision.guide.closer",
                        "vision.guide.farther",
                        "vision.guide.center",
                        "vision.guide.face_forward",
                        "vision.guide.low_contrast",
                        "vision.guide.hold_still",
                        "vision.guide.remove_hat",
                        "vision.guide.remove_sunglasses",
                        "vision.action.blink",
                        "vision.action.open_mouth",
                        "vision.action.turn_left",
                        "vision.action.turn_right",
                        "vision.action.nod",
                        "vision.result.pass",
                        "vision.fail.timeout",
                        "vision.fail.no_face",
                        "vision.fail.quality",
                        "vision.fail.face_lost",
                        "vision.fail.face_changed",
                        "vision.fail.multiple_faces",
                        "vision.fail.wrong_action",
                        "vision.fail.spoof",
                        "vision.fail.passive_unavailable",
                        "vision.fail.camera",
                        "vision.fail.cancelled"}) {
    INFO(k);
    CHECK(s.has("zh-CN", k));
    CHECK(s.has("en", k));
  }
  CHECK(s.get("zh-CN", "vision.guide.closer") == "请靠近一点");
  CHECK(s.get("zh-CN", "vision.guide.too_dark").rfind("光线太暗", 0) == 0);
  CHECK(s.get("zh-CN", "vision.guide.remove_hat") == "请摘下帽子");
}

TEST_CASE("model paths follow the config tree: installed share dir, else an ops slot falls back") {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("kiosk-vcfg-" + std::to_string(::getpid()));
  fs::remove_all(root);
  // An installed-like tree: <share>/config/vision.toml next to <share>/assets/models/.
  fs::create_directories(root / "share/config");
  fs::create_directories(root / "share/assets/models");
  std::ofstream(root / "share/config/vision.toml") << "[liveness]\nactions = 2\n";
  const VisionConfig d;
  std::ofstream(root / "share" / d.yunet_model) << "onnx";
  auto c = load_vision_config((root / "share/config/vision.toml").string());
  CHECK(c.yunet_model == (root / "share" / d.yunet_model).string());
  // Models the tree lacks resolve like resolve_path does (here: the source tree's assets).
  CHECK(c.fas_model_v2 == resolve_path(d.fas_model_v2));
  CHECK(fs::exists(c.fas_model_v2));
  // An ops slot (config only, no assets beside it) uses the installed/source models.
  fs::create_directories(root / "slots/a");
  fs::copy_file(root / "share/config/vision.toml", root / "slots/a/vision.toml");
  auto s = load_vision_config((root / "slots/a/vision.toml").string());
  CHECK(s.yunet_model == resolve_path(d.yunet_model));
  CHECK(fs::exists(s.yunet_model));
  // Absolute paths are kept as written.
  std::ofstream(root / "abs.toml") << "[models]\nyunet = \"/opt/models/y.onnx\"\n";
  CHECK(load_vision_config((root / "abs.toml").string()).yunet_model == "/opt/models/y.onnx");
  fs::remove_all(root);
}
