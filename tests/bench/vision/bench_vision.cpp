// Vision benchmark: per-frame time of the whole face pipeline and each stage at 640x480 on one core,
// against OpenCV's Haar cascade in the same process; detection recall / false positives on the labelled
// photographs; active-liveness error rates on sequences synthesised from real photographs; passive
// (MiniFASNet) scores on bona-fide photographs. Prints figures only. Usage: bench_vision [iterations]
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <opencv2/core/utility.hpp>
#include <regex>
#include <sstream>

#include "kiosk/vision/face_session.hpp"
#include "kiosk/vision/sim/synth.hpp"

using namespace kiosk::vision;
using Clock = std::chrono::steady_clock;

namespace {

struct Stat {
  std::vector<double> ms;
  void add(double v) { ms.push_back(v); }
  double q(double p) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * static_cast<double>(ms.size())))];
  }
};

double time_ms(const std::function<void()>& f) {
  const auto t0 = Clock::now();
  f();
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void row(const char* name, Stat& s) {
  // min is the uncontended cost; median/p90 include whatever else the (shared) machine is doing.
  std::printf("  %-46s median %7.2f ms   p90 %7.2f ms   min %6.2f ms (n=%zu)\n", name, s.q(0.5), s.q(0.9),
              s.q(0.0), s.ms.size());
}

struct Gt {
  std::string file;
  std::vector<cv::Rect2f> boxes;
};
std::vector<Gt> load_gt() {
  std::vector<Gt> out;
  for (const char* x : {"voc/training.xml", "voc/testing.xml"}) {
    std::ifstream in(synth::data_path(x));
    std::stringstream ss;
    ss << in.rdbuf();
    std::string rest = ss.str();
    const std::regex img_re("<image file='([^']+)'"),
        box_re("<box top='(\\d+)' left='(\\d+)' width='(\\d+)' height='(\\d+)'");
    std::smatch m;
    while (std::regex_search(rest, m, img_re)) {
      Gt g{"voc/" + m[1].str(), {}};
      std::string after = m.suffix().str();
      const auto end = after.find("</image>");
      std::string body = after.substr(0, end);
      std::smatch b;
      while (std::regex_search(body, b, box_re)) {
        g.boxes.emplace_back(std::stof(b[2]), std::stof(b[1]), std::stof(b[3]), std::stof(b[4]));
        body = b.suffix().str();
      }
      out.push_back(g);
      rest = after.substr(end);
    }
  }
  return out;
}

void detection_quality(const char* name, FaceDetector& det) {
  int gt = 0, found = 0, fp = 0, nonface_fp = 0;
  for (const auto& g : load_gt()) {
    const auto faces = det.detect(kiosk::camera::read_image(synth::data_path(g.file)));
    std::vector<bool> used(faces.size(), false);
    for (const auto& b : g.boxes) {
      ++gt;
      for (std::size_t i = 0; i < faces.size(); ++i)
        if (!used[i] && iou(faces[i].box, b) >= 0.3) {
          used[i] = true;
          ++found;
          break;
        }
    }
    for (bool u : used) fp += u ? 0 : 1;
  }
  for (const char* f :
       {"nonface/baboon.jpg", "nonface/chelsea.png", "nonface/dogs.jpg", "nonface/fruits.jpg"})
    nonface_fp += static_cast<int>(det.detect(kiosk::camera::read_image(synth::data_path(f))).size());
  std::printf("  %-34s recall %d/%d (%.0f %%)  false positives %d on 10 photos, %d on 4 non-face images\n",
              name, found, gt, 100.0 * found / gt, fp, nonface_fp);
}

std::optional<VisionResult> run(const VisionConfig& cfg, FaceDetector& det, PassiveAntiSpoof* fas,
                                std::vector<Action> actions, const std::vector<cv::Mat>& frames,
                                Stat* total = nullptr, Stat* detect = nullptr, Stat* measure = nullptr,
                                Stat* spoof = nullptr) {
  std::optional<VisionResult> res;
  FaceSession s(
      cfg, det, fas,
      [&](VisionEvent e) {
        if (auto* v = std::get_if<VisionResult>(&e)) res = *v;
      },
      std::move(actions));
  std::int64_t seq = 0;
  for (const auto& f : frames) {
    kiosk::camera::Frame fr{f, seq, static_cast<double>(seq) * 1000.0 / 30.0};
    ++seq;
    FrameAnalysis a;
    const double ms = time_ms([&] { a = s.process(fr); });
    if (total) total->add(ms);
    if (detect) detect->add(a.timings.detect_ms);
    if (measure) measure->add(a.timings.measure_ms);
    if (spoof && a.timings.antispoof_ms > 0) spoof->add(a.timings.antispoof_ms);
    if (s.finished()) break;
  }
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  const int iters = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
  const bool quick = iters < 50;  // CTest pass: fewer liveness cases, same code paths
  cv::setNumThreads(1);           // one core, as on the terminal's budget
  spdlog::set_level(spdlog::level::warn);
  auto cfg = synth::test_config();
  auto yunet = make_yunet_detector(cfg.yunet_model, cfg.detect_width, cfg.score_threshold, cfg.nms_threshold);
  auto haar320 = make_haar_detector(resolve_path(cfg.haar_cascade), 320);
  auto haar640 = make_haar_detector(resolve_path(cfg.haar_cascade), 640);
  PassiveAntiSpoof fas(cfg.fas_model_v2, cfg.fas_model_v1se);
  const cv::Mat frame = synth::kiosk_frame();
  const Face face = yunet->detect(frame).at(0);

  std::printf("bench_vision: 640x480 frames, cv::setNumThreads(1), %d iterations per stage\n", iters);
  std::printf("\nStages (one frame, the astronaut photograph on a 640x480 canvas):\n");
  Stat s_yunet, s_haar320, s_haar640, s_gray, s_quality, s_fas;
  // Warm-up: cv::dnn's first calls are 2x slower (allocation, kernel selection); not the steady state.
  for (int i = 0; i < 30; ++i) {
    (void)yunet->detect(frame);
    if (i < 5) (void)fas.score(frame, face.box);
  }
  // Each stage in its own loop, so one stage's memory traffic does not slow the next.
  std::vector<Face> faces;
  cv::Mat gray;
  for (int i = 0; i < iters; ++i) s_yunet.add(time_ms([&] { faces = yunet->detect(frame); }));
  for (int i = 0; i < iters; ++i) s_haar320.add(time_ms([&] { (void)haar320->detect(frame); }));
  for (int i = 0; i < std::max(3, iters / 4); ++i)
    s_haar640.add(time_ms([&] { (void)haar640->detect(frame); }));
  for (int i = 0; i < iters; ++i) s_gray.add(time_ms([&] { cv::cvtColor(frame, gray, cv::COLOR_BGR2GRAY); }));
  for (int i = 0; i < iters; ++i) s_quality.add(time_ms([&] { (void)assess_quality(gray, faces, cfg); }));
  for (int i = 0; i < std::max(3, iters / 4); ++i)
    s_fas.add(time_ms([&] { (void)fas.score(frame, face.box); }));
  row("YuNet 2022mar detect (downscaled to 320)", s_yunet);
  row("Haar cascade detect (downscaled to 320)", s_haar320);
  row("Haar cascade detect (full 640)", s_haar640);
  row("BGR->grey", s_gray);
  row("quality gate (pose, light, sharpness, regions)", s_quality);
  row("MiniFASNet V2 + V1SE passive score", s_fas);

  std::printf(
      "\nWhole pipeline, FaceSession::process per frame (detect + track + quality + action signals,\n"
      "passive check on its sampled frames), over positioning + two actions, repeated:\n");
  Stat total, det_ms, meas_ms, spoof_ms, total_nofas;
  std::vector<cv::Mat> clip(10, frame);
  for (auto a : {Action::TurnLeft, Action::Blink}) {
    auto c = synth::clip_for(a, frame, face);
    clip.insert(clip.end(), c.begin(), c.end());
  }
  const int reps = std::max(1, iters / static_cast<int>(clip.size()) + 1);
  for (int r = 0; r < reps; ++r) {
    run(cfg, *yunet, &fas, {Action::TurnLeft, Action::Blink}, clip, &total, &det_ms, &meas_ms, &spoof_ms);
    run(cfg, *yunet, nullptr, {Action::TurnLeft, Action::Blink}, clip, &total_nofas);
  }
  row("pipeline total per frame (with passive)", total);
  row("  of which detect", det_ms);
  row("  of which measure (quality + signals)", meas_ms);
  row("  of which passive (frames where it runs)", spoof_ms);
  row("pipeline total per frame (no passive model)", total_nofas);
  std::printf("  goal: median <= 12 ms -> %s\n", total.q(0.5) <= 12.0 ? "met" : "NOT met on this machine");

  std::printf(
      "\nDetection on real photographs (10 PASCAL VOC photos with dlib's labelled boxes, IoU >= 0.3):\n");
  detection_quality("YuNet, config (320 px, score 0.9)", *yunet);
  auto yunet640 = make_yunet_detector(cfg.yunet_model, 640, 0.6f, 0.3f);
  if (!quick) detection_quality("YuNet, 640 px, score 0.6", *yunet640);
  if (!quick) detection_quality("Haar cascade, 640 px", *haar640);

  // Active liveness on synthesised-from-real sequences (see tests/data/vision/PROVENANCE.md).
  const cv::Mat flipped = [&] {
    cv::Mat m;
    cv::flip(frame, m, 1);
    return m;
  }();
  const Face flipped_face = yunet->detect(flipped).at(0);
  const std::vector<Action> all{Action::Blink, Action::OpenMouth, Action::TurnLeft, Action::TurnRight,
                                Action::Nod};
  int genuine = 0, genuine_fail = 0, wrong = 0, wrong_pass = 0;
  auto one = cfg;
  one.actions = 1;
  one.action_timeout_ms = 1000;
  for (Action performed : all) {
    const cv::Mat& b = performed == Action::TurnRight ? flipped : frame;
    const Face& f = performed == Action::TurnRight ? flipped_face : face;
    std::vector<cv::Mat> frames(10, b);
    auto c = synth::clip_for(performed, b, f);
    frames.insert(frames.end(), c.begin(), c.end());
    frames.insert(frames.end(), 20, b);
    for (Action asked : all) {
      if (quick && asked != performed && (performed != Action::Blink || asked != Action::OpenMouth)) continue;
      const auto r = run(one, *yunet, nullptr, {asked}, frames);
      const bool pass = r && r->verdict == Verdict::Pass;
      if (asked == performed) {
        ++genuine;
        genuine_fail += pass ? 0 : 1;
      } else {
        ++wrong;
        wrong_pass += pass ? 1 : 0;
      }
    }
  }
  int attacks = 0, attacks_pass = 0;
  std::vector<cv::Mat> still(120, frame), moved(10, frame);
  for (int i = 0; i < 90; ++i) {
    const cv::Mat m = synth::move_photo(frame, i * 0.15);
    moved.push_back(i % 30 < 15 ? m : synth::tilt_photo(m, 35.0 * std::sin(i * 0.2)));
  }
  for (std::size_t i = 0; i < (quick ? 1u : all.size()); ++i)
    for (const auto* seq : {&still, &moved}) {
      const auto r = run(cfg, *yunet, &fas, {all[i], all[(i + 2) % 5]}, *seq);
      ++attacks;
      attacks_pass += r && r->verdict == Verdict::Pass ? 1 : 0;
    }
  std::printf("\nActive liveness, single action, sequences synthesised from real photographs:\n");
  std::printf("  performed action asked:      %d/%d pass  (BPCER %.0f %%)\n", genuine - genuine_fail, genuine,
              100.0 * genuine_fail / genuine);
  std::printf("  different action asked:      %d/%d pass  (wrong-action acceptance %.0f %%)\n", wrong_pass,
              wrong, 100.0 * wrong_pass / wrong);
  std::printf("  still / moved-photo attacks: %d/%d pass  (APCER %.0f %%, 2 random actions each)\n",
              attacks_pass, attacks, 100.0 * attacks_pass / attacks);

  std::printf("\nPassive MiniFASNet, real-class score on bona-fide photographs (threshold %.2f):\n",
              cfg.passive_threshold);
  int bona = 0, bona_rej = 0;
  for (const auto& [rel, sc] :
       std::vector<std::pair<std::string, double>>{{"astronaut.png", 2.0}, {"messi5.jpg", 1.0}}) {
    const cv::Mat img = rel == "astronaut.png" ? frame : kiosk::camera::read_image(synth::data_path(rel));
    (void)sc;
    const auto found = yunet640->detect(img);
    for (const auto& fc : found) {
      const double s = fas.score(img, fc.box);
      ++bona;
      bona_rej += s < cfg.passive_threshold ? 1 : 0;
      std::printf("  %-14s face %.0fx%.0f  score %.3f\n", rel.c_str(), fc.box.width, fc.box.height, s);
    }
  }
  for (const auto& g : quick ? std::vector<Gt>{} : load_gt()) {
    const cv::Mat img = kiosk::camera::read_image(synth::data_path(g.file));
    for (const auto& fc : yunet640->detect(img)) {
      const double s = fas.score(img, fc.box);
      ++bona;
      bona_rej += s < cfg.passive_threshold ? 1 : 0;
    }
  }
  std::printf("  bona-fide faces (astronaut, messi5, VOC): %d, rejected %d -> passive BPCER %.0f %%\n", bona,
              bona_rej, bona ? 100.0 * bona_rej / bona : 0.0);
  std::printf(
      "  passive APCER: not measured - the repository holds no honest printed-photo or screen-replay\n"
      "  captures; collect them on the target camera before tuning passive_threshold.\n");
  return 0;
}
