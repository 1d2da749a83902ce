// Each of the five actions, performed on synthesised-from-real frames, passes only when it is the one asked.
#include <catch2/catch.hpp>

#include "tests/unit/vision/liveness_fixture.hpp"

TEST_CASE("each action passes when performed and fails when another is asked") {
  Fixture fx;
  const std::vector<Action> all{Action::Blink, Action::OpenMouth, Action::TurnLeft, Action::TurnRight,
                                Action::Nod};
  for (Action performed : all) {
    const cv::Mat& b = fx.base_for(performed);
    std::vector<cv::Mat> frames(10, b);
    append(frames, synth::clip_for(performed, b, fx.face_for(performed)));
    append(frames, std::vector<cv::Mat>(20, b));  // idle until any timeout
    const auto pi = static_cast<std::size_t>(performed);
    for (Action asked :
         {performed, all[(pi + 1) % 5], all[(pi + 3) % 5]}) {  // each action is asked-but-not-performed twice
      auto cfg = fx.cfg;
      cfg.actions = 1;
      cfg.action_timeout_ms = 1000;  // the clip takes ~600 ms
      const Run r = run(cfg, *fx.det, nullptr, {asked}, frames);
      INFO("performed " << to_string(performed) << " asked " << to_string(asked));
      REQUIRE(r.result);
      if (asked == performed) {
        CHECK(r.result->verdict == Verdict::Pass);
        CHECK(r.result->report.actions.at(0).passed);
      } else {
        CHECK(r.result->verdict == Verdict::Fail);
        CHECK_FALSE(r.result->report.actions.at(0).passed);
      }
    }
  }
}
