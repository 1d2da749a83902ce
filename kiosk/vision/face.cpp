#include "kiosk/vision/face.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace kiosk::vision {

namespace {
constexpr double kPi = 3.14159265358979323846;
// Canonical eye positions in the aligned crop (image-left eye first).
const cv::Point2f kEyeA(36.f, 46.f), kEyeB(76.f, 46.f);
}  // namespace

Pose estimate_pose(const Face& f) {
  Pose p;
  const cv::Point2f e0 = f.pts[0], e1 = f.pts[1], nose = f.pts[2];
  const cv::Point2f mouth = (f.pts[3] + f.pts[4]) * 0.5f;
  const cv::Point2f mid = (e0 + e1) * 0.5f;
  const cv::Point2f axis = e1 - e0;
  p.iod = std::hypot(axis.x, axis.y);
  if (p.iod < 1e-3) return p;
  p.roll_deg = std::atan2(axis.y, axis.x) * 180.0 / kPi;
  const cv::Point2f ux(axis.x / static_cast<float>(p.iod), axis.y / static_cast<float>(p.iod));
  const cv::Point2f uy(-ux.y, ux.x);
  const cv::Point2f dn = nose - mid, dm = mouth - mid;
  p.yaw_ratio = (dn.x * ux.x + dn.y * ux.y) / p.iod;
  // Nose tip protrudes ~0.55 iod in front of the eye plane on an average adult head.
  p.yaw_deg = std::atan(p.yaw_ratio / 0.55) * 180.0 / kPi;
  const double mouth_drop = dm.x * uy.x + dm.y * uy.y;
  p.pitch_ratio = mouth_drop > 1e-3 ? (dn.x * uy.x + dn.y * uy.y) / mouth_drop : 0.0;
  return p;
}

cv::Mat align_matrix(const Face& f) {
  // Image-left eye to kEyeA, image-right eye to kEyeB.
  cv::Point2f a = f.pts[0], b = f.pts[1];
  if (a.x > b.x) std::swap(a, b);
  const cv::Point2f src = b - a, dst = kEyeB - kEyeA;
  const double ls = std::hypot(src.x, src.y), ld = std::hypot(dst.x, dst.y);
  const double s = ls > 1e-3 ? ld / ls : 1.0;
  const double ang = std::atan2(dst.y, dst.x) - std::atan2(src.y, src.x);
  const double c = s * std::cos(ang), sn = s * std::sin(ang);
  cv::Mat m(2, 3, CV_64F);
  m.at<double>(0, 0) = c;
  m.at<double>(0, 1) = -sn;
  m.at<double>(1, 0) = sn;
  m.at<double>(1, 1) = c;
  m.at<double>(0, 2) = kEyeA.x - (c * a.x - sn * a.y);
  m.at<double>(1, 2) = kEyeA.y - (sn * a.x + c * a.y);
  return m;
}

cv::Mat aligned_gray(const cv::Mat& gray, const Face& f) {
  cv::Mat out;
  cv::warpAffine(gray, out, align_matrix(f), cv::Size(kAlignedSize, kAlignedSize), cv::INTER_LINEAR,
                 cv::BORDER_REPLICATE);
  return out;
}

RegionSignals region_signals(const cv::Mat& a) {
  RegionSignals r;
  auto roi = [&](int x, int y, int w, int h) {
    cv::Rect rc(x, y, w, h);
    return a(rc & cv::Rect(0, 0, a.cols, a.rows));
  };
  cv::Scalar m, sd;
  // Eye patches: 22x12 around each canonical eye centre.
  double eye_sd = 0;
  for (const auto& e : {kEyeA, kEyeB}) {
    cv::meanStdDev(roi(static_cast<int>(e.x) - 11, static_cast<int>(e.y) - 6, 22, 12), m, sd);
    eye_sd += sd[0];
  }
  r.eye_open = eye_sd / 2.0;
  // Cheeks (below the eyes, outside the nose) give the skin reference.
  const cv::Scalar c1 = cv::mean(roi(24, 64, 18, 14)), c2 = cv::mean(roi(70, 64, 18, 14));
  r.cheek_luma = (c1[0] + c2[0]) / 2.0;
  r.forehead_luma = cv::mean(roi(34, 6, 44, 16))[0];
  r.eye_band_luma = cv::mean(roi(26, 40, 60, 12))[0];
  // Mouth box between the usual mouth corners (aligned mouth centre ~ (56, 90)).
  cv::Mat mouth = roi(40, 82, 32, 20);
  const double dark_level = std::max(20.0, 0.45 * r.cheek_luma);
  r.mouth_dark =
      static_cast<double>(cv::countNonZero(mouth < dark_level)) / static_cast<double>(mouth.total());
  cv::Mat face = roi(20, 20, 72, 84);
  cv::meanStdDev(face, m, sd);
  r.face_luma = m[0];
  r.face_contrast = sd[0];
  cv::Mat lap;
  cv::Laplacian(face, lap, CV_32F);
  cv::meanStdDev(lap, m, sd);
  r.sharpness = sd[0] * sd[0];
  return r;
}

double iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

double ncc(const cv::Mat& a, const cv::Mat& b) {
  if (a.empty() || b.empty() || a.size() != b.size()) return 0.0;
  cv::Mat r;
  cv::matchTemplate(a, b, r, cv::TM_CCOEFF_NORMED);
  return r.at<float>(0, 0);
}

}  // namespace kiosk::vision
