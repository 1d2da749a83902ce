#include "kiosk/vision/evidence.hpp"

#include <algorithm>

#include "drivers/camera/image_io.hpp"

namespace kiosk::vision {

void wipe_bytes(std::vector<std::uint8_t>& v) {
  std::fill(v.begin(), v.end(), std::uint8_t{0});
  v.clear();
  v.shrink_to_fit();
}

void Evidence::wipe() {
  wipe_bytes(best_jpeg);
  for (auto& j : action_jpegs) wipe_bytes(j);
  action_jpegs.clear();
  best_quality = 0;
  comparison = "not_available";
  comparison_score.reset();
}

std::vector<std::uint8_t> encode_face_jpeg(const cv::Mat& bgr, const cv::Rect2f& box, int quality) {
  std::vector<std::uint8_t> out;
  if (bgr.empty()) return out;
  const float cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const float side = std::max(box.width, box.height) * 2.0f;
  cv::Rect r(static_cast<int>(cx - side / 2), static_cast<int>(cy - side / 2), static_cast<int>(side),
             static_cast<int>(side));
  r &= cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (r.width < 8 || r.height < 8) return out;
  return camera::encode_jpeg(bgr(r), quality);
}

const char* to_string(Action a) {
  switch (a) {
    case Action::Blink:
      return "blink";
    case Action::OpenMouth:
      return "open_mouth";
    case Action::TurnLeft:
      return "turn_left";
    case Action::TurnRight:
      return "turn_right";
    case Action::Nod:
      return "nod";
  }
  return "?";
}

std::string action_prompt_key(Action a) {
  return std::string("vision.action.") + to_string(a);
}

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::Pass:
      return "pass";
    case Verdict::Fail:
      return "fail";
    case Verdict::Cancelled:
      return "cancelled";
    case Verdict::CameraError:
      return "camera_error";
  }
  return "?";
}

}  // namespace kiosk::vision
