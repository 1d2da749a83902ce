// Camera QR decoding: real corpus images, simulated phone screens (dark mode, tilt, glare, blur,
// small, large), the no-code pre-check, the repeat filter and the QR worker's events and logs.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "kiosk/qr/decoder.hpp"
#include "kiosk/qr/image_io.hpp"
#include "kiosk/qr/qr_worker.hpp"
#include "kiosk/qr/sim/demo.hpp"
#include "kiosk/qr/sim/phone_screen.hpp"

using namespace kiosk;
using namespace kiosk::qr;
using namespace std::chrono_literals;

namespace {
std::string corpus(const std::string& name) {
  return std::string(KIOSK_SOURCE_DIR) + "/tests/data/qr/" + name;
}
const std::string kToken = "Vh3kQ9mZ2xPp7Lr0Ta8bYc5Wd1Ne6Fg4Hs+/Ju8aQ2zX9pL3mN7bV1cR5tY0wE4";

std::string decode_text(const cv::Mat& img, DecodeOptions o = {}) {
  auto r = QrDecoder(o).decode(img);
  return r.codes.empty() ? std::string() : r.codes.front().text;
}
}  // namespace

TEST_CASE("real corpus: every image listed in expected.tsv decodes to its text") {
  std::ifstream in(corpus("expected.tsv"));
  REQUIRE(in);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    std::string file = line.substr(0, tab), text = line.substr(tab + 1);
    INFO(file);
    std::string got = decode_text(read_grey(corpus(file)));
    // expected.tsv escapes newlines as \n
    std::string want;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
        want += '\n';
        ++i;
      } else {
        want += text[i];
      }
    }
    CHECK(got == want);
    ++n;
  }
  CHECK(n >= 10);
}

TEST_CASE("real corpus: no code is reported in the negative images") {
  for (auto& e : std::filesystem::directory_iterator(corpus("negative"))) {
    INFO(e.path().string());
    auto r = QrDecoder().decode(read_grey(e.path().string()));
    CHECK(r.codes.empty());
  }
}

TEST_CASE("phone screens: plain, dark mode, tilted, rotated, blurred, glare, moiré, small, large") {
  sim::PhoneScreenOptions o;
  SECTION("plain") {}
  SECTION("dark mode (inverted code)") {
    o.dark_mode = true;
  }
  SECTION("tilted 35 degrees and rotated") {
    o.tilt_deg = 35;
    o.rotate_deg = 20;
  }
  SECTION("defocus blur") {
    o.blur_sigma = 1.6;
  }
  SECTION("glare over the code") {
    o.glare = 0.8;
  }
  SECTION("moiré and noise") {
    o.moire = 0.8;
    o.noise_sigma = 6;
  }
  SECTION("small code (~2.5 px per module)") {
    o.code_px = 120;
    o.center = {0.8f, 0.3f};
  }
  SECTION("large code filling the frame height") {
    o.code_px = 330;
  }
  SECTION("dark mode, small and tilted") {
    o.dark_mode = true;
    o.code_px = 150;
    o.tilt_deg = 25;
  }
  cv::Mat frame = sim::render_phone_frame(kToken, o);
  REQUIRE(frame.size() == cv::Size(1280, 720));
  auto r = QrDecoder().decode(frame);
  REQUIRE(r.precheck_passed);
  REQUIRE(r.codes.size() == 1);
  CHECK(r.codes[0].text == kToken);
  CHECK(r.codes[0].format == "QRCode");
  CHECK(r.codes[0].inverted == o.dark_mode);
  // The reported corners lie around the phone's centre.
  cv::Point2f mid(0, 0);
  for (auto& p : r.codes[0].corners) mid += cv::Point2f(p);
  mid *= 0.25f;
  CHECK(std::abs(mid.x - o.center.x * 1280) < o.code_px);
  CHECK(std::abs(mid.y - o.center.y * 720) < o.code_px * 1.5);
}

TEST_CASE("without inversion a dark-mode screen is not read (the inverted pass is what reads it)") {
  sim::PhoneScreenOptions o;
  o.dark_mode = true;
  DecodeOptions d;
  d.try_invert = false;
  CHECK(decode_text(sim::render_phone_frame(kToken, o), d).empty());
}

TEST_CASE("pre-check: scenes without a code are rejected cheaply, code frames pass") {
  DecodeOptions o;
  for (unsigned seed = 1; seed <= 5; ++seed) {
    cv::Mat bg = sim::render_background({1280, 720}, seed);
    cv::Mat grey;
    cv::cvtColor(bg, grey, cv::COLOR_BGR2GRAY);
    INFO("seed " << seed);
    CHECK_FALSE(precheck(grey, o).likely);
    auto r = QrDecoder(o).decode(bg);
    CHECK_FALSE(r.precheck_passed);
    CHECK(r.attempts == 0);
  }
  cv::Mat frame = sim::render_phone_frame(kToken, {});
  cv::Mat g;
  cv::cvtColor(frame, g, cv::COLOR_BGR2GRAY);
  auto pc = precheck(g, o);
  REQUIRE(pc.likely);
  // The first candidate region contains the code's centre.
  CHECK(pc.regions.front().contains(cv::Point(640, 360)));
}

