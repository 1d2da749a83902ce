// Quality gate: exactly one face, size, centring in the oval, pose, light, sharpness, occlusion hints.
// Returns the single most useful guidance key for the resident.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "kiosk/vision/face.hpp"
#include "kiosk/vision/vision_config.hpp"

namespace kiosk::vision {

struct QualityResult {
  bool ok = false;
  std::string key;  // guidance key: "vision.guide.ok" when ok
  Pose pose;
  RegionSignals signals;
  double score = 0;  // 0..1 best-shot ranking (only meaningful when ok)
};

// `gray` is the frame in grey; faces come from the detector (frame coordinates).
QualityResult assess_quality(const cv::Mat& gray, const std::vector<Face>& faces, const VisionConfig& cfg);

}  // namespace kiosk::vision
