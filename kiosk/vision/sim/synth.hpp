// Motion sequences synthesised from real photographs (tests/data/vision, see PROVENANCE.md): local
// warps anchored on YuNet's landmarks move the nose (head turn, nod), paint the eye openings shut
// (blink) or open a dark mouth cavity; whole-image transforms simulate a photo moved in front of the
// camera. Used by the unit tests, the benchmark and the demo's simulated resident (kiosk --demo without a
// camera).
#pragma once

#include <cmath>
#include <cstdlib>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "drivers/camera/image_io.hpp"
#include "kiosk/vision/detector.hpp"
#include "kiosk/vision/vision_config.hpp"
#include "kiosk/vision/vision_events.hpp"

namespace kiosk::vision::synth {

inline std::string data_path(const std::string& rel) {
  const char* env = std::getenv("KIOSK_SOURCE_DIR");
  return std::string(env && *env ? env : KIOSK_SOURCE_DIR) + "/tests/data/vision/" + rel;
}

inline VisionConfig test_config() {
  VisionConfig c;
  c.yunet_model = resolve_path(c.yunet_model);
  c.fas_model_v2 = resolve_path(c.fas_model_v2);
  c.fas_model_v1se = resolve_path(c.fas_model_v1se);
  c.action_timeout_ms = 2000;
  c.start_timeout_ms = 3000;
  return c;
}

// The astronaut photograph scaled and centred on a 640x480 canvas (face iod ≈ 100 px).
inline cv::Mat kiosk_frame(const std::string& rel = "astronaut.png", double scale = 2.0,
                           cv::Point2d face_at = {0.5, 0.45}, cv::Rect crop = {120, 20, 240, 220}) {
  cv::Mat img = camera::read_image(data_path(rel));
  crop &= cv::Rect(0, 0, img.cols, img.rows);
  cv::Mat c, canvas(480, 640, CV_8UC3, cv::Scalar(90, 100, 110));
  cv::resize(img(crop), c, cv::Size(), scale, scale, cv::INTER_CUBIC);
  const int x = static_cast<int>(face_at.x * 640 - c.cols / 2.0),
            y = static_cast<int>(face_at.y * 480 - c.rows / 2.0);
  cv::Rect dst(x, y, c.cols, c.rows);
  cv::Rect clip = dst & cv::Rect(0, 0, 640, 480);
  c(cv::Rect(clip.x - x, clip.y - y, clip.width, clip.height)).copyTo(canvas(clip));
  return canvas;
}

inline double iod_of(const Face& f) {
  return cv::norm(f.pts[1] - f.pts[0]);
}

// Shifts the region around `centre` by (dx, dy) with a Gaussian falloff (sigma in px).
inline cv::Mat local_shift(const cv::Mat& src, cv::Point2f centre, double dx, double dy, double sigma) {
  cv::Mat mx(src.size(), CV_32F), my(src.size(), CV_32F);
  for (int y = 0; y < src.rows; ++y) {
    auto* px = mx.ptr<float>(y);
    auto* py = my.ptr<float>(y);
    for (int x = 0; x < src.cols; ++x) {
      const double g = std::exp(-((x - centre.x) * (x - centre.x) + (y - centre.y) * (y - centre.y)) /
                                (2 * sigma * sigma));
      px[x] = static_cast<float>(x - dx * g);
      py[x] = static_cast<float>(y - dy * g);
    }
  }
  cv::Mat out;
  cv::remap(src, out, mx, my, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return out;
}

// Head turn: amount is the nose shift in iod units (+ = toward image +x = the subject's left).
inline cv::Mat turn(const cv::Mat& base, const Face& f, double amount) {
  const double d = iod_of(f);
  return local_shift(base, f.pts[2], amount * d, 0, 0.55 * d);
}
inline cv::Mat nod(const cv::Mat& base, const Face& f, double amount) {
  const double d = iod_of(f);
  return local_shift(base, f.pts[2], 0, amount * d, 0.55 * d);
}

// Closed eyes: the eye openings painted with the skin just below them, plus a lash line.
inline cv::Mat blink(const cv::Mat& base, const Face& f, double closed = 1.0) {
  cv::Mat out = base.clone();
  const double d = iod_of(f);
  for (int k = 0; k < 2; ++k) {
    const cv::Point2f e = f.pts[static_cast<std::size_t>(k)];
    const cv::Rect skin(static_cast<int>(e.x - 0.2 * d), static_cast<int>(e.y + 0.25 * d),
                        static_cast<int>(0.4 * d), static_cast<int>(0.12 * d));
    const cv::Scalar tone = cv::mean(base(skin & cv::Rect(0, 0, base.cols, base.rows)));
    cv::Mat mask = cv::Mat::zeros(base.size(), CV_8U);
    cv::ellipse(mask, e, cv::Size(static_cast<int>(0.28 * d), static_cast<int>(0.14 * d)), 0, 0, 360,
                cv::Scalar(255), -1);
    cv::GaussianBlur(mask, mask, cv::Size(0, 0), 0.04 * d);
    cv::Mat lid(base.size(), base.type(), tone);
    cv::line(lid, e - cv::Point2f(static_cast<float>(0.22 * d), 0),
             e + cv::Point2f(static_cast<float>(0.22 * d), 0), tone * 0.45,
             std::max(1, static_cast<int>(0.02 * d)));
    for (int y = 0; y < out.rows; ++y)
      for (int x = 0; x < out.cols; ++x) {
        const double a = closed * mask.at<uchar>(y, x) / 255.0;
        if (a <= 0) continue;
        auto& o = out.at<cv::Vec3b>(y, x);
        const auto& l = lid.at<cv::Vec3b>(y, x);
        for (int c = 0; c < 3; ++c) o[c] = cv::saturate_cast<uchar>((1 - a) * o[c] + a * l[c]);
      }
  }
  return out;
}

// Open mouth: a dark cavity between the mouth corners (amount 0..1 of full opening).
inline cv::Mat open_mouth(const cv::Mat& base, const Face& f, double amount = 1.0) {
  cv::Mat out = base.clone(), layer = base.clone();
  const cv::Point2f m = (f.pts[3] + f.pts[4]) * 0.5f;
  const double w = cv::norm(f.pts[4] - f.pts[3]);
  cv::ellipse(layer, m + cv::Point2f(0, static_cast<float>(0.12 * w)),
              cv::Size(static_cast<int>(0.38 * w), static_cast<int>(0.30 * w * amount) + 1), 0, 0, 360,
              cv::Scalar(25, 20, 45), -1, cv::LINE_AA);
  cv::addWeighted(layer, 0.95, out, 0.05, 0, out);
  return out;
}

// A photo moved in front of the camera: translation, scale and in-plane rotation of the whole frame.
inline cv::Mat move_photo(const cv::Mat& base, double t) {
  const cv::Point2f c(320.f + static_cast<float>(25 * std::sin(t)),
                      240.f + static_cast<float>(12 * std::cos(t)));
  cv::Mat m = cv::getRotationMatrix2D(c, 6 * std::sin(1.3 * t), 1.0 + 0.06 * std::sin(0.7 * t));
  m.at<double>(0, 2) += 10 * std::sin(0.5 * t);
  cv::Mat out;
  cv::warpAffine(base, out, m, base.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return out;
}

// A photo swung about its vertical axis (perspective), as when held up and tilted.
inline cv::Mat tilt_photo(const cv::Mat& base, double angle_deg) {
  const double a = angle_deg * CV_PI / 180.0, f = 800.0;
  std::vector<cv::Point2f> src{{0, 0}, {640, 0}, {640, 480}, {0, 480}}, dst;
  for (const auto& p : src) {
    const double x = p.x - 320, z = x * std::sin(a);
    const double s = f / (f + z);
    dst.emplace_back(static_cast<float>(320 + x * std::cos(a) * s),
                     static_cast<float>(240 + (p.y - 240) * s));
  }
  cv::Mat out;
  cv::warpPerspective(base, out, cv::getPerspectiveTransform(src, dst), base.size(), cv::INTER_LINEAR,
                      cv::BORDER_REPLICATE);
  return out;
}

// neutral frames, a ramp into the movement, a hold, a ramp back, neutral frames.
template <typename F>
std::vector<cv::Mat> action_clip(const cv::Mat& base, F&& at, int ramp = 5, int hold = 4) {
  std::vector<cv::Mat> v;
  for (int i = 1; i <= ramp; ++i) v.push_back(at(static_cast<double>(i) / ramp));
  for (int i = 0; i < hold; ++i) v.push_back(at(1.0));
  for (int i = ramp - 1; i >= 0; --i) v.push_back(at(static_cast<double>(i) / ramp));
  for (int i = 0; i < 4; ++i) v.push_back(base);
  return v;
}

inline std::vector<cv::Mat> clip_for(Action a, const cv::Mat& base, const Face& f) {
  switch (a) {
    case Action::TurnLeft:
      return action_clip(base, [&](double k) { return turn(base, f, 0.65 * k); });
    case Action::TurnRight:
      return action_clip(base, [&](double k) { return turn(base, f, -0.9 * k); });
    case Action::Nod:
      return action_clip(base, [&](double k) { return nod(base, f, 0.5 * k); });
    case Action::Blink:
      return action_clip(
          base, [&](double k) { return k >= 0.99 ? blink(base, f) : base; }, 1, 3);
    case Action::OpenMouth:
      return action_clip(
          base, [&](double k) { return open_mouth(base, f, k); }, 3, 4);
  }
  return {};
}

}  // namespace kiosk::vision::synth
