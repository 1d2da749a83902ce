#include "kiosk/vision/face_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace kiosk::vision {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

bool is_turn(Action a) {
  return a == Action::TurnLeft || a == Action::TurnRight;
}

}  // namespace

std::vector<Action> draw_actions(int n) {
  std::vector<Action> all{Action::Blink, Action::OpenMouth, Action::TurnLeft, Action::TurnRight, Action::Nod};
  std::random_device rd;  // getrandom(2) on Linux
  for (std::size_t i = all.size() - 1; i > 0; --i) {
    std::uniform_int_distribution<std::size_t> d(0, i);
    std::swap(all[i], all[d(rd)]);
  }
  all.resize(static_cast<std::size_t>(std::clamp(n, 1, 5)));
  return all;
}

FaceSession::FaceSession(const VisionConfig& cfg, FaceDetector& detector, PassiveAntiSpoof* antispoof,
                         Post post, std::vector<Action> actions)
    : cfg_(cfg), det_(detector), fas_(antispoof), post_(std::move(post)), actions_(std::move(actions)) {
  if (actions_.empty()) actions_ = draw_actions(cfg_.actions);
  if (!det_.has_landmarks()) {
    // Without real landmarks only region-based actions can be judged.
    for (auto& a : actions_)
      if (a != Action::Blink && a != Action::OpenMouth)
        a = (a == Action::Nod) ? Action::OpenMouth : Action::Blink;
    if (actions_.size() >= 2 && actions_[0] == actions_[1])
      actions_[1] = actions_[0] == Action::Blink ? Action::OpenMouth : Action::Blink;
  }
}

void FaceSession::set_matcher(std::shared_ptr<FaceMatcher> matcher, std::vector<std::uint8_t> id_photo) {
  matcher_ = std::move(matcher);
  id_photo_ = std::move(id_photo);
}

void FaceSession::guide(const std::string& key) {
  if (key == last_guidance_) return;
  last_guidance_ = key;
  post(GuidanceEvent{key});
}

void FaceSession::start_action(std::size_t i, double ts) {
  current_ = i;
  action_start_ts_ = ts;
  cur_ = Detector{};
  others_.clear();
  for (Action a : {Action::OpenMouth, Action::TurnLeft, Action::TurnRight, Action::Nod})
    if (a != actions_[i]) others_.emplace_back(a, Detector{});
  guide(action_prompt_key(actions_[i]));
  post(ActionStartedEvent{actions_[i], static_cast<int>(i), static_cast<int>(actions_.size()),
                          cfg_.action_timeout_ms});
}

void FaceSession::update_detector(Action a, Detector& d, const Signals& s, double ts, const cv::Mat& bgr,
                                  const cv::Rect2f& box, double k) {
  if (d.done) return;
  const double dir = cfg_.mirror ? -1.0 : 1.0;
  double level = 0, back = 0;  // level ≥ 1 means the movement is at its peak; back ≥ 1 means neutral again
  int need_hold = 2;
  switch (a) {
    case Action::TurnLeft:
    case Action::TurnRight: {
      const double yd = (s.yaw - base_.yaw) * dir * (a == Action::TurnLeft ? 1.0 : -1.0);
      level = yd / (cfg_.turn_delta * k);
      back = std::abs(s.yaw - base_.yaw) < cfg_.turn_delta * 0.5 ? 1.0 : 0.0;
      break;
    }
    case Action::Nod: {
      const double pd = std::abs(s.pitch - base_.pitch);
      level = pd / (cfg_.nod_delta * k);
      back = pd < cfg_.nod_delta * 0.5 ? 1.0 : 0.0;
      break;
    }
    case Action::Blink: {
      // Eye texture also changes when the head turns or tilts: judge blinks only near frontal.
      if (std::abs(s.yaw - base_.yaw) > 0.5 * cfg_.turn_delta ||
          std::abs(s.pitch - base_.pitch) > 0.5 * cfg_.nod_delta) {
        if (!d.peak) d.hold = 0;
        return;
      }
      const double rel = base_.eye > 1e-6 ? s.eye / base_.eye : 1.0;
      // level reaches 1 when rel drops to close_ratio.
      level = (1.0 - rel) / std::max(1e-6, 1.0 - cfg_.blink_close_ratio);
      back = rel > cfg_.blink_open_ratio ? 1.0 : 0.0;
      need_hold = 1;
      break;
    }
    case Action::OpenMouth: {
      const double md = s.mouth - base_.mouth;
      level = md / (cfg_.mouth_open_delta * k);
      back = md < cfg_.mouth_open_delta * 0.5 ? 1.0 : 0.0;
      need_hold = cfg_.mouth_open_frames;
      break;
    }
  }
  if (!d.peak) {
    d.hold = level >= 1.0 ? d.hold + 1 : 0;
    d.progress = std::clamp(level, 0.0, 1.0) * 0.8;
    if (d.hold >= need_hold) {
      d.peak = true;
      d.peak_ts = ts;
      d.progress = 0.8;
      d.peak_frame = bgr.clone();
      d.peak_box = box;
    }
  } else if (back >= 1.0) {
    if (a == Action::Blink && ts - d.peak_ts > 2000.0) {
      d = Detector{};  // eyes held shut too long: not a blink
      return;
    }
    d.done = true;
    d.progress = 1.0;
  }
}

