#include "kiosk/vision/detector.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <stdexcept>

namespace kiosk::vision {
namespace {

cv::Mat downscale(const cv::Mat& bgr, int width, double& scale) {
  scale = 1.0;
  if (bgr.cols <= width) return bgr;
  scale = static_cast<double>(bgr.cols) / width;
  cv::Mat small;
  cv::resize(bgr, small, cv::Size(width, static_cast<int>(std::lround(bgr.rows / scale))), 0, 0,
             cv::INTER_LINEAR);
  return small;
}

class YuNetDetector final : public FaceDetector {
 public:
  YuNetDetector(const std::string& model, int width, float score, float nms) : width_(width) {
    det_ = cv::FaceDetectorYN::create(model, "", cv::Size(320, 240), score, nms, 50);
  }
  std::vector<Face> detect(const cv::Mat& bgr) override {
    double scale = 1.0;
    cv::Mat small = downscale(bgr, width_, scale);
    if (small.size() != input_) {
      input_ = small.size();
      det_->setInputSize(input_);
    }
    cv::Mat out;
    det_->detect(small, out);
    std::vector<Face> faces;
    for (int i = 0; i < out.rows; ++i) {
      const float* r = out.ptr<float>(i);
      Face f;
      const auto s = static_cast<float>(scale);
      f.box = cv::Rect2f(r[0] * s, r[1] * s, r[2] * s, r[3] * s);
      for (int k = 0; k < 5; ++k)
        f.pts[static_cast<std::size_t>(k)] = cv::Point2f(r[4 + 2 * k] * s, r[5 + 2 * k] * s);
      f.score = r[14];
      faces.push_back(f);
    }
    std::sort(faces.begin(), faces.end(), [](const Face& a, const Face& b) { return a.score > b.score; });
    return faces;
  }
  std::string name() const override { return "yunet-2022mar"; }
  bool has_landmarks() const override { return true; }

 private:
  int width_;
  cv::Size input_{320, 240};
  cv::Ptr<cv::FaceDetectorYN> det_;
};

class HaarDetector final : public FaceDetector {
 public:
  HaarDetector(const std::string& path, int width) : width_(width) {
    if (!cascade_.load(path)) throw std::runtime_error("cannot load Haar cascade " + path);
  }
  std::vector<Face> detect(const cv::Mat& bgr) override {
    double scale = 1.0;
    cv::Mat small = downscale(bgr, width_, scale), gray;
    cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
    cv::equalizeHist(gray, gray);
    std::vector<cv::Rect> rects;
    std::vector<int> levels;
    std::vector<double> weights;
    cascade_.detectMultiScale(gray, rects, levels, weights, 1.1, 4, 0, cv::Size(30, 30), cv::Size(), true);
    std::vector<Face> faces;
    for (std::size_t i = 0; i < rects.size(); ++i) {
      const auto s = static_cast<float>(scale);
      Face f;
      f.box = cv::Rect2f(rects[i].x * s, rects[i].y * s, rects[i].width * s, rects[i].height * s);
      auto at = [&](float fx, float fy) {
        return cv::Point2f(f.box.x + fx * f.box.width, f.box.y + fy * f.box.height);
      };
      f.pts = {at(0.31f, 0.40f), at(0.69f, 0.40f), at(0.5f, 0.60f), at(0.35f, 0.78f), at(0.65f, 0.78f)};
      f.score = static_cast<float>(std::clamp(weights.empty() ? 1.0 : weights[i] / 5.0, 0.0, 1.0));
      f.landmarks_estimated = true;
      faces.push_back(f);
    }
    std::sort(faces.begin(), faces.end(),
              [](const Face& a, const Face& b) { return a.box.area() > b.box.area(); });
    return faces;
  }
  std::string name() const override { return "haar-frontalface-default"; }
  bool has_landmarks() const override { return false; }

 private:
  int width_;
  cv::CascadeClassifier cascade_;
};

}  // namespace

std::unique_ptr<FaceDetector> make_yunet_detector(const std::string& model_path, int detect_width,
                                                  float score_threshold, float nms_threshold) {
  if (!std::filesystem::is_regular_file(model_path))
    throw std::runtime_error("YuNet model missing: " + model_path);
  return std::make_unique<YuNetDetector>(model_path, detect_width, score_threshold, nms_threshold);
}

std::unique_ptr<FaceDetector> make_haar_detector(const std::string& cascade_path, int detect_width) {
  return std::make_unique<HaarDetector>(cascade_path, detect_width);
}

std::unique_ptr<FaceDetector> make_detector(const VisionConfig& cfg) {
  const std::string yunet = resolve_path(cfg.yunet_model);
  try {
    return make_yunet_detector(yunet, cfg.detect_width, cfg.score_threshold, cfg.nms_threshold);
  } catch (const std::exception& e) {
    spdlog::warn("vision: YuNet unavailable ({}), falling back to Haar cascade (degraded: no landmarks)",
                 e.what());
  }
  return make_haar_detector(cfg.haar_cascade, cfg.detect_width);
}

}  // namespace kiosk::vision
