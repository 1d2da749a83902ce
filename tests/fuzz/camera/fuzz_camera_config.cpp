// Fuzzes the camera's config parsers (files a technician edits or an ops bundle ships): camera.toml and
// vision.toml. Bad input must be refused with their typed errors, never a crash or another exception.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "drivers/camera/camera_config.hpp"
#include "kiosk/vision/vision_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  try {
    auto c = kiosk::camera::parse_camera_config(in, "camera.toml");
    if (c.settings.width < 160 || c.settings.fps <= 0 || c.qr_fps <= 0 || c.source.empty()) __builtin_trap();
  } catch (const kiosk::camera::CameraConfigError&) {
  }
  try {
    (void)kiosk::vision::parse_vision_config(in);
  } catch (const std::runtime_error&) {  // the vision parser's documented error type
  }
  return 0;
}
