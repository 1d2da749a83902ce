// Loading the camera module (libkiosk_camera_videoio.so, OpenCV videoio) on first use. The kiosk opens its
// camera after the first frame, so the module's ~240 libraries load then, not at exec.
#pragma once

#include <string>

namespace kiosk::camera {

// Bumped whenever FrameSource or CameraSettings change layout: a module from another build is refused.
inline constexpr int kModuleAbi = 1;

struct ModuleInfo {
  bool loaded = false;
  std::string path;   // the file loaded (or the last one tried)
  std::string error;  // why it could not be loaded
};

// Loads the module once (thread-safe) from, in order: $KIOSK_CAMERA_MODULE, <exe dir>/../lib/kiosk/
// (the installed package), the build tree. Never throws.
const ModuleInfo& camera_module();

// Tries one file as the camera module (technician diagnostics, tests); does not change camera_module().
ModuleInfo probe_camera_module(const std::string& path);

}  // namespace kiosk::camera
