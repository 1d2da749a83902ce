// config/devices/camera.toml: which camera, at what size, and whether it also reads QR e-vouchers.
// Pure (toml++ only, no OpenCV) so the parser can be fuzzed.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace kiosk::camera {

struct CameraSettings {
  std::string device = "/dev/video0";  // path or index ("0")
  int width = 640;
  int height = 480;
  double fps = 30.0;
  bool mjpg = true;  // request MJPG (most USB cameras only reach 30 fps at 640x480 with it)
};

struct CameraConfig {
  std::string source = "v4l2:/dev/video0";  // v4l2:DEVICE, video:FILE, images:DIR (see make_source_from_spec)
  CameraSettings settings;
  bool qr = true;     // decode QR codes from the camera while an identify step accepts them
  double qr_fps = 8;  // frames per second handed to the QR decoder
};

// "FILE:LINE: reason" (LINE omitted when the problem is not tied to a line).
class CameraConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses camera.toml text; `origin` names it in errors. Unknown keys, wrong types and out-of-range values
// are refused (a technician's typo must not silently become a default).
CameraConfig parse_camera_config(std::string_view text, const std::string& origin);
// A missing file gives the defaults; an unreadable or bad one throws CameraConfigError.
CameraConfig load_camera_config(const std::string& path);

}  // namespace kiosk::camera
