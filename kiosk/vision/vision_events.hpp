// Events the vision worker posts through std::function<void(VisionEvent)>. Guidance and reasons are
// string keys into config/strings/vision.<lang>.toml ("vision.guide.closer" → 请靠近一点 / Please move
// closer). No event carries personal data except VisionResult::evidence (face JPEGs), which belongs in
// SessionData and must never be logged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace kiosk::vision {

enum class Action { Blink, OpenMouth, TurnLeft, TurnRight, Nod };
const char* to_string(Action a);          // "blink", "open_mouth", "turn_left", "turn_right", "nod"
std::string action_prompt_key(Action a);  // "vision.action.blink" ...

// The instruction to show in big text and speak. Posted when it changes.
struct GuidanceEvent {
  std::string key;
};

// A new action is asked for (index 0-based of total).
struct ActionStartedEvent {
  Action action{};
  int index = 0;
  int total = 0;
  double timeout_ms = 0;
};

// Progress of the current action (0..1); done=true once the action and the return to neutral are seen.
struct ActionProgressEvent {
  Action action{};
  int index = 0;
  int total = 0;
  double progress = 0;
  bool done = false;
};

// Camera health changes (no frames, frozen, unplugged, recovered).
struct CameraStatusEvent {
  std::string state;  // camera::to_string(HealthState): ok, no_frames, frozen, disconnected
  std::string detail;
};

struct ActionOutcome {
  Action action{};
  bool passed = false;
  double elapsed_ms = 0;
  std::string failure;  // "", "timeout", "wrong_action", ...
};

struct LivenessReport {
  std::vector<ActionOutcome> actions;
  bool active_passed = false;
  bool passive_available = false;
  std::optional<double> passive_score;  // mean MiniFASNet real-class probability
  double passive_threshold = 0;
  int passive_evaluations = 0;
  bool passive_passed = false;
  std::string detector;   // "yunet-2022mar" or the fallback
  bool degraded = false;  // fallback detector: head-pose actions unavailable
  std::int64_t frames_seen = 0;
  std::int64_t frames_processed = 0;  // the rest were dropped under load
  double duration_ms = 0;
};

struct Evidence {
  std::vector<std::uint8_t> best_jpeg;                  // best-quality frontal frame of the tracked face
  std::vector<std::vector<std::uint8_t>> action_jpegs;  // one per action (peak of the movement)
  double best_quality = 0;
  // 1:1 comparison with the ID photo: "not_available" unless a FaceMatcher is provisioned.
  std::string comparison = "not_available";
  std::optional<double> comparison_score;
  void wipe();
};

enum class Verdict { Pass, Fail, Cancelled, CameraError };
const char* to_string(Verdict v);

struct VisionResult {
  Verdict verdict = Verdict::Fail;
  std::string reason_key;  // e.g. "vision.result.pass", "vision.fail.timeout", "vision.fail.spoof"
  LivenessReport report;
  Evidence evidence;
};

using VisionEvent =
    std::variant<GuidanceEvent, ActionStartedEvent, ActionProgressEvent, CameraStatusEvent, VisionResult>;

}  // namespace kiosk::vision
