#include "kiosk/vision/antispoof.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace kiosk::vision {

PassiveAntiSpoof::PassiveAntiSpoof(const std::string& v2_path, const std::string& v1se_path) {
  try {
    v2_ = cv::dnn::readNetFromONNX(v2_path);
    v1se_ = cv::dnn::readNetFromONNX(v1se_path);
  } catch (const cv::Exception& e) {
    throw std::runtime_error(std::string("MiniFASNet model load failed: ") + e.what());
  }
  if (v2_.empty() || v1se_.empty()) throw std::runtime_error("MiniFASNet model load failed");
  for (auto* n : {&v2_, &v1se_}) {
    n->setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    n->setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  }
}

cv::Rect PassiveAntiSpoof::crop_box(const cv::Size& frame, const cv::Rect2f& box, double scale) {
  const double W = frame.width, H = frame.height;
  const double bw = std::max(1.0f, box.width), bh = std::max(1.0f, box.height);
  scale = std::min({scale, (H - 1) / bh, (W - 1) / bw});
  const double nw = bw * scale, nh = bh * scale;
  const double cx = box.x + bw / 2.0, cy = box.y + bh / 2.0;
  double x0 = cx - nw / 2, y0 = cy - nh / 2, x1 = cx + nw / 2, y1 = cy + nh / 2;
  if (x0 < 0) {
    x1 -= x0;
    x0 = 0;
  }
  if (y0 < 0) {
    y1 -= y0;
    y0 = 0;
  }
  if (x1 > W - 1) {
    x0 -= x1 - W + 1;
    x1 = W - 1;
  }
  if (y1 > H - 1) {
    y0 -= y1 - H + 1;
    y1 = H - 1;
  }
  cv::Rect r(static_cast<int>(x0), static_cast<int>(y0), static_cast<int>(x1 - x0) + 1,
             static_cast<int>(y1 - y0) + 1);
  return r & cv::Rect(0, 0, frame.width, frame.height);
}

double PassiveAntiSpoof::score(const cv::Mat& bgr, const cv::Rect2f& box) {
  double sum = 0;
  for (auto [net, s] : {std::pair{&v2_, 2.7}, std::pair{&v1se_, 4.0}}) {
    const cv::Rect r = crop_box(bgr.size(), box, s);
    if (r.width < 2 || r.height < 2) return 0.0;
    cv::Mat crop;
    cv::resize(bgr(r), crop, cv::Size(80, 80));
    cv::Mat blob = cv::dnn::blobFromImage(crop, 1.0, cv::Size(), cv::Scalar(), false, false);
    net->setInput(blob);
    cv::Mat out = net->forward();
    const float* l = out.ptr<float>(0);
    const float mx = std::max({l[0], l[1], l[2]});
    const double e0 = std::exp(l[0] - mx), e1 = std::exp(l[1] - mx), e2 = std::exp(l[2] - mx);
    sum += e1 / (e0 + e1 + e2);
  }
  return sum / 2.0;
}

}  // namespace kiosk::vision
