// The vision worker: a capture thread reads the camera (timeouts on every read, health events) into a
// one-slot mailbox; a processing thread runs FaceSession on the newest frame. Under load older frames
// are dropped, so the UI never waits on vision. Events go out through the callback from the worker's
// threads: the callback must only enqueue (the lead adapts them into core events).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "drivers/camera/frame_source.hpp"
#include "drivers/camera/health.hpp"
#include "kiosk/vision/face_session.hpp"

namespace kiosk::vision {

struct Preview {
  cv::Mat bgr;  // newest processed frame (unmirrored; the UI mirrors and masks it into the oval)
  std::vector<Face> faces;
  std::string guidance;  // key of the current instruction
  double progress = 0;
  std::int64_t seq = -1;
};

struct WorkerStats {
  std::int64_t captured = 0, processed = 0, dropped = 0;
};

class VisionWorker {
 public:
  using Post = std::function<void(VisionEvent)>;
  // The detector is built from cfg (YuNet, else Haar); MiniFASNet is loaded if present.
  // drop_frames=false makes replays lossless (tests, kioskctl); live cameras should drop.
  VisionWorker(VisionConfig cfg, std::unique_ptr<camera::FrameSource> source, Post post,
               bool drop_frames = true);
  ~VisionWorker();
  VisionWorker(const VisionWorker&) = delete;
  VisionWorker& operator=(const VisionWorker&) = delete;

  // Opens the source and starts one certification attempt; false (and a CameraStatusEvent) if the
  // camera cannot be opened. `actions` empty → 2 random actions.
  bool start(std::vector<Action> actions = {});
  void cancel();  // posts a Cancelled result if the attempt is still running
  void stop();    // joins the threads (also done by the destructor)
  bool running() const { return running_; }
  // Blocks until the attempt has finished or timeout passes; true if finished.
  bool wait(std::chrono::milliseconds timeout);

  Preview preview() const;
  WorkerStats stats() const;
  std::string detector_name() const;
  bool passive_available() const { return fas_ != nullptr; }

 private:
  void capture_loop();
  void process_loop();

  VisionConfig cfg_;
  std::unique_ptr<camera::FrameSource> source_;
  Post post_;
  bool drop_;
  std::unique_ptr<FaceDetector> det_;
  std::unique_ptr<PassiveAntiSpoof> fas_;
  std::unique_ptr<FaceSession> session_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<camera::Frame> slot_;
  bool source_done_ = false;
  std::string source_error_;
  bool stop_ = false;
  bool finished_ = false;
  std::atomic<bool> running_{false};
  std::atomic<bool> cancel_{false};
  Preview preview_;
  WorkerStats stats_;
  std::thread capture_, process_;
};

}  // namespace kiosk::vision
