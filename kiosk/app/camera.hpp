// The camera's two jobs: QR e-vouchers on identify screens (frames to the QrWorker) and face capture
// with liveness on the face step (a VisionWorker per attempt). One device, one user at a time: QR
// scanning stops while a face attempt runs. Vision events come back to the App as Commands on its
// queue ("face.result" for the flow; "face.guidance"/"face.action" for voice and redraws) and camera
// faults as DeviceFault{"camera"}; the evidence JPEGs stay here until the App moves them into
// SessionData. Nothing here logs personal data.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "drivers/camera/frame_source.hpp"
#include "kiosk/core/events.hpp"
#include "kiosk/qr/qr_worker.hpp"
#include "kiosk/ui/face_view.hpp"
#include "kiosk/vision/flow_bridge.hpp"
#include "kiosk/vision/sim/simulated_resident.hpp"
#include "kiosk/vision/vision_worker.hpp"

namespace kiosk::app {

// config/devices/camera.toml (parsed by the pure, fuzzed drivers/camera/camera_config).
using camera::CameraConfig;
using camera::load_camera_config;

class CameraService : public ui::FaceViewSource {
 public:
  // `qr` may be null (no camera QR). `simulated`: a SimulatedResident replaces the camera (demo).
  CameraService(CameraConfig cfg, vision::VisionConfig vcfg, core::EventQueue& queue, qr::QrWorker* qr,
                std::unique_ptr<vision::sim::SimulatedResident> simulated = nullptr);
  ~CameraService() override;
  CameraService(const CameraService&) = delete;
  CameraService& operator=(const CameraService&) = delete;

  // Identify screens that accept a QR code turn this on; anything else off. Idempotent.
  void set_qr_scanning(bool on);
  bool qr_scanning() const { return qr_on_; }
  // Effect::StartFace / StopFace.
  void start_face();
  void stop_face();
  bool face_active() const;
  // The evidence of the last passed attempt (moved out; nullopt if none).
  std::optional<vision::FaceEvidence> take_evidence();
  // Demo panel: the simulated resident cooperates or holds up a photo.
  vision::sim::SimulatedResident* simulated() const { return sim_.get(); }

  ui::FacePreview face_preview(std::int64_t have_seq) const override;

 private:
  std::unique_ptr<camera::FrameSource> open_source();
  void on_vision(std::uint64_t attempt, vision::VisionEvent ev);
  void qr_loop();
  void stop_qr_thread();
  void retire_worker();

  CameraConfig cfg_;
  vision::VisionConfig vcfg_;
  core::EventQueue& queue_;
  qr::QrWorker* qr_;
  std::unique_ptr<vision::sim::SimulatedResident> sim_;

  std::atomic<bool> qr_on_{false};
  std::atomic<bool> qr_stop_{false};
  std::thread qr_thread_;

  mutable std::mutex mu_;  // worker_, reapers_
  std::unique_ptr<vision::VisionWorker> worker_;
  std::vector<std::thread> reapers_;  // join retired workers off the UI thread
  mutable std::mutex state_mu_;       // what the vision events tell (taken inside the worker's callback)
  std::optional<vision::FaceEvidence> evidence_;
  std::string guidance_;
  int action_index_ = 0, action_total_ = 0;
  double action_progress_ = 0;
  std::uint64_t attempt_ = 0;  // events of an older attempt are ignored
};

}  // namespace kiosk::app
