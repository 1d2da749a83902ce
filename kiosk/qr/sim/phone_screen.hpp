// Phone-screen-like test frames for the virtual camera: a code rendered with ZXing-cpp's writer on a
// phone held in front of the camera, with perspective, blur, glare, moiré, noise and dark mode.
#pragma once

#include <opencv2/core.hpp>
#include <string>

namespace kiosk::qr::sim {

struct PhoneScreenOptions {
  cv::Size frame{1280, 720};
  int code_px = 260;               // side of the code on the phone screen, before perspective
  cv::Point2f center{0.5f, 0.5f};  // phone centre, fraction of the frame
  double rotate_deg = 0;           // in-plane rotation
  double tilt_deg = 0;             // rotation about the vertical axis (perspective)
  bool dark_mode = false;          // light modules on a dark screen (inverted code)
  double blur_sigma = 0;           // defocus
  double glare = 0;                // 0..1: strength of a specular highlight over the code
  double moire = 0;                // 0..1: amplitude of screen-pixel-grid interference
  double noise_sigma = 0;          // sensor noise, grey levels
  unsigned seed = 1;               // background and noise
};

// A hall-like scene with no code: gradients, shapes, a face-sized blob, sensor noise (BGR).
cv::Mat render_background(cv::Size size, unsigned seed = 1);
// The code alone as an 8-bit grey image with a 4-module quiet zone, `side` pixels square.
cv::Mat render_code(const std::string& payload, int side);
// A full camera frame (BGR) with the phone showing `payload`.
cv::Mat render_phone_frame(const std::string& payload, const PhoneScreenOptions& opts = {});

}  // namespace kiosk::qr::sim