void FaceSession::consider_best(const cv::Mat& bgr, const Face& f, double q) {
  if (q > evidence_.best_quality || best_frame_.empty()) {
    evidence_.best_quality = q;
    best_frame_ = bgr.clone();
    best_box_ = f.box;
  }
}

void FaceSession::maybe_passive(const cv::Mat& bgr, const Face& f, FrameTimings& t) {
  if (!fas_ || !cfg_.passive_enabled) return;
  if (static_cast<int>(passive_scores_.size()) >= cfg_.passive_max) return;
  if (good_frames_++ % cfg_.passive_every != 0) return;
  const auto t0 = Clock::now();
  passive_scores_.push_back(fas_->score(bgr, f.box));
  t.antispoof_ms += ms_since(t0);
}

FrameAnalysis FaceSession::process(const camera::Frame& frame) {
  FrameAnalysis out;
  if (finished_) {
    out.finished = true;
    return out;
  }
  const auto t_start = Clock::now();
  const double ts = frame.ts_ms;
  if (t0_ < 0) t0_ = ts;
  last_ts_ = ts;
  ++frames_;
  auto t = Clock::now();
  out.faces = det_.detect(frame.bgr);
  out.timings.detect_ms = ms_since(t);

  t = Clock::now();
  cv::Mat gray;
  cv::cvtColor(frame.bgr, gray, cv::COLOR_BGR2GRAY);
  out.quality = assess_quality(gray, out.faces, cfg_);
  out.timings.measure_ms = ms_since(t);
  const auto& q = out.quality;
  Signals s;
  if (out.faces.size() == 1)
    s = {q.pose.yaw_ratio, q.pose.pitch_ratio, q.signals.eye_open, q.signals.mouth_dark};

  auto thumb_of = [&](const Face& f) {
    cv::Mat a = aligned_gray(gray, f), th;
    cv::resize(a(cv::Rect(16, 16, 80, 88)), th, cv::Size(24, 26), 0, 0, cv::INTER_AREA);
    return th;
  };

  if (phase_ == Phase::Positioning) {
    if (ts - t0_ > cfg_.start_timeout_ms) {
      fail(out.faces.empty() ? "vision.fail.no_face" : "vision.fail.quality", ts);
    } else if (q.ok) {
      const Face& f = out.faces.front();
      // Baseline frames must come from one continuous track.
      if (!baseline_samples_.empty() &&
          (iou(last_box_, f.box) < cfg_.min_iou || ncc(thumb_of(f), last_thumb_) < cfg_.min_appearance_ncc))
        baseline_samples_.clear();
      baseline_samples_.push_back(s);
      last_box_ = f.box;
      last_thumb_ = thumb_of(f);
      last_seen_ts_ = ts;
      consider_best(frame.bgr, f, q.score);
      maybe_passive(frame.bgr, f, out.timings);
      guide(static_cast<int>(baseline_samples_.size()) >= 2 ? "vision.guide.hold_still" : q.key);
      if (static_cast<int>(baseline_samples_.size()) >= cfg_.baseline_frames) {
        std::vector<double> y, p, e, m;
        for (const auto& b : baseline_samples_) {
          y.push_back(b.yaw);
          p.push_back(b.pitch);
          e.push_back(b.eye);
          m.push_back(b.mouth);
        }
        base_ = {median(y), median(p), median(e), median(m)};
        phase_ = Phase::Acting;
        start_action(0, ts);
      }
    } else {
      baseline_samples_.clear();
      guide(q.key);
    }
  } else if (phase_ == Phase::Acting) {
    const Action a = actions_[current_];
    if (out.faces.size() > 1) {
      if (multi_since_ts_ < 0) multi_since_ts_ = ts;
      if (ts - multi_since_ts_ > cfg_.max_gap_ms) fail("vision.fail.multiple_faces", ts);
    } else if (out.faces.empty()) {
      multi_since_ts_ = -1;
      if (ts - last_seen_ts_ > cfg_.max_gap_ms) fail("vision.fail.face_lost", ts);
    } else {
      multi_since_ts_ = -1;
      const Face& f = out.faces.front();
      const cv::Mat th = thumb_of(f);
      if (ts - last_seen_ts_ > cfg_.max_gap_ms) {
        fail("vision.fail.face_lost", ts);
      } else if (iou(last_box_, f.box) < cfg_.min_iou || ncc(th, last_thumb_) < cfg_.min_appearance_ncc) {
        fail("vision.fail.face_changed", ts);
      } else {
        last_box_ = f.box;
        last_thumb_ = th;
        last_seen_ts_ = ts;
        if (q.ok) {
          consider_best(frame.bgr, f, q.score);
          maybe_passive(frame.bgr, f, out.timings);
        }
        update_detector(a, cur_, s, ts, frame.bgr, f.box, 1.0);
        bool wrong = false;
        for (auto& [oa, od] : others_) {
          // Another movement only counts as "wrong" when clearly larger than the threshold.
          update_detector(oa, od, s, ts, frame.bgr, f.box, 1.5);
          if (od.done && !(is_turn(a) && oa == Action::Nod) && !(a == Action::Nod && is_turn(oa)))
            wrong = true;
        }
        post(ActionProgressEvent{a, static_cast<int>(current_), static_cast<int>(actions_.size()),
                                 cur_.progress, cur_.done});
        if (cur_.done) {
          outcomes_.push_back({a, true, ts - action_start_ts_, ""});
          evidence_.action_jpegs.push_back(
              encode_face_jpeg(cur_.peak_frame, cur_.peak_box, cfg_.jpeg_quality));
          if (current_ + 1 < actions_.size())
            start_action(current_ + 1, ts);
          else
            finish(Verdict::Pass, "vision.result.pass", ts);
        } else if (wrong && cfg_.fail_on_wrong_action) {
          outcomes_.push_back({a, false, ts - action_start_ts_, "wrong_action"});
          fail("vision.fail.wrong_action", ts);
        }
      }
    }
    if (!finished_ && ts - action_start_ts_ > cfg_.action_timeout_ms) {
      outcomes_.push_back({a, false, ts - action_start_ts_, "timeout"});
      fail("vision.fail.timeout", ts);
    }
    out.progress = cur_.progress;
  }
  out.guidance = last_guidance_;
  out.finished = finished_;
  out.timings.total_ms = ms_since(t_start);
  return out;
}