TEST_CASE("ROI limits where codes are looked for") {
  sim::PhoneScreenOptions p;
  p.center = {0.25f, 0.5f};
  cv::Mat frame = sim::render_phone_frame(kToken, p);
  DecodeOptions left, right;
  left.roi = cv::Rect(0, 0, 640, 720);
  right.roi = cv::Rect(640, 0, 640, 720);
  auto r = QrDecoder(left).decode(frame);
  REQUIRE(r.codes.size() == 1);
  CHECK(r.codes[0].corners[0].x < 640);
  CHECK(decode_text(frame, right).empty());
}

TEST_CASE("bad frames are rejected with a clear error") {
  QrDecoder d;
  CHECK_THROWS_AS(d.decode(cv::Mat()), std::invalid_argument);
  CHECK_THROWS_AS(d.decode(cv::Mat(10, 10, CV_32F, cv::Scalar(0))), std::invalid_argument);
  CHECK_THROWS_AS(d.decode(cv::Mat(10, 10, CV_8UC2, cv::Scalar(0))), std::invalid_argument);
  CHECK_THROWS_AS(read_grey("/nonexistent.png"), ImageError);
  CHECK_NOTHROW(d.decode(cv::Mat(1, 1, CV_8UC1, cv::Scalar(0))));
}

TEST_CASE("repeat filter: the same code in a row counts once, again after it was gone") {
  RepeatFilter f(500ms);
  auto t = RepeatFilter::Clock::now();
  CHECK(f.accept("A", t));
  CHECK_FALSE(f.accept("A", t + 100ms));
  CHECK_FALSE(f.accept("A", t + 550ms));  // still in view: each sighting extends the hold
  CHECK(f.accept("B", t + 600ms));
  CHECK(f.accept("A", t + 700ms));
  CHECK(f.accept("A", t + 1300ms));  // out of sight for longer than the hold
  f.reset();
  CHECK(f.accept("A", t + 1310ms));
}

TEST_CASE("QR worker: decodes off the caller's thread, posts one event per code, logs only masked") {
  std::ostringstream logs;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logs);
  auto prev = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("qr-test", sink));

  core::EventQueue q;
  QrWorker w(sim::demo_rules());
  w.start(q);
  sim::DemoQrCamera cam(w);
  cam.show(kToken);
  REQUIRE(q.wait_for(5000ms));
  auto evs = q.drain();
  REQUIRE(evs.size() == 1);
  auto& e = std::get<core::DeviceEvent>(evs[0]);
  CHECK(e.kind == core::DeviceEvent::Kind::QrScanned);
  CHECK(e.device == "camera");
  CHECK(e.identity.source == core::IdSource::QrVoucher);
  CHECK(e.identity.document == core::DocumentType::MedicalVoucher);
  CHECK(e.identity.token == kToken);

  // The same code shown again right away: no second event.
  cam.show(kToken);
  CHECK_FALSE(q.wait_for(400ms));
  // An e_sscard (demo prefix) in dark mode: a new event.
  const std::string essc = sim::demo_payload(PayloadKind::ESsCard, 7);
  sim::PhoneScreenOptions dark;
  dark.dark_mode = true;
  cam.show(essc, dark);
  REQUIRE(q.wait_for(5000ms));
  auto evs2 = q.drain();
  REQUIRE(evs2.size() == 1);
  CHECK(std::get<core::DeviceEvent>(evs2[0]).identity.document == core::DocumentType::ESsCard);
  // An empty scene costs only the pre-check.
  cam.clear();
  CHECK_FALSE(q.wait_for(300ms));
  w.stop();
  auto st = w.status();
  CHECK(st["posted"] == 2);
  CHECK(st["precheck_rejected"].get<int>() >= 1);

  spdlog::set_default_logger(prev);
  const std::string text = logs.str();
  CHECK(text.find("qr: camera read medical_voucher") != std::string::npos);
  CHECK(text.find(kToken) == std::string::npos);
  CHECK(text.find(essc) == std::string::npos);
  CHECK(text.find(essc.substr(10, 12)) == std::string::npos);
}

TEST_CASE("demo payloads classify as their kinds") {
  auto r = sim::demo_rules();
  for (auto k :
       {PayloadKind::MedicalVoucher, PayloadKind::ESsCard, PayloadKind::Url, PayloadKind::CaseNumber}) {
    std::string p = sim::demo_payload(k, 3);
    CHECK(classify(r, p).kind == k);
  }
}
