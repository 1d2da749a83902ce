// Still-image files and JPEG bytes for the camera, vision and QR code (stb_image / stb_image_write).
// Deliberately not OpenCV's imgcodecs: that library pulls ~140 shared libraries (GDAL, GDCM, HEIF …) into
// every process that links it, which cost the kiosk ~0.2 s of its cold start.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiosk::camera {

class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ImageMode { Color, Grey };

// PNG, JPEG, BMP, PGM/PPM, TGA, GIF (first frame) as 8-bit BGR (Color) or 8-bit grey. Throws ImageError
// naming the file and the reason.
cv::Mat read_image(const std::string& path, ImageMode mode = ImageMode::Color);
cv::Mat decode_image(std::span<const std::uint8_t> bytes, ImageMode mode = ImageMode::Color);

// Writes an 8-bit grey, BGR or BGRA image; the format follows the extension (.png, .jpg/.jpeg, .bmp).
// Returns false (and says why in `error`) when the image or the path cannot be written.
bool write_image(const std::string& path, const cv::Mat& img, std::string* error = nullptr,
                 int jpeg_quality = 90);

// Baseline JPEG of an 8-bit grey or BGR image (empty on an empty image).
std::vector<std::uint8_t> encode_jpeg(const cv::Mat& img, int quality);

// 8-bit BGR from grey, BGRA, BGR or deeper input (shares data when already 8-bit BGR).
cv::Mat to_bgr(const cv::Mat& m);

}  // namespace kiosk::camera
