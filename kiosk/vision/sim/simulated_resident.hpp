// A simulated resident in front of a simulated camera, for `kiosk --demo` on a machine without a camera:
// frames are synthesised from a real photograph (kiosk/vision/sim/synth.hpp) and go through the real
// vision pipeline. When the vision worker asks for an action the resident performs it after a human
// reaction time; in Photo mode a printed photo is held up and moved instead (a presentation attack that
// liveness must refuse). The UI labels these results as simulated.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <optional>
#include <vector>

#include "drivers/camera/frame_source.hpp"
#include "kiosk/vision/face.hpp"
#include "kiosk/vision/vision_config.hpp"
#include "kiosk/vision/vision_events.hpp"

namespace kiosk::vision::sim {

class SimulatedResident {
 public:
  enum class Mode { Cooperative, Photo };
  // Detects the face in the photograph once (throws std::runtime_error if the photo or detector fails).
  explicit SimulatedResident(const VisionConfig& cfg, double fps = 15.0);

  void set_mode(Mode m);
  Mode mode() const;
  // The vision worker asked for `a` (call from its event callback; thread-safe).
  void on_action(Action a);
  // n distinct random actions this resident can perform (no turn_right, see the .cpp).
  static std::vector<Action> draw_actions(int n);
  // A paced, live-like source of this resident's frames (640×480 BGR).
  std::unique_ptr<camera::FrameSource> make_source();
  // The frame at source frame `seq` (used by make_source; exposed for tests).
  cv::Mat frame(std::int64_t seq);

 private:
  double fps_;
  cv::Mat base_;
  Face face_;
  mutable std::mutex mu_;
  Mode mode_ = Mode::Cooperative;
  std::optional<Action> pending_;
  std::int64_t react_at_ = -1;  // frame index at which the pending action starts
  std::int64_t last_seq_ = 0;
  std::vector<cv::Mat> clip_;
  std::size_t clip_pos_ = 0;
};

}  // namespace kiosk::vision::sim
