// Evidence helpers and the optional 1:1 comparison plugin.
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/vision/vision_events.hpp"

namespace kiosk::vision {

// Overwrites the bytes (face images) before releasing them.
void wipe_bytes(std::vector<std::uint8_t>& v);

// JPEG of the face region (box enlarged 2x, clipped to the frame) — never the whole hall.
std::vector<std::uint8_t> encode_face_jpeg(const cv::Mat& bgr, const cv::Rect2f& box, int quality);

// 1:1 comparison with the ID photo. Provisioned as a plugin when a recognizer model (e.g. SFace) and
// the ID photo decoder exist; neither is available on Debian 12 today, so the default reports
// "not_available".
class FaceMatcher {
 public:
  virtual ~FaceMatcher() = default;
  virtual std::string name() const = 0;
  virtual bool available() const = 0;
  // Similarity in 0..1, or nullopt when the photo cannot be decoded.
  virtual std::optional<double> compare(const cv::Mat& live_face_bgr,
                                        const std::vector<std::uint8_t>& id_photo) = 0;
};

class UnavailableMatcher final : public FaceMatcher {
 public:
  std::string name() const override { return "none"; }
  bool available() const override { return false; }
  std::optional<double> compare(const cv::Mat&, const std::vector<std::uint8_t>&) override {
    return std::nullopt;
  }
};

}  // namespace kiosk::vision
