// The camera module (libkiosk_camera_videoio.so): V4L2 capture and video files through OpenCV's videoio,
// loaded with dlopen by drivers/camera/module.cpp when a camera is first opened. videoio pulls ~240 shared
// libraries (FFmpeg, GStreamer …); keeping them out of the kiosk executable keeps its cold start short.
//
// V4L2: the grabber thread blocks inside the driver (bounded by OpenCV's select() timeout, which we set
// from the environment if unset); read() only waits on a condition variable with the caller's timeout and
// always returns the newest frame (older ones are dropped).
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <opencv2/videoio.hpp>
#include <thread>

#include "drivers/camera/frame_source.hpp"
#include "drivers/camera/image_io.hpp"
#include "drivers/camera/module.hpp"

namespace kiosk::camera {
namespace {

class V4l2Source final : public FrameSource {
 public:
  explicit V4l2Source(CameraSettings s) : s_(std::move(s)) {}
  ~V4l2Source() override { close(); }

  bool open(std::string& error) override {
    close();
    // OpenCV's V4L2 backend waits this many seconds in select() per grab (default 10).
    ::setenv("OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT", "2", 0);
    bool ok = false;
    if (!s_.device.empty() && s_.device.find_first_not_of("0123456789") == std::string::npos) {
      ok = cap_.open(std::stoi(s_.device), cv::CAP_V4L2);
    } else {
      struct stat st {};
      if (::stat(s_.device.c_str(), &st) != 0) {
        error = "camera device not present: " + s_.device;
        return false;
      }
      ok = cap_.open(s_.device, cv::CAP_V4L2);
    }
    if (!ok || !cap_.isOpened()) {
      error = "cannot open camera " + s_.device;
      return false;
    }
    if (s_.mjpg) cap_.set(cv::CAP_PROP_FOURCC, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'));
    cap_.set(cv::CAP_PROP_FRAME_WIDTH, s_.width);
    cap_.set(cv::CAP_PROP_FRAME_HEIGHT, s_.height);
    cap_.set(cv::CAP_PROP_FPS, s_.fps);
    cap_.set(cv::CAP_PROP_BUFFERSIZE, 1);
    start_ = std::chrono::steady_clock::now();
    stop_ = false;
    disconnected_ = false;
    grabber_ = std::thread([this] { grab_loop(); });
    return true;
  }

  ReadResult read(std::chrono::milliseconds timeout) override {
    ReadResult r;
    std::unique_lock lk(mu_);
    const bool got = cv_.wait_for(lk, timeout, [&] { return has_new_ || disconnected_ || stop_; });
    if (has_new_) {
      r.status = ReadStatus::Ok;
      r.frame = latest_;
      has_new_ = false;
      return r;
    }
    if (disconnected_) {
      r.status = ReadStatus::Disconnected;
      r.error = disconnect_reason_;
      return r;
    }
    r.status = got ? ReadStatus::Error : ReadStatus::Timeout;
    r.error = got ? "camera closed" : "no frame within timeout";
    return r;
  }

  void close() override {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (grabber_.joinable()) grabber_.join();
    if (cap_.isOpened()) cap_.release();
  }

  std::string describe() const override {
    return "v4l2:" + s_.device + " " + std::to_string(s_.width) + "x" + std::to_string(s_.height) + "@" +
           std::to_string(static_cast<int>(s_.fps)) + (s_.mjpg ? " MJPG" : "");
  }
  bool is_live() const override { return true; }

 private:
  void grab_loop() {
    std::int64_t seq = 0;
    int failures = 0;
    while (true) {
      {
        std::lock_guard lk(mu_);
        if (stop_) return;
      }
      cv::Mat m;
      const bool ok = cap_.read(m);
      if (!ok || m.empty()) {
        struct stat st {};
        const bool node_gone = s_.device.rfind("/dev/", 0) == 0 && ::stat(s_.device.c_str(), &st) != 0;
        if (node_gone || ++failures >= 3) {
          std::lock_guard lk(mu_);
          disconnected_ = true;
          disconnect_reason_ = node_gone ? "device node removed (unplugged)" : "camera stopped delivering";
          cv_.notify_all();
          return;
        }
        continue;
      }
      failures = 0;
      Frame f;
      f.bgr = m;
      f.seq = seq++;
      f.ts_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
      {
        std::lock_guard lk(mu_);
        latest_ = std::move(f);
        has_new_ = true;
      }
      cv_.notify_all();
    }
  }

  CameraSettings s_;
  cv::VideoCapture cap_;
  std::thread grabber_;
  std::mutex mu_;
  std::condition_variable cv_;
  Frame latest_;
  bool has_new_ = false;
  bool stop_ = false;
  bool disconnected_ = false;
  std::string disconnect_reason_;
  std::chrono::steady_clock::time_point start_;
};

class VideoFileSource final : public FrameSource {
 public:
  VideoFileSource(std::string path, bool loop) : path_(std::move(path)), loop_(loop) {}
  bool open(std::string& error) override {
    if (!std::filesystem::is_regular_file(path_)) {
      error = "no such video file: " + path_;
      return false;
    }
    if (!cap_.open(path_, cv::CAP_ANY)) {
      error = "cannot open video " + path_;
      return false;
    }
    fps_ = cap_.get(cv::CAP_PROP_FPS);
    if (!(fps_ > 1.0 && fps_ < 1000.0)) fps_ = 30.0;
    seq_ = 0;
    return true;
  }
  ReadResult read(std::chrono::milliseconds) override {
    ReadResult r;
    cv::Mat m;
    if (!cap_.isOpened() || !cap_.read(m) || m.empty()) {
      if (loop_ && cap_.isOpened() && seq_ > 0) {
        cap_.set(cv::CAP_PROP_POS_FRAMES, 0);
        if (cap_.read(m) && !m.empty()) return ok(m);
      }
      r.status = ReadStatus::EndOfStream;
      return r;
    }
    return ok(m);
  }
  void close() override { cap_.release(); }
  std::string describe() const override { return "video:" + path_; }

 private:
  ReadResult ok(const cv::Mat& m) { return paced_frame(m, seq_, fps_); }
  std::string path_;
  bool loop_;
  cv::VideoCapture cap_;
  double fps_ = 30.0;
  std::int64_t seq_ = 0;
};

}  // namespace

}  // namespace kiosk::camera

extern "C" {

int kiosk_camera_module_abi() {
  return kiosk::camera::kModuleAbi;
}

kiosk::camera::FrameSource* kiosk_camera_make_v4l2(const kiosk::camera::CameraSettings* settings) {
  return new kiosk::camera::V4l2Source(*settings);
}

kiosk::camera::FrameSource* kiosk_camera_make_video_file(const char* path, bool loop) {
  return new kiosk::camera::VideoFileSource(path, loop);
}

}  // extern "C"
