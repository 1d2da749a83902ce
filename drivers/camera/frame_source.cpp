#include "drivers/camera/frame_source.hpp"

#include <algorithm>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "drivers/camera/image_io.hpp"

namespace kiosk::camera {

const char* to_string(ReadStatus s) {
  switch (s) {
    case ReadStatus::Ok:
      return "ok";
    case ReadStatus::Timeout:
      return "timeout";
    case ReadStatus::EndOfStream:
      return "end_of_stream";
    case ReadStatus::Disconnected:
      return "disconnected";
    case ReadStatus::Error:
      return "error";
  }
  return "?";
}

namespace {

class MemorySource final : public FrameSource {
 public:
  MemorySource(std::vector<cv::Mat> frames, double fps, bool loop, std::string name)
      : frames_(std::move(frames)), fps_(fps > 0 ? fps : 30.0), loop_(loop), name_(std::move(name)) {}
  bool open(std::string& error) override {
    if (frames_.empty()) {
      error = "no frames";
      return false;
    }
    next_ = 0;
    return true;
  }
  ReadResult read(std::chrono::milliseconds) override {
    ReadResult r;
    if (next_ >= static_cast<std::int64_t>(frames_.size())) {
      if (!loop_ || frames_.empty()) {
        r.status = ReadStatus::EndOfStream;
        return r;
      }
    }
    const auto idx = static_cast<std::size_t>(next_ % static_cast<std::int64_t>(frames_.size()));
    return paced_frame(frames_[idx], next_, fps_);
  }
  void close() override {}
  std::string describe() const override { return name_; }

 private:
  std::vector<cv::Mat> frames_;
  double fps_;
  bool loop_;
  std::string name_;
  std::int64_t next_ = 0;
};

class ImageSequenceSource final : public FrameSource {
 public:
  ImageSequenceSource(std::vector<std::string> files, double fps, bool loop)
      : files_(std::move(files)), fps_(fps > 0 ? fps : 30.0), loop_(loop) {}
  bool open(std::string& error) override {
    if (files_.empty()) {
      error = "image sequence is empty";
      return false;
    }
    next_ = 0;
    return true;
  }
  ReadResult read(std::chrono::milliseconds) override {
    ReadResult r;
    const auto n = static_cast<std::int64_t>(files_.size());
    if (next_ >= n && !loop_) {
      r.status = ReadStatus::EndOfStream;
      return r;
    }
    const auto& f = files_[static_cast<std::size_t>(next_ % n)];
    cv::Mat img;
    try {
      img = read_image(f);
    } catch (const ImageError& e) {
      r.status = ReadStatus::Error;
      r.error = std::string("cannot decode image ") + e.what();
      ++next_;
      return r;
    }
    return paced_frame(img, next_, fps_);
  }
  void close() override {}
  std::string describe() const override { return "images:" + std::to_string(files_.size()) + " files"; }

 private:
  std::vector<std::string> files_;
  double fps_;
  bool loop_;
  std::int64_t next_ = 0;
};

class SyntheticSource final : public FrameSource {
 public:
  SyntheticSource(FrameGenerator gen, double fps, std::string name)
      : gen_(std::move(gen)), fps_(fps > 0 ? fps : 30.0), name_(std::move(name)) {}
  bool open(std::string& error) override {
    if (!gen_) {
      error = "no generator";
      return false;
    }
    seq_ = 0;
    start_ = std::chrono::steady_clock::now();
    return true;
  }
  ReadResult read(std::chrono::milliseconds timeout) override {
    ReadResult r;
    // Paced like a camera: frame n is due at open + n/fps (sleeps, never spins).
    const auto due =
        start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     std::chrono::duration<double, std::milli>(static_cast<double>(seq_) * 1000.0 / fps_));
    const auto now = std::chrono::steady_clock::now();
    if (due > now + timeout) {
      std::this_thread::sleep_for(timeout);
      r.status = ReadStatus::Timeout;
      r.error = "no frame within timeout";
      return r;
    }
    if (due > now) std::this_thread::sleep_until(due);
    cv::Mat m = gen_(seq_);
    if (m.empty()) {
      r.status = ReadStatus::EndOfStream;
      return r;
    }
    return paced_frame(m, seq_, fps_);
  }
  void close() override {}
  std::string describe() const override { return "synthetic:" + name_; }

 private:
  FrameGenerator gen_;
  double fps_;
  std::string name_;
  std::int64_t seq_ = 0;
  std::chrono::steady_clock::time_point start_;
};

bool is_image_ext(std::string ext) {
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".pgm" || ext == ".ppm";
}

}  // namespace

std::vector<std::string> list_images(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && is_image_ext(e.path().extension().string())) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::unique_ptr<FrameSource> make_image_sequence_source(std::vector<std::string> files, double fps,
                                                        bool loop) {
  return std::make_unique<ImageSequenceSource>(std::move(files), fps, loop);
}

std::unique_ptr<FrameSource> make_memory_source(std::vector<cv::Mat> frames, double fps, bool loop) {
  return std::make_unique<MemorySource>(std::move(frames), fps, loop, "memory");
}

std::unique_ptr<FrameSource> make_synthetic_source(FrameGenerator gen, double fps, std::string name) {
  return std::make_unique<SyntheticSource>(std::move(gen), fps, std::move(name));
}

std::unique_ptr<FrameSource> make_source_from_spec(const std::string& spec, const CameraSettings& base,
                                                   double sequence_fps) {
  auto starts = [&](const char* p) { return spec.rfind(p, 0) == 0; };
  if (starts("v4l2:")) {
    CameraSettings s = base;
    s.device = spec.substr(5);
    return make_v4l2_source(s);
  }
  if (starts("video:")) return make_video_file_source(spec.substr(6));
  if (starts("images:")) return make_image_sequence_source(list_images(spec.substr(7)), sequence_fps);
  namespace fs = std::filesystem;
  if (fs::is_directory(spec)) return make_image_sequence_source(list_images(spec), sequence_fps);
  if (fs::is_regular_file(spec) && is_image_ext(fs::path(spec).extension().string()))
    return make_image_sequence_source({spec}, sequence_fps);
  if (starts("/dev/video")) {
    CameraSettings s = base;
    s.device = spec;
    return make_v4l2_source(s);
  }
  return make_video_file_source(spec);
}

}  // namespace kiosk::camera
