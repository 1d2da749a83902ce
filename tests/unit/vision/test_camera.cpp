#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "drivers/camera/frame_source.hpp"
#include "drivers/camera/health.hpp"
#include "drivers/camera/image_io.hpp"
#include "drivers/camera/module.hpp"

using namespace kiosk::camera;
using namespace std::chrono_literals;

namespace {
cv::Mat pattern(int i) {
  cv::Mat m(120, 160, CV_8UC3, cv::Scalar(40, 40, 40));
  cv::circle(m, {20 + i * 7 % 120, 60}, 15, cv::Scalar(200, 180, 90), -1);
  return m;
}
}  // namespace

TEST_CASE("memory source delivers frames with media time, then end of stream") {
  auto src = make_memory_source({pattern(0), pattern(1), pattern(2)}, 25.0);
  std::string err;
  REQUIRE(src->open(err));
  for (int i = 0; i < 3; ++i) {
    auto r = src->read(100ms);
    REQUIRE(r.status == ReadStatus::Ok);
    CHECK(r.frame.seq == i);
    CHECK(r.frame.ts_ms == Approx(i * 40.0));
    CHECK(r.frame.bgr.type() == CV_8UC3);
  }
  CHECK(src->read(100ms).status == ReadStatus::EndOfStream);
}

TEST_CASE("grey frames are converted to BGR") {
  auto src = make_memory_source({cv::Mat(10, 10, CV_8UC1, cv::Scalar(7))}, 30.0);
  std::string err;
  REQUIRE(src->open(err));
  auto r = src->read(10ms);
  REQUIRE(r.status == ReadStatus::Ok);
  CHECK(r.frame.bgr.channels() == 3);
}

