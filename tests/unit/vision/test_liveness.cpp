#include <catch2/catch.hpp>

#include "tests/unit/vision/liveness_fixture.hpp"

TEST_CASE("two actions in sequence pass and produce evidence and progress events") {
  Fixture fx;
  auto frames = fx.neutral(10);
  append(frames, synth::clip_for(Action::TurnLeft, fx.base, fx.face));
  append(frames, synth::clip_for(Action::Blink, fx.base, fx.face));
  const Run r = run(fx.cfg, *fx.det, fx.fas.get(), {Action::TurnLeft, Action::Blink}, frames);
  REQUIRE(r.result);
  CHECK(r.result->verdict == Verdict::Pass);
  CHECK(r.result->reason_key == "vision.result.pass");
  CHECK(r.result->report.active_passed);
  CHECK(r.result->report.passive_available);
  REQUIRE(r.result->report.passive_score);
  CHECK(r.result->report.passive_passed);
  CHECK(r.result->report.detector == "yunet-2022mar");
  const auto& ev = r.result->evidence;
  CHECK(ev.action_jpegs.size() == 2);
  REQUIRE(ev.best_jpeg.size() > 1000);
  CHECK(cv::imdecode(ev.best_jpeg, cv::IMREAD_COLOR).cols > 100);
  CHECK(ev.comparison == "not_available");
  int started = 0, done = 0;
  for (const auto& e : r.events) {
    if (std::holds_alternative<ActionStartedEvent>(e)) ++started;
    if (auto* p = std::get_if<ActionProgressEvent>(&e); p && p->done) ++done;
  }
  CHECK(started == 2);
  CHECK(done == 2);
  CHECK(std::find(r.guidance.begin(), r.guidance.end(), "vision.action.turn_left") != r.guidance.end());
  CHECK(std::find(r.guidance.begin(), r.guidance.end(), "vision.action.blink") != r.guidance.end());
}

TEST_CASE("a still photo fails every challenge") {
  Fixture fx;
  for (auto actions :
       {std::vector<Action>{Action::Blink, Action::Nod}, {Action::TurnRight, Action::OpenMouth}}) {
    const Run r = run(fx.cfg, *fx.det, fx.fas.get(), actions, fx.neutral(120));
    REQUIRE(r.result);
    CHECK(r.result->verdict == Verdict::Fail);
    CHECK(r.result->reason_key == "vision.fail.timeout");
    CHECK(r.result->evidence.best_jpeg.empty());  // no evidence leaves a failed attempt
  }
}

TEST_CASE("a photo moved and tilted in front of the camera fails") {
  Fixture fx;
  std::vector<cv::Mat> frames = fx.neutral(10);
  for (int i = 0; i < 90; ++i) {
    const cv::Mat moved = synth::move_photo(fx.base, i * 0.15);
    frames.push_back(i % 30 < 15 ? moved : synth::tilt_photo(moved, 35.0 * std::sin(i * 0.2)));
  }
  for (auto actions : {std::vector<Action>{Action::TurnLeft, Action::Blink},
                       {Action::Nod, Action::TurnRight},
                       {Action::OpenMouth, Action::TurnLeft}}) {
    const Run r = run(fx.cfg, *fx.det, fx.fas.get(), actions, frames);
    REQUIRE(r.result);
    INFO(r.result->reason_key);
    CHECK(r.result->verdict == Verdict::Fail);
  }
}

TEST_CASE("a replay of the wrong actions fails") {
  Fixture fx;
  const cv::Mat& b = fx.flipped;
  std::vector<cv::Mat> frames(10, b);
  append(frames, synth::clip_for(Action::TurnRight, b, fx.flipped_face));
  append(frames, synth::clip_for(Action::OpenMouth, b, fx.flipped_face));
  append(frames, std::vector<cv::Mat>(70, b));
  const Run r = run(fx.cfg, *fx.det, fx.fas.get(), {Action::TurnLeft, Action::OpenMouth}, frames);
  REQUIRE(r.result);
  CHECK(r.result->verdict == Verdict::Fail);
  CHECK(r.result->reason_key == "vision.fail.wrong_action");
  // The right replay order passes with the same frames.
  const Run ok = run(fx.cfg, *fx.det, fx.fas.get(), {Action::TurnRight, Action::OpenMouth}, frames);
  REQUIRE(ok.result);
  CHECK(ok.result->verdict == Verdict::Pass);
}

TEST_CASE("a different face swapped in between actions fails") {
  Fixture fx;
  const cv::Mat other = synth::kiosk_frame("voc/2008_002506.jpg", 2.2, {0.5, 0.45}, {300, 40, 170, 170});
  REQUIRE(fx.det->detect(other).size() == 1);
  auto frames = fx.neutral(10);
  append(frames, synth::clip_for(Action::TurnLeft, fx.base, fx.face));
  const auto of = fx.det->detect(other).at(0);
  append(frames, std::vector<cv::Mat>(3, other));
  append(frames, synth::clip_for(Action::Blink, other, of));
  const Run r = run(fx.cfg, *fx.det, fx.fas.get(), {Action::TurnLeft, Action::Blink}, frames);
  REQUIRE(r.result);
  CHECK(r.result->verdict == Verdict::Fail);
  CHECK(r.result->reason_key == "vision.fail.face_changed");
  REQUIRE(r.result->report.actions.size() == 2);
  CHECK(r.result->report.actions[0].passed);
  CHECK_FALSE(r.result->report.actions[1].passed);
}

