// Face detection: YuNet 2022mar through cv::FaceDetectorYN on a downscaled frame; OpenCV's Haar
// cascade (Debian opencv-data) as a degraded fallback when the model file is missing.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "kiosk/vision/face.hpp"
#include "kiosk/vision/vision_config.hpp"

namespace kiosk::vision {

class FaceDetector {
 public:
  virtual ~FaceDetector() = default;
  // Faces in frame coordinates, best score first.
  virtual std::vector<Face> detect(const cv::Mat& bgr) = 0;
  virtual std::string name() const = 0;
  // False for the fallback: landmarks are guessed and head-pose actions cannot be judged.
  virtual bool has_landmarks() const = 0;
};

std::unique_ptr<FaceDetector> make_yunet_detector(const std::string& model_path, int detect_width,
                                                  float score_threshold, float nms_threshold);
std::unique_ptr<FaceDetector> make_haar_detector(const std::string& cascade_path, int detect_width);

// YuNet if its model loads, else Haar (logged as degraded); throws std::runtime_error if neither loads.
std::unique_ptr<FaceDetector> make_detector(const VisionConfig& cfg);

}  // namespace kiosk::vision
