#include "kiosk/vision/vision_config.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kiosk::vision {
namespace {

template <typename T>
void get(const toml::table& t, const char* section, const char* key, T& out) {
  const auto* node = t.at_path(std::string(section) + "." + key).node();
  if (!node) return;
  if constexpr (std::is_same_v<T, bool>) {
    if (!node->is_boolean())
      throw std::runtime_error(std::string("vision config: ") + section + "." + key + " must be a boolean");
    out = node->as_boolean()->get();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!node->is_string())
      throw std::runtime_error(std::string("vision config: ") + section + "." + key + " must be a string");
    out = node->as_string()->get();
  } else if constexpr (std::is_integral_v<T>) {
    if (!node->is_integer())
      throw std::runtime_error(std::string("vision config: ") + section + "." + key + " must be an integer");
    out = static_cast<T>(node->as_integer()->get());
  } else {
    if (node->is_integer())
      out = static_cast<T>(node->as_integer()->get());
    else if (node->is_floating_point())
      out = static_cast<T>(node->as_floating_point()->get());
    else
      throw std::runtime_error(std::string("vision config: ") + section + "." + key + " must be a number");
  }
}

}  // namespace

VisionConfig parse_vision_config(const std::string& text) {
  toml::table t;
  try {
    t = toml::parse(text);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(std::string("vision config: ") + std::string(e.description()));
  }
  VisionConfig c;
  get(t, "models", "yunet", c.yunet_model);
  get(t, "models", "minifasnet_v2", c.fas_model_v2);
  get(t, "models", "minifasnet_v1se", c.fas_model_v1se);
  get(t, "models", "haar_cascade", c.haar_cascade);
  get(t, "detection", "detect_width", c.detect_width);
  get(t, "detection", "score_threshold", c.score_threshold);
  get(t, "detection", "nms_threshold", c.nms_threshold);
  get(t, "quality", "min_iod_frac", c.min_iod_frac);
  get(t, "quality", "max_iod_frac", c.max_iod_frac);
  get(t, "quality", "max_center_offset", c.max_center_offset);
  get(t, "quality", "max_yaw_deg", c.max_yaw_deg);
  get(t, "quality", "max_pitch_dev", c.max_pitch_dev);
  get(t, "quality", "max_roll_deg", c.max_roll_deg);
  get(t, "quality", "min_luma", c.min_luma);
  get(t, "quality", "max_luma", c.max_luma);
  get(t, "quality", "min_contrast", c.min_contrast);
  get(t, "quality", "min_sharpness", c.min_sharpness);
  get(t, "quality", "hat_ratio", c.hat_ratio);
  get(t, "quality", "sunglasses_ratio", c.sunglasses_ratio);
  get(t, "liveness", "actions", c.actions);
  get(t, "liveness", "action_timeout_ms", c.action_timeout_ms);
  get(t, "liveness", "start_timeout_ms", c.start_timeout_ms);
  get(t, "liveness", "baseline_frames", c.baseline_frames);
  get(t, "liveness", "max_gap_ms", c.max_gap_ms);
  get(t, "liveness", "min_iou", c.min_iou);
  get(t, "liveness", "min_appearance_ncc", c.min_appearance_ncc);
  get(t, "liveness", "turn_delta", c.turn_delta);
  get(t, "liveness", "nod_delta", c.nod_delta);
  get(t, "liveness", "blink_close_ratio", c.blink_close_ratio);
  get(t, "liveness", "blink_open_ratio", c.blink_open_ratio);
  get(t, "liveness", "mouth_open_delta", c.mouth_open_delta);
  get(t, "liveness", "mouth_open_frames", c.mouth_open_frames);
  get(t, "liveness", "mirror", c.mirror);
  get(t, "liveness", "fail_on_wrong_action", c.fail_on_wrong_action);
  get(t, "antispoof", "enabled", c.passive_enabled);
  get(t, "antispoof", "require", c.require_passive);
  get(t, "antispoof", "threshold", c.passive_threshold);
  get(t, "antispoof", "every", c.passive_every);
  get(t, "antispoof", "max_evaluations", c.passive_max);
  get(t, "evidence", "jpeg_quality", c.jpeg_quality);
  if (c.actions < 1 || c.actions > 5)
    throw std::runtime_error("vision config: liveness.actions must be 1..5");
  if (c.detect_width < 80 || c.detect_width > 1920)
    throw std::runtime_error("vision config: detection.detect_width must be 80..1920");
  if (c.baseline_frames < 1 || c.baseline_frames > 100)
    throw std::runtime_error("vision config: liveness.baseline_frames must be 1..100");
  if (c.passive_every < 1) throw std::runtime_error("vision config: antispoof.every must be >= 1");
  if (c.jpeg_quality < 10 || c.jpeg_quality > 100)
    throw std::runtime_error("vision config: evidence.jpeg_quality must be 10..100");
  return c;
}

VisionConfig load_vision_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("vision config: cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  VisionConfig c = parse_vision_config(ss.str());
  // Relative model paths name files in the tree that holds config/ and assets/ (the source tree, or
  // /usr/share/kiosk when installed); a config tree elsewhere (an ops slot) falls back to resolve_path.
  namespace fs = std::filesystem;
  const fs::path root = fs::absolute(fs::path(path)).parent_path().parent_path();
  for (std::string* m : {&c.yunet_model, &c.fas_model_v2, &c.fas_model_v1se}) {
    if (m->empty() || fs::path(*m).is_absolute()) continue;
    std::error_code ec;
    *m = fs::exists(root / *m, ec) ? (root / *m).string() : resolve_path(*m);
  }
  return c;
}

std::string resolve_path(const std::string& p) {
  namespace fs = std::filesystem;
  if (p.empty() || fs::path(p).is_absolute()) return p;
  std::error_code ec;
  if (const char* env = std::getenv("KIOSK_SOURCE_DIR"); env && *env) {
    auto cand = fs::path(env) / p;
    if (fs::exists(cand, ec)) return cand.string();
  }
  // Installed: <prefix>/bin/kiosk next to <prefix>/share/kiosk/assets.
  if (auto exe = fs::read_symlink("/proc/self/exe", ec); !ec) {
    auto cand = exe.parent_path().parent_path() / "share" / "kiosk" / p;
    if (fs::exists(cand, ec)) return cand.string();
  }
#ifdef KIOSK_SOURCE_DIR
  auto cand = fs::path(KIOSK_SOURCE_DIR) / p;
  if (fs::exists(cand, ec)) return cand.string();
#endif
  return p;
}

}  // namespace kiosk::vision
