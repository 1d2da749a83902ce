// The camera QR path: frames handed in by the camera/vision side are decoded on this worker's own
// thread (never the UI thread); each new payload is classified and posted as a QrScanned DeviceEvent.
// Only the newest frame waits: a slow decode drops stale frames instead of queueing them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <opencv2/core.hpp>
#include <thread>

#include "kiosk/hw/device_worker.hpp"
#include "kiosk/qr/decoder.hpp"
#include "kiosk/qr/payload.hpp"
#include "kiosk/qr/repeat_filter.hpp"

namespace kiosk::qr {

struct QrWorkerConfig {
  DecodeOptions decode;
  std::chrono::milliseconds repeat_hold{2000};
  bool post_unknown = false;  // post payloads no rule accepted (detail "unknown")
};

class QrWorker : public hw::DeviceWorker {
 public:
  QrWorker(Rules rules, QrWorkerConfig cfg = {});
  ~QrWorker() override;

  std::string role() const override { return "qr_camera"; }  // events carry device "camera"
  void start(core::EventQueue& queue) override;
  void stop() override;
  nlohmann::json status() const override;

  // Hands a frame to the worker (copied; callable from any thread; never blocks on decoding).
  // Returns false if a previous frame was still waiting and got replaced.
  bool submit(const cv::Mat& frame);
  // Session ended: forget the last payload so the same resident can show it again next session.
  void reset_repeat();

 private:
  void run();

  Rules rules_;
  QrWorkerConfig cfg_;
  QrDecoder decoder_;
  core::EventQueue* queue_ = nullptr;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  cv::Mat pending_;
  bool has_pending_ = false;
  bool stopping_ = false;
  bool reset_requested_ = false;
  std::atomic<std::uint64_t> frames_{0}, dropped_{0}, prechecked_out_{0}, decoded_{0}, posted_{0};
  std::atomic<double> last_ms_{0};
};

}  // namespace kiosk::qr
