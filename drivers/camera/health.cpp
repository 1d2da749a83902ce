#include "drivers/camera/health.hpp"

#include <opencv2/imgproc.hpp>

namespace kiosk::camera {

const char* to_string(HealthState s) {
  switch (s) {
    case HealthState::Unknown:
      return "unknown";
    case HealthState::Ok:
      return "ok";
    case HealthState::NoFrames:
      return "no_frames";
    case HealthState::Frozen:
      return "frozen";
    case HealthState::Disconnected:
      return "disconnected";
  }
  return "?";
}

void HealthMonitor::set(HealthState st, std::string detail, double now_ms) {
  if (st == state_) return;
  HealthEvent e{st, state_, std::move(detail), now_ms};
  state_ = st;
  if (cb_) cb_(e);
}

void HealthMonitor::on_read(const ReadResult& r, double now_ms) {
  if (started_ms_ < 0) started_ms_ = now_ms;
  if (r.status == ReadStatus::Disconnected) {
    set(HealthState::Disconnected, r.error, now_ms);
    return;
  }
  if (r.status != ReadStatus::Ok || r.frame.bgr.empty()) {
    const double since = last_frame_ms_ < 0 ? started_ms_ : last_frame_ms_;
    if (now_ms - since >= s_.no_frame_ms && state_ != HealthState::Disconnected)
      set(HealthState::NoFrames, r.error.empty() ? "no frames" : r.error, now_ms);
    return;
  }
  last_frame_ms_ = now_ms;
  cv::Mat gray, thumb;
  cv::cvtColor(r.frame.bgr, gray, cv::COLOR_BGR2GRAY);
  cv::resize(gray, thumb, cv::Size(64, 48), 0, 0, cv::INTER_AREA);
  bool same = false;
  if (!last_thumb_.empty()) {
    cv::Mat diff;
    cv::absdiff(thumb, last_thumb_, diff);
    same = cv::mean(diff)[0] < s_.frozen_mad;
  }
  last_thumb_ = thumb;
  if (!same) {
    unchanged_since_ms_ = now_ms;
    set(HealthState::Ok, "frames flowing", now_ms);
    return;
  }
  if (unchanged_since_ms_ < 0) unchanged_since_ms_ = now_ms;
  if (now_ms - unchanged_since_ms_ >= s_.frozen_ms)
    set(HealthState::Frozen, "image unchanged", now_ms);
  else if (state_ != HealthState::Frozen)
    set(HealthState::Ok, "frames flowing", now_ms);
}

}  // namespace kiosk::camera
