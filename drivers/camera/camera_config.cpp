#include "drivers/camera/camera_config.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace kiosk::camera {
namespace {

std::string at(const std::string& origin, const toml::node& n) {
  const auto& src = n.source();
  return src.begin.line ? origin + ":" + std::to_string(src.begin.line) : origin;
}

template <typename T>
void get(const toml::table& t, const std::string& origin, const char* key, T& out, const char* want) {
  const toml::node* n = t.get(key);
  if (!n) return;
  if constexpr (std::is_same_v<T, double>) {
    if (auto v = n->value<double>()) {  // integers are accepted for doubles (fps = 30)
      out = *v;
      return;
    }
  } else if (auto v = n->value_exact<T>()) {
    out = *v;
    return;
  }
  throw CameraConfigError(at(origin, *n) + ": camera." + key + " must be " + want);
}

}  // namespace

CameraConfig parse_camera_config(std::string_view text, const std::string& origin) {
  toml::table doc;
  try {
    doc = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw CameraConfigError(origin + ":" + std::to_string(e.source().begin.line) + ": " +
                            std::string(e.description()));
  }
  CameraConfig c;
  for (auto&& [k, v] : doc)
    if (k.str() != "camera")
      throw CameraConfigError(at(origin, v) + ": unknown table [" + std::string(k.str()) + "]");
  const toml::node* cam_node = doc.get("camera");
  if (!cam_node) return c;
  const toml::table* cam = cam_node->as_table();
  if (!cam) throw CameraConfigError(at(origin, *cam_node) + ": camera must be a table");
  for (auto&& [k, v] : *cam) {
    static constexpr std::string_view known[] = {"source", "width", "height", "fps", "mjpg", "qr", "qr_fps"};
    bool ok = false;
    for (auto kk : known) ok = ok || k.str() == kk;
    if (!ok) throw CameraConfigError(at(origin, v) + ": unknown key camera." + std::string(k.str()));
  }
  std::int64_t width = c.settings.width, height = c.settings.height;
  get(*cam, origin, "source", c.source, "a string");
  get(*cam, origin, "width", width, "an integer");
  get(*cam, origin, "height", height, "an integer");
  get(*cam, origin, "fps", c.settings.fps, "a number");
  get(*cam, origin, "mjpg", c.settings.mjpg, "true or false");
  get(*cam, origin, "qr", c.qr, "true or false");
  get(*cam, origin, "qr_fps", c.qr_fps, "a number");
  if (c.source.empty()) throw CameraConfigError(origin + ": camera.source is empty");
  if (width < 160 || width > 4096 || height < 120 || height > 4096)
    throw CameraConfigError(origin + ": camera width/height out of range (160..4096 x 120..4096)");
  if (!(c.settings.fps > 0 && c.settings.fps <= 120) || !(c.qr_fps > 0 && c.qr_fps <= 60))
    throw CameraConfigError(origin + ": camera fps (0..120] or qr_fps (0..60] out of range");
  c.settings.width = static_cast<int>(width);
  c.settings.height = static_cast<int>(height);
  if (c.source.rfind("v4l2:", 0) == 0) c.settings.device = c.source.substr(5);
  return c;
}

CameraConfig load_camera_config(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return CameraConfig{};
  std::ifstream in(path);
  if (!in) throw CameraConfigError(path + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_camera_config(ss.str(), path);
}

}  // namespace kiosk::camera