void FaceSession::cancel() {
  if (!finished_) finish(Verdict::Cancelled, "vision.fail.cancelled", last_ts_);
}

void FaceSession::camera_failed(const std::string& detail) {
  if (finished_) return;
  spdlog::warn("vision: camera failure during capture: {}", detail);
  finish(Verdict::CameraError, "vision.fail.camera", last_ts_);
}

void FaceSession::finish(Verdict v, const std::string& reason, double ts) {
  if (finished_) return;
  finished_ = true;
  phase_ = Phase::Done;
  VisionResult r;
  r.report.actions = outcomes_;
  // Actions never reached are reported as not passed.
  for (std::size_t i = outcomes_.size(); i < actions_.size(); ++i)
    r.report.actions.push_back({actions_[i], false, 0, "not_reached"});
  r.report.active_passed = v == Verdict::Pass;
  r.report.detector = det_.name();
  r.report.degraded = !det_.has_landmarks();
  r.report.frames_processed = frames_;
  r.report.frames_seen = frames_ + dropped_;
  r.report.duration_ms = t0_ < 0 ? 0 : ts - t0_;
  r.report.passive_available = fas_ != nullptr && cfg_.passive_enabled;
  r.report.passive_threshold = cfg_.passive_threshold;
  r.report.passive_evaluations = static_cast<int>(passive_scores_.size());
  if (!passive_scores_.empty()) {
    double sum = 0;
    for (double x : passive_scores_) sum += x;
    r.report.passive_score = sum / static_cast<double>(passive_scores_.size());
    r.report.passive_passed = *r.report.passive_score >= cfg_.passive_threshold;
  } else {
    r.report.passive_passed = !cfg_.require_passive;
  }
  if (v == Verdict::Pass && !r.report.passive_passed) {
    v = Verdict::Fail;
    r.reason_key = r.report.passive_score ? "vision.fail.spoof" : "vision.fail.passive_unavailable";
  } else {
    r.reason_key = reason;
  }
  r.verdict = v;
  if (v == Verdict::Pass) {
    r.evidence = std::move(evidence_);
    r.evidence.best_jpeg = encode_face_jpeg(best_frame_, best_box_, cfg_.jpeg_quality);
    if (matcher_ && matcher_->available() && !best_frame_.empty()) {
      const cv::Rect roi = cv::Rect(best_box_) & cv::Rect(0, 0, best_frame_.cols, best_frame_.rows);
      r.evidence.comparison_score = matcher_->compare(best_frame_(roi), id_photo_);
      r.evidence.comparison = r.evidence.comparison_score ? matcher_->name() : "photo_undecodable";
    }
  } else {
    evidence_.wipe();
  }
  best_frame_.release();
  if (v == Verdict::Pass)
    guide("vision.result.pass");
  else
    guide(r.reason_key);
  spdlog::info("vision: attempt finished verdict={} reason={} actions={} passive={} frames={}", to_string(v),
               r.reason_key, r.report.actions.size(),
               r.report.passive_score ? std::to_string(*r.report.passive_score) : std::string("n/a"),
               r.report.frames_processed);
  post(std::move(r));
}

}  // namespace kiosk::vision
