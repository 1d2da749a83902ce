#include "kiosk/vision/flow_bridge.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include "kiosk/vision/evidence.hpp"

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
      for (const auto& a : r.report.actions)
        actions += (actions.empty() ? "" : ",") + std::string(to_string(a.action));
      if (!actions.empty()) arg += " actions=" + actions;
      return core::Command{"face.result", arg};
    }
  }
  return std::nullopt;
}

FaceEvidence take_face_evidence(VisionResult& r) {
  FaceEvidence e{std::move(r.evidence.best_jpeg), std::move(r.evidence.action_jpegs),
                 r.evidence.best_quality};
  r.evidence.wipe();
  return e;
}

void FaceEvidence::wipe() {
  wipe_bytes(best_jpeg);
  for (auto& j : action_jpegs) wipe_bytes(j);
  action_jpegs.clear();
  quality = 0;
}

std::string face_jpeg_base64(const FaceEvidence& e) {
  if (e.best_jpeg.empty()) return {};
  std::string out(sodium_base64_ENCODED_LEN(e.best_jpeg.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), e.best_jpeg.data(), e.best_jpeg.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

}  // namespace kiosk::vision
