// VisionResult → the flow engine's "face.result" command, from real attempts on synthesised-from-real frames.
#include <catch2/catch.hpp>
#include <regex>

#include "kiosk/vision/face_session.hpp"
#include "kiosk/vision/flow_bridge.hpp"
#include "kiosk/vision/sim/synth.hpp"

using namespace kiosk::vision;

namespace {
VisionResult attempt(const std::vector<cv::Mat>& frames, std::vector<Action> actions, PassiveAntiSpoof* fas) {
  auto cfg = synth::test_config();
  auto det = make_detector(cfg);
  std::optional<VisionResult> res;
  FaceSession s(
      cfg, *det, fas,
      [&](VisionEvent e) {
        if (auto* v = std::get_if<VisionResult>(&e)) res = std::move(*v);
      },
      std::move(actions));
  std::int64_t seq = 0;
  for (const auto& f : frames) {
    s.process({f, seq, static_cast<double>(seq) * 1000.0 / 30.0});
    ++seq;
    if (s.finished()) break;
  }
  REQUIRE(res);
  return *res;
}
}  // namespace

TEST_CASE("a passed attempt becomes 'face.result pass ...' and its evidence moves to the caller") {
  auto cfg = synth::test_config();
  PassiveAntiSpoof fas(cfg.fas_model_v2, cfg.fas_model_v1se);
  const cv::Mat base = synth::kiosk_frame();
  const Face face = make_detector(cfg)->detect(base).at(0);
  std::vector<cv::Mat> frames(10, base);
  for (auto a : {Action::Nod, Action::Blink}) {
    auto c = synth::clip_for(a, base, face);
    frames.insert(frames.end(), c.begin(), c.end());
  }
  VisionResult r = attempt(frames, {Action::Nod, Action::Blink}, &fas);
  REQUIRE(r.verdict == Verdict::Pass);
  const auto cmd = face_result_command(r);
  REQUIRE(cmd);
  CHECK(cmd->name == "face.result");
  CHECK(std::regex_match(cmd->arg, std::regex(R"(pass score=0\.\d{3} quality=\d\.\d{3} actions=nod,blink)")));
  const auto ev = take_face_evidence(r);
  CHECK(ev.best_jpeg.size() > 1000);
  CHECK(ev.action_jpegs.size() == 2);
  const std::string b64 = face_jpeg_base64(ev);
  CHECK(b64.size() == (ev.best_jpeg.size() + 2) / 3 * 4);
  CHECK(b64.rfind("/9j/", 0) == 0);  // JPEG SOI marker FF D8 FF in base64
  CHECK(face_jpeg_base64(FaceEvidence{}).empty());
  CHECK(r.evidence.best_jpeg.empty());  // moved out and wiped: one copy of the photo, in SessionData
}

TEST_CASE("a still photo becomes 'face.result fail reason=timeout'; camera errors and cancels map too") {
  const cv::Mat base = synth::kiosk_frame();
  const VisionResult r = attempt(std::vector<cv::Mat>(120, base), {Action::Blink, Action::TurnLeft}, nullptr);
  REQUIRE(r.verdict == Verdict::Fail);
  CHECK(face_result_command(r)->arg == "fail reason=timeout");
  VisionResult cam;
  cam.verdict = Verdict::CameraError;
  CHECK(face_result_command(cam)->arg == "error");
  VisionResult cancelled;
  cancelled.verdict = Verdict::Cancelled;
  CHECK_FALSE(face_result_command(cancelled));
  VisionResult spoof;
  spoof.verdict = Verdict::Fail;
  spoof.reason_key = "vision.fail.spoof";
  CHECK(face_result_command(spoof)->arg == "fail reason=spoof");
}
