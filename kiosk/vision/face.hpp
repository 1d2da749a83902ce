// Face detections and the per-frame measurements the quality gate and liveness work on.
#pragma once

#include <array>
#include <opencv2/core.hpp>

namespace kiosk::vision {

// 5 landmarks in YuNet order: subject's right eye, left eye, nose tip, right and left mouth corner
// (in an unmirrored camera frame the subject's right eye is on the image's left).
struct Face {
  cv::Rect2f box;
  std::array<cv::Point2f, 5> pts{};
  float score = 0.f;
  bool landmarks_estimated = false;  // true for the Haar fallback (points guessed from the box)
};

struct Pose {
  double iod = 0;  // inter-ocular distance, px
  double roll_deg = 0;
  double yaw_ratio = 0;  // (nose - eye_mid) along the eye axis / iod; ~0 frontal, + = nose toward image +x
  double yaw_deg = 0;    // approximate, from yaw_ratio
  double pitch_ratio =
      0;  // nose drop below the eye line / mouth drop; ~0.5-0.6 frontal, grows when nodding down
};
Pose estimate_pose(const Face& f);

// Similarity transform that maps the eyes to fixed points of a 112x112 face crop (iod = 40 px).
constexpr int kAlignedSize = 112;
cv::Mat align_matrix(const Face& f);
cv::Mat aligned_gray(const cv::Mat& gray, const Face& f);

// Eye and mouth region signals on the aligned face (no 68-point model needed).
struct RegionSignals {
  double eye_open = 0;    // texture of the eye patches (stddev of luma); drops when the lids close
  double mouth_dark = 0;  // fraction of dark pixels between the mouth corners; grows when the mouth opens
  double forehead_luma = 0, cheek_luma = 0, eye_band_luma = 0;
  double sharpness = 0;  // variance of the Laplacian of the aligned face
  double face_luma = 0, face_contrast = 0;
};
RegionSignals region_signals(const cv::Mat& aligned);

double iou(const cv::Rect2f& a, const cv::Rect2f& b);
// Normalised cross-correlation of two equally sized 8-bit images (1 = identical pattern).
double ncc(const cv::Mat& a, const cv::Mat& b);

}  // namespace kiosk::vision
