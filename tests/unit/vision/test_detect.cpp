#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "kiosk/vision/antispoof.hpp"
#include "kiosk/vision/quality.hpp"
#include "kiosk/vision/sim/synth.hpp"

using namespace kiosk::vision;

namespace {

struct GtImage {
  std::string file;
  std::vector<cv::Rect2f> boxes;
};

// dlib's hand-labelled boxes (tests/data/vision/voc/{training,testing}.xml).
std::vector<GtImage> load_gt() {
  std::vector<GtImage> out;
  for (const char* x : {"voc/training.xml", "voc/testing.xml"}) {
    std::ifstream in(synth::data_path(x));
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string s = ss.str();
    const std::regex img_re("<image file='([^']+)'"),
        box_re("<box top='(\\d+)' left='(\\d+)' width='(\\d+)' height='(\\d+)'");
    std::size_t pos = 0;
    std::smatch m;
    std::string rest = s;
    while (std::regex_search(rest, m, img_re)) {
      GtImage g;
      g.file = "voc/" + m[1].str();
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
    (void)pos;
  }
  return out;
}

struct Score {
  int gt = 0, found = 0, false_pos = 0;
};

Score evaluate(FaceDetector& det) {
  Score sc;
  for (const auto& g : load_gt()) {
    cv::Mat img = kiosk::camera::read_image(synth::data_path(g.file));
    REQUIRE_FALSE(img.empty());
    const auto faces = det.detect(img);
    std::vector<bool> used(faces.size(), false);
    for (const auto& b : g.boxes) {
      ++sc.gt;
      for (std::size_t i = 0; i < faces.size(); ++i)
        if (!used[i] && iou(faces[i].box, b) >= 0.3) {
          used[i] = true;
          ++sc.found;
          break;
        }
    }
    for (bool u : used) sc.false_pos += u ? 0 : 1;
  }
  return sc;
}

}  // namespace

TEST_CASE("YuNet finds the hand-labelled faces in real photographs") {
  const auto cfg = synth::test_config();
  auto det =
      make_yunet_detector(cfg.yunet_model, 640, 0.6f, 0.3f);  // VOC images are 500 px wide: no downscale
  const Score sc = evaluate(*det);
  std::cout << "[detect] yunet recall " << sc.found << "/" << sc.gt << " unmatched detections "
            << sc.false_pos << "\n";
  CHECK(sc.gt == 43);
  CHECK(sc.found >= 39);
  CHECK(sc.false_pos <= 3);

  auto haar = make_haar_detector(cfg.haar_cascade, 640);
  const Score hs = evaluate(*haar);
  std::cout << "[detect] haar recall " << hs.found << "/" << hs.gt << " unmatched detections " << hs.false_pos
            << "\n";
  CHECK(hs.found >= 20);
}

TEST_CASE("no faces are reported on animals, fruit and textures") {
  const auto cfg = synth::test_config();
  auto det = make_detector(cfg);
  int fp = 0;
  for (const char* f :
       {"nonface/baboon.jpg", "nonface/fruits.jpg", "nonface/chelsea.png", "nonface/dogs.jpg"}) {
    cv::Mat img = kiosk::camera::read_image(synth::data_path(f));
    REQUIRE_FALSE(img.empty());
    const auto n = det->detect(img).size();
    std::cout << "[detect] " << f << ": " << n << " faces\n";
    fp += static_cast<int>(n);
  }
  CHECK(fp == 0);
}

TEST_CASE("YuNet landmarks are plausible on a frontal face") {
  auto det = make_detector(synth::test_config());
  REQUIRE(det->name() == "yunet-2022mar");
  const auto faces = det->detect(synth::kiosk_frame());
  REQUIRE(faces.size() == 1);
  const auto& f = faces[0];
  CHECK(f.pts[0].x < f.pts[1].x);  // subject's right eye on the image's left
  CHECK(f.pts[2].y > f.pts[0].y);  // nose below the eyes
  CHECK(f.pts[3].y > f.pts[2].y);  // mouth below the nose
  const Pose p = estimate_pose(f);
  CHECK(std::abs(p.yaw_deg) < 10);
  CHECK(std::abs(p.roll_deg) < 8);
  CHECK(p.iod > 60);
}

TEST_CASE("Haar fallback is used when the YuNet model is missing") {
  auto cfg = synth::test_config();
  cfg.yunet_model = "/nonexistent/yunet.onnx";
  auto det = make_detector(cfg);
  CHECK(det->name() == "haar-frontalface-default");
  CHECK_FALSE(det->has_landmarks());
  const auto faces = det->detect(synth::kiosk_frame());
  REQUIRE(faces.size() >= 1);
  CHECK(faces[0].landmarks_estimated);
  cfg.haar_cascade = "/nonexistent.xml";
  CHECK_THROWS(make_detector(cfg));
}

TEST_CASE("quality gate gives specific guidance on crafted frames") {
  const auto cfg = synth::test_config();
  auto det = make_detector(cfg);
  auto key_of = [&](const cv::Mat& img) {
    cv::Mat g;
    cv::cvtColor(img, g, cv::COLOR_BGR2GRAY);
    return assess_quality(g, det->detect(img), cfg).key;
  };
  const cv::Mat base = synth::kiosk_frame();
  CHECK(key_of(base) == "vision.guide.ok");

  cv::Mat dark;
  base.convertTo(dark, -1, 0.25, 0);
  CHECK(key_of(dark) == "vision.guide.too_dark");

  cv::Mat blurred;
  cv::GaussianBlur(base, blurred, cv::Size(0, 0), 5.0);
  CHECK(key_of(blurred) == "vision.guide.hold_still");

  CHECK(key_of(synth::kiosk_frame("astronaut.png", 2.0, {0.22, 0.45})) == "vision.guide.center");
  CHECK(key_of(synth::kiosk_frame("astronaut.png", 0.8)) == "vision.guide.closer");

  cv::Mat two(480, 640, CV_8UC3, cv::Scalar(90, 100, 110));
  cv::Mat small;
  cv::resize(base(cv::Rect(120, 0, 400, 480)), small, cv::Size(), 0.75, 0.75);
  small.copyTo(two(cv::Rect(10, 60, small.cols, small.rows)));
  small.copyTo(two(cv::Rect(330, 60, small.cols, small.rows)));
  CHECK(key_of(two) == "vision.guide.multiple_faces");

  CHECK(key_of(cv::Mat(480, 640, CV_8UC3, cv::Scalar(120, 120, 120))) == "vision.guide.no_face");

  // A dark brim over the forehead.
  const auto f = det->detect(base)[0];
  cv::Mat hat = base.clone();
  const float top = f.box.y - f.box.height * 0.3f;
  cv::rectangle(
      hat, cv::Point2f(f.box.x - 30, top),
      cv::Point2f(f.box.x + f.box.width + 30, f.pts[0].y - 0.45f * static_cast<float>(synth::iod_of(f))),
      cv::Scalar(30, 25, 25), -1);
  CHECK(key_of(hat) == "vision.guide.remove_hat");
}

TEST_CASE("MiniFASNet crops follow the reference recipe and score real captures high") {
  const auto cfg = synth::test_config();
  const cv::Rect c = PassiveAntiSpoof::crop_box({640, 480}, {600, 10, 100, 100}, 2.7);
  CHECK(c.x + c.width <= 640);
  CHECK(c.y >= 0);
  CHECK(c.width == Approx(270).margin(2));
  PassiveAntiSpoof fas(cfg.fas_model_v2, cfg.fas_model_v1se);
  auto det = make_detector(cfg);
  const cv::Mat img = synth::kiosk_frame();
  const auto f = det->detect(img)[0];
  const double real = fas.score(img, f.box);
  CHECK(real > 0.6);
  CHECK(fas.score(img, f.box) == Approx(real));  // deterministic
  CHECK_THROWS(PassiveAntiSpoof("/nonexistent.onnx", cfg.fas_model_v1se));
}
