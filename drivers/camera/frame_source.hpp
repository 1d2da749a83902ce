// Frame sources for the face capture pipeline. Every read has a timeout; media time (ts_ms) is taken
// from the source so that recorded sequences replay deterministically.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "drivers/camera/camera_config.hpp"
#include "drivers/camera/image_io.hpp"

namespace kiosk::camera {

struct Frame {
  cv::Mat bgr;           // 8-bit BGR
  std::int64_t seq = 0;  // 0-based index of the frame delivered by this source
  double ts_ms = 0.0;    // media time: file/sequence time or milliseconds since open for live sources
};

enum class ReadStatus { Ok, Timeout, EndOfStream, Disconnected, Error };
const char* to_string(ReadStatus s);

struct ReadResult {
  ReadStatus status = ReadStatus::Error;
  Frame frame;        // valid when status == Ok
  std::string error;  // human-readable reason otherwise
};

// The Ok result for frame number `seq` of a source paced at `fps` (media time seq * 1000 / fps, BGR);
// advances seq.
inline ReadResult paced_frame(const cv::Mat& img, std::int64_t& seq, double fps) {
  ReadResult r;
  r.status = ReadStatus::Ok;
  r.frame.bgr = to_bgr(img);
  r.frame.seq = seq;
  r.frame.ts_ms = static_cast<double>(seq) * 1000.0 / fps;
  ++seq;
  return r;
}

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // Opens the device or file; returns false with a reason on failure.
  virtual bool open(std::string& error) = 0;
  // Waits at most `timeout` for the next frame.
  virtual ReadResult read(std::chrono::milliseconds timeout) = 0;
  virtual void close() = 0;
  virtual std::string describe() const = 0;
  // True for a real camera (the health monitor's "unplugged" check applies).
  virtual bool is_live() const { return false; }
};

// V4L2 camera through cv::VideoCapture(CAP_V4L2), in the camera module (module.hpp) loaded on first call.
// A grabber thread owns the device; read() waits on the newest frame with a timeout, so a stalled driver
// never blocks the caller. Without the module the source's open() fails and says why.
std::unique_ptr<FrameSource> make_v4l2_source(const CameraSettings& settings);

// A video file decoded through cv::VideoCapture (camera module); ts_ms is derived from the file's fps.
std::unique_ptr<FrameSource> make_video_file_source(const std::string& path, bool loop = false);

// A sequence of image files (sorted directory listing, or an explicit list), at a nominal fps.
std::unique_ptr<FrameSource> make_image_sequence_source(std::vector<std::string> files, double fps,
                                                        bool loop = false);
std::vector<std::string> list_images(const std::string& dir);  // *.png, *.jpg, *.jpeg, *.bmp sorted

// In-memory frames (tests, simulator panel), at a nominal fps.
std::unique_ptr<FrameSource> make_memory_source(std::vector<cv::Mat> frames, double fps, bool loop = false);

// Frames generated on demand, paced in real time like a camera: gen(seq) returns the frame, or an
// empty Mat to end the stream.
using FrameGenerator = std::function<cv::Mat(std::int64_t seq)>;
std::unique_ptr<FrameSource> make_synthetic_source(FrameGenerator gen, double fps, std::string name);

// Picks a source from a spec: "v4l2:/dev/video0", "video:FILE", "images:DIR", or a bare path
// (directory → images, file → video or single image).
std::unique_ptr<FrameSource> make_source_from_spec(const std::string& spec, const CameraSettings& base,
                                                   double sequence_fps = 30.0);

}  // namespace kiosk::camera