TEST_CASE("image sequence and video file sources read real files") {
  const auto dir = std::filesystem::temp_directory_path() / ("kiosk_cam_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (int i = 0; i < 4; ++i) cv::imwrite((dir / ("f" + std::to_string(i) + ".png")).string(), pattern(i));
  std::ofstream((dir / "broken.jpg").string()) << "not a jpeg";
  auto files = list_images(dir.string());
  REQUIRE(files.size() == 5);
  auto seq = make_image_sequence_source(files, 10.0);
  std::string err;
  REQUIRE(seq->open(err));
  int ok = 0, bad = 0;
  for (int i = 0; i < 5; ++i) {
    auto r = seq->read(10ms);
    if (r.status == ReadStatus::Ok)
      ++ok;
    else if (r.status == ReadStatus::Error) {
      ++bad;
      CHECK(r.error.find("cannot decode") != std::string::npos);
    }
  }
  CHECK(ok == 4);
  CHECK(bad == 1);
  CHECK(seq->read(10ms).status == ReadStatus::EndOfStream);

  const auto video = (dir / "clip.avi").string();
  {
    cv::VideoWriter w(video, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 20.0, cv::Size(160, 120));
    REQUIRE(w.isOpened());
    for (int i = 0; i < 6; ++i) w.write(pattern(i));
  }
  auto vs = make_source_from_spec("video:" + video, {});
  REQUIRE(vs->open(err));
  int frames = 0;
  double last_ts = -1;
  while (true) {
    auto r = vs->read(100ms);
    if (r.status != ReadStatus::Ok) break;
    last_ts = r.frame.ts_ms;
    ++frames;
  }
  CHECK(frames == 6);
  CHECK(last_ts == Approx(250.0));
  std::filesystem::remove_all(dir);
}

TEST_CASE("missing devices and files fail to open with a reason") {
  std::string err;
  CameraSettings s;
  s.device = "/dev/video-kiosk-test-missing";
  auto cam = make_v4l2_source(s);
  CHECK_FALSE(cam->open(err));
  CHECK(err.find("not present") != std::string::npos);
  CHECK(cam->is_live());
  auto v = make_video_file_source("/nonexistent/clip.mp4");
  CHECK_FALSE(v->open(err));
  CHECK_FALSE(make_image_sequence_source({}, 30)->open(err));
}

TEST_CASE("health monitor reports no frames, frozen image, unplug and recovery") {
  std::vector<HealthEvent> ev;
  HealthSettings hs;
  hs.no_frame_ms = 1000;
  hs.frozen_ms = 500;
  HealthMonitor h(hs, [&](const HealthEvent& e) { ev.push_back(e); });
  auto ok_frame = [](int i) {
    ReadResult r;
    r.status = ReadStatus::Ok;
    r.frame.bgr = pattern(i);
    return r;
  };
  ReadResult timeout;
  timeout.status = ReadStatus::Timeout;
  double t = 0;
  for (int i = 0; i < 5; ++i) h.on_read(ok_frame(i), t += 33);
  CHECK(h.state() == HealthState::Ok);
  h.on_read(timeout, t += 500);
  CHECK(h.state() == HealthState::Ok);  // not yet
  h.on_read(timeout, t += 600);
  CHECK(h.state() == HealthState::NoFrames);
  h.on_read(ok_frame(9), t += 33);
  CHECK(h.state() == HealthState::Ok);
  for (int i = 0; i < 30; ++i) h.on_read(ok_frame(9), t += 33);  // same image for ~1 s
  CHECK(h.state() == HealthState::Frozen);
  h.on_read(ok_frame(3), t += 33);
  CHECK(h.state() == HealthState::Ok);
  ReadResult gone;
  gone.status = ReadStatus::Disconnected;
  gone.error = "device node removed (unplugged)";
  h.on_read(gone, t += 33);
  CHECK(h.state() == HealthState::Disconnected);
  REQUIRE(ev.size() >= 6);
  CHECK(ev.back().detail.find("unplugged") != std::string::npos);
  CHECK(ev.back().previous == HealthState::Ok);
}

TEST_CASE("the camera module loads on first use; a wrong or broken file is refused with the reason") {
  // The kiosk executable does not link OpenCV videoio: V4L2 and video files come from the module.
  const auto& m = camera_module();
  INFO(m.error);
  REQUIRE(m.loaded);
  CHECK(probe_camera_module(m.path).loaded);
  auto dir = std::filesystem::temp_directory_path() / ("kiosk-cam-mod-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto junk = (dir / "libkiosk_camera_videoio.so").string();
  std::ofstream(junk) << "not an ELF file";
  auto bad = probe_camera_module(junk);
  CHECK_FALSE(bad.loaded);
  CHECK(bad.error.find("cannot be loaded") != std::string::npos);
  auto other = probe_camera_module("libm.so.6");  // a real library, but not ours
  CHECK_FALSE(other.loaded);
  CHECK(other.error.find("entry points") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("still images: PNG and JPEG round trips through the product's codec, readable by OpenCV too") {
  auto dir = std::filesystem::temp_directory_path() / ("kiosk-img-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  cv::Mat img(60, 80, CV_8UC3);
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x) img.at<cv::Vec3b>(y, x) = {uchar(x * 3), uchar(y * 4), uchar(200)};
  const auto png = (dir / "a.png").string();
  REQUIRE(write_image(png, img));
  cv::Mat back = read_image(png);
  REQUIRE(back.size() == img.size());
  CHECK(cv::norm(back, img, cv::NORM_INF) == 0);  // lossless, and BGR order kept
  CHECK(cv::norm(cv::imread(png), img, cv::NORM_INF) == 0);
  cv::Mat grey = read_image(png, ImageMode::Grey);
  CHECK(grey.type() == CV_8UC1);
  // JPEG bytes (face evidence) decode with OpenCV's libjpeg to nearly the same picture.
  auto jpg = encode_jpeg(img, 90);
  REQUIRE(jpg.size() > 100);
  CHECK(jpg[0] == 0xFF);
  CHECK(jpg[1] == 0xD8);
  cv::Mat dec = cv::imdecode(jpg, cv::IMREAD_COLOR);
  REQUIRE(dec.size() == img.size());
  CHECK(cv::norm(dec, img, cv::NORM_L1) / double(img.total() * 3) < 6.0);
  CHECK(cv::norm(decode_image(jpg), dec, cv::NORM_L1) / double(img.total() * 3) < 3.0);
  // Bad input: a clear error, never a crash.
  std::ofstream(dir / "bad.png") << "\x89PNG but not really";
  CHECK_THROWS_WITH(read_image((dir / "bad.png").string()), Catch::Contains("bad.png"));
  CHECK_THROWS_WITH(read_image((dir / "none.png").string()), Catch::Contains("no such file"));
  std::vector<std::uint8_t> junk{1, 2, 3};
  CHECK_THROWS_AS(decode_image(junk), ImageError);
  std::string err;
  CHECK_FALSE(write_image((dir / "x.tif").string(), img, &err));
  CHECK(err.find("extension") != std::string::npos);
  CHECK_FALSE(write_image((dir / "no/such/dir/x.png").string(), img, &err));
  std::filesystem::remove_all(dir);
}

TEST_CASE(
    "camera.toml: the shipped file parses; typos, wrong types and bad ranges are refused with the line") {
  auto c = load_camera_config(std::string(KIOSK_SOURCE_DIR) + "/config/devices/camera.toml");
  CHECK(c.source == "v4l2:/dev/video0");
  CHECK(c.settings.device == "/dev/video0");
  CHECK(c.settings.width == 640);
  CHECK(c.settings.fps == Approx(30));  // an integer is fine for a number
  CHECK(c.qr);
  auto v = parse_camera_config("[camera]\nsource = \"video:/srv/trial.mp4\"\nqr_fps = 4.5\n", "t.toml");
  CHECK(v.source == "video:/srv/trial.mp4");
  CHECK(v.qr_fps == Approx(4.5));
  auto err = [](const std::string& text) {
    try {
      (void)parse_camera_config(text, "camera.toml");
      return std::string("accepted");
    } catch (const CameraConfigError& e) {
      return std::string(e.what());
    }
  };
  CHECK(err("[camera]\nwidht = 640\n") == "camera.toml:2: unknown key camera.widht");
  CHECK(err("[camera]\nsource = \"v4l2:/dev/video0\"\nwidth = \"640\"\n") ==
        "camera.toml:3: camera.width must be an integer");
  CHECK(err("[camera]\nqr = \"yes\"\n") == "camera.toml:2: camera.qr must be true or false");
  CHECK(err("[camera]\nwidth = 10\n").find("out of range") != std::string::npos);
  CHECK(err("[camera]\nfps = 0\n").find("out of range") != std::string::npos);
  CHECK(err("[camera]\nsource = \"\"\n").find("empty") != std::string::npos);
  CHECK(err("[camera\n").rfind("camera.toml:1:", 0) == 0);
  CHECK(err("[cmaera]\nwidth = 640\n").find("unknown table [cmaera]") != std::string::npos);
  CHECK(err("camera = 1\n").find("camera must be a table") != std::string::npos);
}
