#include "kiosk/vision/flow_bridge.hpp"

#include <fmt/format.h>

namespace kiosk::vision {

std::optional<core::Command> face_result_command(const VisionResult& r) {
  switch (r.verdict) {
    case Verdict::Cancelled:
      return std::nullopt;
    case Verdict::CameraError:
      return core::Command{"face.result", "error"};
    case Verdict::Fail: {
      std::string reason = r.reason_key;
      if (reason.rfind("vision.fail.", 0) == 0) reason = reason.substr(12);
      if (reason.empty() || reason.find(' ') != std::string::npos) reason = "not_live";
      return core::Command{"face.result", "fail reason=" + reason};
    }
    case Verdict::Pass: {
      std::string arg = "pass";
      if (r.report.passive_score) arg += fmt::format(" score={:.3f}", *r.report.passive_score);
      arg += fmt::format(" quality={:.3f}", r.evidence.best_quality);
      std::string actions;
      for (const auto& a : r.report.actions) actions += (actions.empty() ? "" : ",") + std::string(to_string(a.action));
      if (!actions.empty()) arg += " actions=" + actions;
      return core::Command{"face.result", arg};
    }
  }
  return std::nullopt;
}

FaceEvidence take_face_evidence(VisionResult& r) {
  FaceEvidence e{std::move(r.evidence.best_jpeg), std::move(r.evidence.action_jpegs), r.evidence.best_quality};
  r.evidence.wipe();
  return e;
}

}  // namespace kiosk::vision
