// Shared fixture of the liveness tests: real detector/anti-spoof models, frames synthesised from real
// photographs, and a driver that runs one FaceSession over a frame list.
#pragma once
#include <catch2/catch.hpp>
#include <iostream>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <thread>

#include "kiosk/vision/face_session.hpp"
#include "kiosk/vision/sim/synth.hpp"
#include "kiosk/vision/vision_worker.hpp"

using namespace kiosk::vision;
using namespace std::chrono_literals;

namespace liveness_fixture {

struct Fixture {
  VisionConfig cfg = synth::test_config();
  std::unique_ptr<FaceDetector> det = make_detector(cfg);
  std::unique_ptr<PassiveAntiSpoof> fas =
      std::make_unique<PassiveAntiSpoof>(cfg.fas_model_v2, cfg.fas_model_v1se);
  cv::Mat base = synth::kiosk_frame();
  Face face = det->detect(base).at(0);
  // The astronaut's head is slightly turned, so the nose warp only reaches a full right turn on the
  // mirrored photograph (still a real face): sequences with turn_right use it.
  cv::Mat flipped = [&] {
    cv::Mat m;
    cv::flip(base, m, 1);
    return m;
  }();
  Face flipped_face = det->detect(flipped).at(0);
  const cv::Mat& base_for(Action a) const { return a == Action::TurnRight ? flipped : base; }
  const Face& face_for(Action a) const { return a == Action::TurnRight ? flipped_face : face; }

  std::vector<cv::Mat> neutral(int n) const {
    return std::vector<cv::Mat>(static_cast<std::size_t>(n), base);
  }
};

struct Run {
  std::vector<VisionEvent> events;
  std::optional<VisionResult> result;
  std::vector<std::string> guidance;
};

inline Run run(const VisionConfig& cfg, FaceDetector& det, PassiveAntiSpoof* fas, std::vector<Action> actions,
               const std::vector<cv::Mat>& frames) {
  Run r;
  FaceSession s(
      cfg, det, fas,
      [&](VisionEvent e) {
        if (auto* g = std::get_if<GuidanceEvent>(&e)) r.guidance.push_back(g->key);
        if (auto* v = std::get_if<VisionResult>(&e)) r.result = *v;
        r.events.push_back(std::move(e));
      },
      std::move(actions));
  std::int64_t seq = 0;
  for (const auto& f : frames) {
    kiosk::camera::Frame fr{f, seq, static_cast<double>(seq) * 1000.0 / 30.0};
    ++seq;
    s.process(fr);
    if (s.finished()) break;
  }
  return r;
}

inline void append(std::vector<cv::Mat>& a, const std::vector<cv::Mat>& b) {
  a.insert(a.end(), b.begin(), b.end());
}

}  // namespace liveness_fixture
using namespace liveness_fixture;
