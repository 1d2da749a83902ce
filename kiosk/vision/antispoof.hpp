// Passive (silent) anti-spoofing with minivision's MiniFASNet pair (Apache-2.0) through cv::dnn.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <string>

#include "kiosk/vision/face.hpp"

namespace kiosk::vision {

class PassiveAntiSpoof {
 public:
  // Throws std::runtime_error when a model cannot be loaded.
  PassiveAntiSpoof(const std::string& v2_path, const std::string& v1se_path);
  // Probability (0..1) that the face is a real capture: class-1 softmax averaged over both nets.
  double score(const cv::Mat& bgr, const cv::Rect2f& box);

  // The crop the repo's test.py feeds: box scaled around its centre, shifted to stay in the frame.
  static cv::Rect crop_box(const cv::Size& frame, const cv::Rect2f& box, double scale);

 private:
  cv::dnn::Net v2_, v1se_;
};

}  // namespace kiosk::vision
