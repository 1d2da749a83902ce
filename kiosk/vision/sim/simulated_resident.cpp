#include "kiosk/vision/sim/simulated_resident.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>

#include "kiosk/vision/detector.hpp"
#include "kiosk/vision/sim/synth.hpp"

namespace kiosk::vision::sim {

namespace {
constexpr double kReactionMs = 700.0;  // a resident reads the instruction, then moves
}

SimulatedResident::SimulatedResident(const VisionConfig& cfg, double fps) : fps_(fps) {
  base_ = synth::kiosk_frame();
  if (base_.empty()) throw std::runtime_error("simulated resident: photograph missing (tests/data/vision)");
  auto det = make_detector(cfg);
  auto faces = det->detect(base_);
  if (faces.empty()) throw std::runtime_error("simulated resident: no face found in the photograph");
  face_ = faces.front();
}

void SimulatedResident::set_mode(Mode m) {
  std::lock_guard lk(mu_);
  mode_ = m;
  clip_.clear();
  pending_.reset();
}

SimulatedResident::Mode SimulatedResident::mode() const {
  std::lock_guard lk(mu_);
  return mode_;
}

void SimulatedResident::on_action(Action a) {
  std::lock_guard lk(mu_);
  pending_ = a;
  react_at_ = last_seq_ + static_cast<std::int64_t>(kReactionMs * fps_ / 1000.0);
}

cv::Mat SimulatedResident::frame(std::int64_t seq) {
  std::lock_guard lk(mu_);
  last_seq_ = seq;
  if (mode_ == Mode::Photo) return synth::move_photo(base_, static_cast<double>(seq) / fps_);
  if (pending_ && seq >= react_at_) {
    clip_ = synth::clip_for(*pending_, base_, face_);
    clip_pos_ = 0;
    pending_.reset();
  }
  if (clip_pos_ < clip_.size()) return clip_[clip_pos_++];
  return base_.clone();
}

std::vector<Action> SimulatedResident::draw_actions(int n) {
  // The photograph's head is already turned a little to its left, so a synthesised turn to the right
  // does not reach the yaw threshold: the simulated resident is never asked for it.
  std::vector<Action> pool{Action::Blink, Action::OpenMouth, Action::TurnLeft, Action::Nod};
  std::random_device rd;
  std::shuffle(pool.begin(), pool.end(), std::mt19937(rd()));
  pool.resize(static_cast<std::size_t>(std::clamp(n, 1, 4)));
  return pool;
}

std::unique_ptr<camera::FrameSource> SimulatedResident::make_source() {
  return camera::make_synthetic_source([this](std::int64_t seq) { return frame(seq); }, fps_,
                                       "simulated resident (demo)");
}

}  // namespace kiosk::vision::sim
