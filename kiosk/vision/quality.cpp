#include "kiosk/vision/quality.hpp"

#include <algorithm>
#include <cmath>

namespace kiosk::vision {

QualityResult assess_quality(const cv::Mat& gray, const std::vector<Face>& faces, const VisionConfig& cfg) {
  QualityResult q;
  if (faces.empty()) {
    q.key = "vision.guide.no_face";
    return q;
  }
  if (faces.size() > 1) {
    q.key = "vision.guide.multiple_faces";
    return q;
  }
  const Face& f = faces.front();
  q.pose = estimate_pose(f);
  const cv::Mat aligned = aligned_gray(gray, f);
  q.signals = region_signals(aligned);
  const double W = gray.cols, H = gray.rows;
  const double iod_frac = q.pose.iod / W;
  const cv::Point2f c(f.box.x + f.box.width / 2, f.box.y + f.box.height / 2);
  const double off = std::hypot(c.x - W / 2, (c.y - H / 2)) / W;
  const auto& s = q.signals;
  if (s.face_luma < cfg.min_luma)
    q.key = "vision.guide.too_dark";
  else if (s.face_luma > cfg.max_luma)
    q.key = "vision.guide.too_bright";
  else if (iod_frac < cfg.min_iod_frac)
    q.key = "vision.guide.closer";
  else if (iod_frac > cfg.max_iod_frac)
    q.key = "vision.guide.farther";
  else if (off > cfg.max_center_offset)
    q.key = "vision.guide.center";
  else if (s.cheek_luma > 1 && s.forehead_luma / s.cheek_luma < cfg.hat_ratio)
    q.key = "vision.guide.remove_hat";
  else if (s.cheek_luma > 1 && s.eye_band_luma / s.cheek_luma < cfg.sunglasses_ratio)
    q.key = "vision.guide.remove_sunglasses";
  else if (std::abs(q.pose.yaw_deg) > cfg.max_yaw_deg || std::abs(q.pose.roll_deg) > cfg.max_roll_deg ||
           std::abs(q.pose.pitch_ratio - 0.55) > cfg.max_pitch_dev)
    q.key = "vision.guide.face_forward";
  else if (s.face_contrast < cfg.min_contrast)
    q.key = "vision.guide.low_contrast";
  else if (s.sharpness < cfg.min_sharpness)
    q.key = "vision.guide.hold_still";
  else
    q.key = "vision.guide.ok";
  q.ok = q.key == "vision.guide.ok";
  // Best-shot ranking: sharp, frontal, centred, well lit.
  const double sharp = std::min(1.0, s.sharpness / (4 * cfg.min_sharpness));
  const double frontal =
      1.0 - std::min(1.0, std::abs(q.pose.yaw_deg) / 30.0 + std::abs(q.pose.roll_deg) / 45.0);
  const double centred = 1.0 - std::min(1.0, off / (2 * cfg.max_center_offset));
  const double light = 1.0 - std::min(1.0, std::abs(s.face_luma - 128.0) / 128.0);
  q.score = 0.4 * sharp + 0.3 * frontal + 0.15 * centred + 0.15 * light;
  return q;
}

}  // namespace kiosk::vision
