// The demo's simulated resident through the real VisionWorker in real time (paced frames, frames
// dropped under load like a live camera): the actions it performs pass when it cooperates, and
// a photo held up and moved fails.
#include <catch2/catch.hpp>
#include <mutex>

#include "kiosk/vision/sim/simulated_resident.hpp"
#include "kiosk/vision/sim/synth.hpp"
#include "kiosk/vision/vision_worker.hpp"

using namespace kiosk::vision;
using namespace std::chrono_literals;

namespace {
VisionResult run(sim::SimulatedResident& r, std::vector<Action> actions, VisionConfig cfg) {
  std::mutex mu;
  std::optional<VisionResult> result;
  VisionWorker w(cfg, r.make_source(), [&](VisionEvent e) {
    if (auto* a = std::get_if<ActionStartedEvent>(&e)) r.on_action(a->action);
    if (auto* v = std::get_if<VisionResult>(&e)) {
      std::lock_guard lk(mu);
      result = std::move(*v);
    }
  });
  REQUIRE(w.start(std::move(actions)));
  REQUIRE(w.wait(40s));
  w.stop();
  std::lock_guard lk(mu);
  REQUIRE(result);
  return std::move(*result);
}
}  // namespace

TEST_CASE("simulated resident: cooperating passes each action through the real pipeline") {
  VisionConfig cfg = synth::test_config();
  cfg.action_timeout_ms = 7000;
  cfg.start_timeout_ms = 10000;
  sim::SimulatedResident r(cfg);
  const std::vector<std::vector<Action>> pairs{{Action::Blink, Action::TurnLeft},
                                               {Action::OpenMouth, Action::Nod},
                                               {Action::Blink, Action::OpenMouth},
                                               sim::SimulatedResident::draw_actions(2)};
  for (const auto& p : pairs) {
    auto res = run(r, p, cfg);
    std::string detail;
    for (auto& o : res.report.actions)
      detail += std::string(to_string(o.action)) + (o.passed ? " ok " : " FAILED ") + o.failure + " " +
                std::to_string(static_cast<int>(o.elapsed_ms)) + " ms; ";
    INFO(to_string(p[0]) << "+" << to_string(p[1]) << ": " << res.reason_key << " — " << detail);
    CHECK(res.verdict == Verdict::Pass);
    CHECK_FALSE(res.evidence.best_jpeg.empty());
  }
}

TEST_CASE("simulated resident: a photo held up in front of the camera fails") {
  VisionConfig cfg = synth::test_config();
  sim::SimulatedResident r(cfg);
  r.set_mode(sim::SimulatedResident::Mode::Photo);
  auto res = run(r, {Action::Blink, Action::Nod}, cfg);
  INFO(res.reason_key);
  CHECK(res.verdict == Verdict::Fail);
}
