// kioskctl face check IMAGE|VIDEO|DIR [--annotate OUT.png] [--actions blink,nod] [--config vision.toml]
// Prints JSON: faces with box/points/pose, the quality gate's guidance, the passive anti-spoof score,
// and for a video with --actions the full liveness result (evidence sizes only, never the images).
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "drivers/camera/frame_source.hpp"
#include "drivers/camera/image_io.hpp"
#include "kiosk/tools/command_registry.hpp"
#include "kiosk/vision/antispoof.hpp"
#include "kiosk/vision/face_session.hpp"
#include "kiosk/vision/quality.hpp"

namespace kiosk::tools {
namespace {

using nlohmann::json;
using namespace kiosk::vision;

json face_json(const Face& f) {
  const Pose p = estimate_pose(f);
  json pts = json::array();
  for (const auto& q : f.pts) pts.push_back({q.x, q.y});
  return {
      {"box", {f.box.x, f.box.y, f.box.width, f.box.height}},
      {"score", f.score},
      {"points", pts},
      {"landmarks_estimated", f.landmarks_estimated},
      {"pose",
       {{"yaw_deg", p.yaw_deg}, {"roll_deg", p.roll_deg}, {"pitch_ratio", p.pitch_ratio}, {"iod", p.iod}}}};
}

std::optional<Action> parse_action(const std::string& s) {
  for (Action a : {Action::Blink, Action::OpenMouth, Action::TurnLeft, Action::TurnRight, Action::Nod})
    if (s == to_string(a)) return a;
  return std::nullopt;
}

int run_check(const std::string& path, const std::string& annotate, const std::string& actions_csv,
              const std::string& config) {
  VisionConfig cfg = config.empty() ? VisionConfig{} : load_vision_config(config);
  auto det = make_detector(cfg);
  std::unique_ptr<PassiveAntiSpoof> fas;
  try {
    fas =
        std::make_unique<PassiveAntiSpoof>(resolve_path(cfg.fas_model_v2), resolve_path(cfg.fas_model_v1se));
  } catch (const std::exception&) {
  }
  json out{{"input", path}, {"detector", det->name()}, {"passive_available", fas != nullptr}};
  cv::Mat img;
  if (std::filesystem::is_regular_file(path)) {
    try {
      img = camera::read_image(path);
    } catch (const camera::ImageError&) {
      // not a still image: a video file
    }
  }
  if (!img.empty()) {
    cv::Mat gray;
    cv::cvtColor(img, gray, cv::COLOR_BGR2GRAY);
    const auto faces = det->detect(img);
    const auto q = assess_quality(gray, faces, cfg);
    out["width"] = img.cols;
    out["height"] = img.rows;
    out["faces"] = json::array();
    for (const auto& f : faces) out["faces"].push_back(face_json(f));
    out["quality"] = {{"ok", q.ok},
                      {"guidance", q.key},
                      {"score", q.score},
                      {"luma", q.signals.face_luma},
                      {"contrast", q.signals.face_contrast},
                      {"sharpness", q.signals.sharpness},
                      {"eye_open", q.signals.eye_open},
                      {"mouth_dark", q.signals.mouth_dark}};
    if (fas && faces.size() == 1) {
      const double s = fas->score(img, faces[0].box);
      out["passive_score"] = s;
      out["passive_threshold"] = cfg.passive_threshold;
      out["verdict"] = !q.ok ? q.key : (s >= cfg.passive_threshold ? "ok" : "suspected_spoof");
    } else {
      out["verdict"] = q.ok ? "ok" : q.key;
    }
    if (!annotate.empty()) {
      cv::Mat a = img.clone();
      for (const auto& f : faces) {
        cv::rectangle(a, f.box, cv::Scalar(0, 255, 0), 2);
        for (const auto& p : f.pts) cv::circle(a, p, 3, cv::Scalar(0, 0, 255), -1);
      }
      cv::putText(a, q.key, {10, 25}, cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(0, 255, 255), 2);
      std::string werr;
      if (!camera::write_image(annotate, a, &werr)) throw std::runtime_error(werr);
    }
    std::cout << out.dump(2) << "\n";
    return q.ok ? 0 : 2;
  }
  // Video file or image directory.
  auto src = camera::make_source_from_spec(path, {});
  std::string err;
  if (!src->open(err)) throw std::runtime_error(err);
  std::vector<Action> actions;
  std::stringstream ss(actions_csv);
  for (std::string tok; std::getline(ss, tok, ',');) {
    if (tok.empty()) continue;
    auto a = parse_action(tok);
    if (!a)
      throw std::runtime_error("unknown action '" + tok +
                               "' (blink, open_mouth, turn_left, turn_right, nod)");
    actions.push_back(*a);
  }
  std::optional<VisionResult> result;
  std::vector<std::string> guidance;
  FaceSession session(
      cfg, *det, fas.get(),
      [&](VisionEvent e) {
        if (auto* g = std::get_if<GuidanceEvent>(&e)) guidance.push_back(g->key);
        if (auto* r = std::get_if<VisionResult>(&e)) result = std::move(*r);
      },
      actions.empty() ? std::vector<Action>{Action::Blink} : actions);
  int frames = 0, with_one_face = 0;
  cv::Mat first;
  std::vector<Face> first_faces;
  while (true) {
    auto r = src->read(std::chrono::milliseconds(2000));
    if (r.status != camera::ReadStatus::Ok) break;
    ++frames;
    if (!actions.empty() && !session.finished()) {
      const auto a = session.process(r.frame);
      with_one_face += a.faces.size() == 1;
    } else {
      const auto faces = det->detect(r.frame.bgr);
      with_one_face += faces.size() == 1;
      if (first.empty() && !faces.empty()) {
        first = r.frame.bgr;
        first_faces = faces;
      }
    }
  }
  out["frames"] = frames;
  out["frames_with_one_face"] = with_one_face;
  if (!actions.empty()) {
    if (!session.finished()) session.camera_failed("end of input");
    out["guidance"] = guidance;
    if (result) {
      json acts = json::array();
      for (const auto& o : result->report.actions)
        acts.push_back({{"action", to_string(o.action)},
                        {"passed", o.passed},
                        {"elapsed_ms", o.elapsed_ms},
                        {"failure", o.failure}});
      out["verdict"] = to_string(result->verdict);
      out["reason"] = result->reason_key;
      out["liveness"] = {{"actions", acts},
                         {"active_passed", result->report.active_passed},
                         {"passive_score",
                          result->report.passive_score ? json(*result->report.passive_score) : json(nullptr)},
                         {"passive_passed", result->report.passive_passed},
                         {"degraded", result->report.degraded}};
      out["evidence"] = {{"best_jpeg_bytes", result->evidence.best_jpeg.size()},
                         {"action_jpegs", result->evidence.action_jpegs.size()},
                         {"comparison", result->evidence.comparison}};
      result->evidence.wipe();
    }
  } else {
    out["verdict"] = with_one_face > 0 ? "face_seen" : "vision.guide.no_face";
    if (!first.empty()) {
      out["first_faces"] = json::array();
      for (const auto& f : first_faces) out["first_faces"].push_back(face_json(f));
    }
  }
  std::cout << out.dump(2) << "\n";
  return (out["verdict"] == "pass" || out["verdict"] == "face_seen") ? 0 : 2;
}

const CommandRegistrar reg("face", [](CLI::App& root) {
  auto* face = root.add_subcommand("face", "Face detection, quality and liveness checks (刷脸)");
  face->require_subcommand(1);
  auto* check = face->add_subcommand("check", "Check an image, video or image directory; prints JSON");
  auto path = std::make_shared<std::string>();
  auto annotate = std::make_shared<std::string>();
  auto actions = std::make_shared<std::string>();
  auto config = std::make_shared<std::string>();
  check->add_option("input", *path, "IMAGE, VIDEO or directory of frames")->required();
  check->add_option("--annotate", *annotate, "write the image with boxes and landmarks (images only)");
  check->add_option("--actions", *actions, "run a liveness attempt on a video: e.g. blink,turn_left");
  check->add_option("--config", *config, "vision.toml (defaults built in)");
  check->callback([=] {
    try {
      exit_code() = run_check(*path, *annotate, *actions, *config);
    } catch (const std::exception& e) {
      std::cerr << "kioskctl face: " << e.what() << "\n";
      exit_code() = 1;
    }
  });
});

}  // namespace
}  // namespace kiosk::tools
