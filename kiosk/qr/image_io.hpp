// Reading still images for kioskctl, tests and benchmarks (camera::read_image with the QR error type).
#pragma once

#include <opencv2/core.hpp>
#include <stdexcept>
#include <string>

namespace kiosk::qr {

class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// 8-bit grey image from PNG, JPEG, BMP, PGM, ... Throws ImageError.
cv::Mat read_grey(const std::string& path);

}  // namespace kiosk::qr
