// Camera health: turns read results and frame content into events (no frames, frozen image,
// unplugged, recovered). Time is the caller's monotonic milliseconds, so tests drive it directly.
#pragma once

#include <functional>
#include <opencv2/core.hpp>
#include <string>

#include "drivers/camera/frame_source.hpp"

namespace kiosk::camera {

enum class HealthState { Unknown, Ok, NoFrames, Frozen, Disconnected };
const char* to_string(HealthState s);

struct HealthEvent {
  HealthState state = HealthState::Unknown;
  HealthState previous = HealthState::Unknown;
  std::string detail;
  double at_ms = 0.0;
};

struct HealthSettings {
  double no_frame_ms = 2000.0;  // no frame for this long → NoFrames
  double frozen_ms = 3000.0;    // identical frames for this long → Frozen
  double frozen_mad =
      0.6;  // mean absolute difference (0..255) on a 64x48 thumbnail below which frames count as identical
};

class HealthMonitor {
 public:
  using Callback = std::function<void(const HealthEvent&)>;
  HealthMonitor(HealthSettings s, Callback cb) : s_(s), cb_(std::move(cb)) {}

  // Feed every read result with the monotonic time it returned at.
  void on_read(const ReadResult& r, double now_ms);
  HealthState state() const { return state_; }

 private:
  void set(HealthState st, std::string detail, double now_ms);
  HealthSettings s_;
  Callback cb_;
  HealthState state_ = HealthState::Unknown;
  double last_frame_ms_ = -1.0;
  double unchanged_since_ms_ = -1.0;
  double started_ms_ = -1.0;
  cv::Mat last_thumb_;
};

}  // namespace kiosk::camera