TEST_CASE("leaving the frame during an action fails as face lost") {
  Fixture fx;
  auto frames = fx.neutral(10);
  append(frames, std::vector<cv::Mat>(20, cv::Mat(480, 640, CV_8UC3, cv::Scalar(90, 100, 110))));
  const Run r = run(fx.cfg, *fx.det, fx.fas.get(), {Action::Blink, Action::Nod}, frames);
  REQUIRE(r.result);
  CHECK(r.result->reason_key == "vision.fail.face_lost");
}

TEST_CASE("the passive score is fused with the active result") {
  Fixture fx;
  auto frames = fx.neutral(10);
  append(frames, synth::clip_for(Action::Nod, fx.base, fx.face));
  auto cfg = fx.cfg;
  cfg.actions = 1;
  cfg.passive_threshold = 0.9999;  // stricter than any real capture scores
  const Run r = run(cfg, *fx.det, fx.fas.get(), {Action::Nod}, frames);
  REQUIRE(r.result);
  CHECK(r.result->report.active_passed);
  CHECK_FALSE(r.result->report.passive_passed);
  CHECK(r.result->verdict == Verdict::Fail);
  CHECK(r.result->reason_key == "vision.fail.spoof");

  cfg.require_passive = true;  // model missing and required → fail; optional → pass
  const Run r2 = run(cfg, *fx.det, nullptr, {Action::Nod}, frames);
  REQUIRE(r2.result);
  CHECK(r2.result->reason_key == "vision.fail.passive_unavailable");
  cfg.require_passive = false;
  const Run r3 = run(cfg, *fx.det, nullptr, {Action::Nod}, frames);
  REQUIRE(r3.result);
  CHECK(r3.result->verdict == Verdict::Pass);
  CHECK_FALSE(r3.result->report.passive_score);
}

TEST_CASE("actions are drawn at random without repeats") {
  std::set<std::pair<int, int>> pairs;
  for (int i = 0; i < 200; ++i) {
    const auto a = draw_actions(2);
    REQUIRE(a.size() == 2);
    CHECK(a[0] != a[1]);
    pairs.emplace(static_cast<int>(a[0]), static_cast<int>(a[1]));
  }
  CHECK(pairs.size() >= 15);  // 20 ordered pairs exist
}

TEST_CASE("the worker runs an attempt on its own threads and posts events") {
  Fixture fx;
  std::vector<cv::Mat> frames(10, fx.flipped);
  append(frames, synth::clip_for(Action::OpenMouth, fx.flipped, fx.flipped_face));
  append(frames, synth::clip_for(Action::TurnRight, fx.flipped, fx.flipped_face));
  std::mutex mu;
  std::vector<VisionEvent> events;
  VisionWorker w(
      fx.cfg, kiosk::camera::make_memory_source(frames, 30.0),
      [&](VisionEvent e) {
        std::lock_guard lk(mu);
        events.push_back(std::move(e));
      },
      /*drop_frames=*/false);
  REQUIRE(w.start({Action::OpenMouth, Action::TurnRight}));
  REQUIRE(w.wait(20s));
  w.stop();
  std::lock_guard lk(mu);
  REQUIRE_FALSE(events.empty());
  const auto* res = std::get_if<VisionResult>(&events.back());
  REQUIRE(res);
  CHECK(res->verdict == Verdict::Pass);
  CHECK(w.stats().dropped == 0);
  CHECK(w.preview().faces.size() == 1);
}

TEST_CASE("the worker reports a camera error when frames stop, and honours cancel") {
  Fixture fx;
  std::vector<VisionEvent> events;
  std::mutex mu;
  auto post = [&](VisionEvent e) {
    std::lock_guard lk(mu);
    events.push_back(std::move(e));
  };
  {
    VisionWorker w(fx.cfg, kiosk::camera::make_memory_source(fx.neutral(12), 30.0), post, false);
    REQUIRE(w.start({Action::Blink, Action::Nod}));
    REQUIRE(w.wait(20s));
  }
  {
    std::lock_guard lk(mu);
    const auto* res = std::get_if<VisionResult>(&events.back());
    REQUIRE(res);
    CHECK(res->verdict == Verdict::CameraError);
    events.clear();
  }
  // An endless live-like source with frame dropping: cancel ends the attempt promptly.
  VisionWorker w(fx.cfg,
                 kiosk::camera::make_synthetic_source([&](std::int64_t) { return fx.base; }, 250.0, "still"),
                 post, true);
  REQUIRE(w.start());
  std::this_thread::sleep_for(300ms);
  w.cancel();
  REQUIRE(w.wait(5s));
  w.stop();
  std::lock_guard lk(mu);
  const auto* res = std::get_if<VisionResult>(&events.back());
  REQUIRE(res);
  CHECK(res->verdict == Verdict::Cancelled);
  CHECK(w.stats().processed > 0);
  CHECK(w.stats().dropped > 0);  // the synthetic source outpaces processing; old frames are dropped
}

TEST_CASE("the Haar fallback still runs blink/mouth challenges and is flagged degraded") {
  Fixture fx;
  auto cfg = fx.cfg;
  cfg.yunet_model = "/nonexistent.onnx";
  auto haar = make_detector(cfg);
  FaceSession s(cfg, *haar, nullptr, {}, {Action::TurnLeft, Action::Nod});
  for (Action a : s.actions()) CHECK((a == Action::Blink || a == Action::OpenMouth));
  CHECK(s.actions()[0] != s.actions()[1]);
}
