// Adapts the vision worker's results to the flow engine (kiosk/flow/run.hpp): a finished attempt
// becomes Command{"face.result", "pass score=0.97 quality=0.90 actions=blink,nod" | "fail reason=spoof" |
// "error"}. The arg carries no personal data (the evidence JPEGs stay in VisionResult::evidence and go
// to SessionData through face_evidence()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/events.hpp"
#include "kiosk/vision/vision_events.hpp"

namespace kiosk::vision {

// nullopt for a Cancelled attempt (whoever cancelled already moved on).
std::optional<core::Command> face_result_command(const VisionResult& r);

// The evidence the platform's certification submit needs, moved out of the result (JPEG bytes).
struct FaceEvidence {
  std::vector<std::uint8_t> best_jpeg;
  std::vector<std::vector<std::uint8_t>> action_jpegs;
  double quality = 0;
  void wipe();  // overwrites every image byte
};
FaceEvidence take_face_evidence(VisionResult& r);
// Standard base64 of the best frame, for SessionData::face["image_base64"] (what the certification
// submit sends). Set it AFTER the session handled face.result: the flow replaces SessionData::face.
std::string face_jpeg_base64(const FaceEvidence& e);

}  // namespace kiosk::vision
