// One certification attempt, frame by frame, on the caller's thread (the worker runs it; tests drive
// it directly). Positioning (quality gate + per-session baseline) → N random actions, each with its
// own timeout, on the same tracked face → passive anti-spoofing fused with the active result.
#pragma once

#include <functional>
#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <random>
#include <vector>

#include "drivers/camera/frame_source.hpp"
#include "kiosk/vision/antispoof.hpp"
#include "kiosk/vision/detector.hpp"
#include "kiosk/vision/evidence.hpp"
#include "kiosk/vision/quality.hpp"
#include "kiosk/vision/vision_config.hpp"
#include "kiosk/vision/vision_events.hpp"

namespace kiosk::vision {

// Draws `n` distinct actions from the five with a CSPRNG (std::random_device → getrandom).
std::vector<Action> draw_actions(int n);

struct FrameTimings {
  double detect_ms = 0, measure_ms = 0, antispoof_ms = 0, total_ms = 0;
};

struct FrameAnalysis {
  std::vector<Face> faces;
  QualityResult quality;
  FrameTimings timings;
  std::string guidance;  // current instruction key
  double progress = 0;   // current action progress
  bool finished = false;
};

class FaceSession {
 public:
  using Post = std::function<void(VisionEvent)>;
  // detector is required; antispoof and matcher may be null. `actions` empty → drawn at random.
  FaceSession(const VisionConfig& cfg, FaceDetector& detector, PassiveAntiSpoof* antispoof, Post post,
              std::vector<Action> actions = {});

  void set_matcher(std::shared_ptr<FaceMatcher> matcher, std::vector<std::uint8_t> id_photo);
  FrameAnalysis process(const camera::Frame& frame);
  // Ends the attempt (no-op once finished).
  void cancel();
  void camera_failed(const std::string& detail);
  void note_dropped(std::int64_t n) { dropped_ += n; }

  bool finished() const { return finished_; }
  const std::vector<Action>& actions() const { return actions_; }

 private:
  struct Signals {
    double yaw = 0, pitch = 0, eye = 0, mouth = 0;
  };
  struct Detector {  // per-action motion detector
    bool peak = false;
    int hold = 0;
    double peak_ts = 0;
    double progress = 0;
    bool done = false;
    cv::Mat peak_frame;
    cv::Rect2f peak_box;
  };

  void post(VisionEvent e) {
    if (post_) post_(std::move(e));
  }
  void guide(const std::string& key);
  void start_action(std::size_t i, double ts);
  void update_detector(Action a, Detector& d, const Signals& s, double ts, const cv::Mat& bgr,
                       const cv::Rect2f& box, double strictness);
  void finish(Verdict v, const std::string& reason, double ts);
  void fail(const std::string& reason, double ts) { finish(Verdict::Fail, reason, ts); }
  void consider_best(const cv::Mat& bgr, const Face& f, double q);
  void maybe_passive(const cv::Mat& bgr, const Face& f, FrameTimings& t);

  VisionConfig cfg_;
  FaceDetector& det_;
  PassiveAntiSpoof* fas_;
  Post post_;
  std::vector<Action> actions_;
  std::shared_ptr<FaceMatcher> matcher_;
  std::vector<std::uint8_t> id_photo_;

  enum class Phase { Positioning, Acting, Done } phase_ = Phase::Positioning;
  bool finished_ = false;
  double t0_ = -1;
  std::string last_guidance_;
  std::vector<Signals> baseline_samples_;
  Signals base_;
  std::size_t current_ = 0;
  double action_start_ts_ = 0;
  Detector cur_;
  std::vector<std::pair<Action, Detector>> others_;
  std::vector<ActionOutcome> outcomes_;
  // tracking
  cv::Rect2f last_box_;
  cv::Mat last_thumb_;
  double last_seen_ts_ = -1;
  double multi_since_ts_ = -1;
  // passive
  int good_frames_ = 0;
  std::vector<double> passive_scores_;
  // evidence
  Evidence evidence_;
  cv::Mat best_frame_;
  cv::Rect2f best_box_;
  std::int64_t frames_ = 0, dropped_ = 0;
  double last_ts_ = 0;
};

}  // namespace kiosk::vision
