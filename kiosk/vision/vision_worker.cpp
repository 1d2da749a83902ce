#include "kiosk/vision/vision_worker.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace kiosk::vision {

VisionWorker::VisionWorker(VisionConfig cfg, std::unique_ptr<camera::FrameSource> source, Post post,
                           bool drop_frames)
    : cfg_(std::move(cfg)), source_(std::move(source)), post_(std::move(post)), drop_(drop_frames) {
  det_ = make_detector(cfg_);
  if (cfg_.passive_enabled) {
    const auto v2 = resolve_path(cfg_.fas_model_v2), v1 = resolve_path(cfg_.fas_model_v1se);
    if (std::filesystem::exists(v2) && std::filesystem::exists(v1)) {
      try {
        fas_ = std::make_unique<PassiveAntiSpoof>(v2, v1);
      } catch (const std::exception& e) {
        spdlog::warn("vision: passive anti-spoofing unavailable: {}", e.what());
      }
    } else {
      spdlog::warn("vision: MiniFASNet models missing; passive anti-spoofing unavailable");
    }
  }
}

VisionWorker::~VisionWorker() {
  stop();
}

std::string VisionWorker::detector_name() const {
  return det_->name();
}

bool VisionWorker::start(std::vector<Action> actions) {
  stop();
  std::string err;
  if (!source_ || !source_->open(err)) {
    if (post_) post_(CameraStatusEvent{"disconnected", err});
    return false;
  }
  {
    std::lock_guard lk(mu_);
    slot_.reset();
    source_done_ = false;
    stop_ = false;
    finished_ = false;
    stats_ = {};
    preview_ = {};
  }
  cancel_ = false;
  session_ = std::make_unique<FaceSession>(cfg_, *det_, fas_.get(), post_, std::move(actions));
  running_ = true;
  capture_ = std::thread([this] { capture_loop(); });
  process_ = std::thread([this] { process_loop(); });
  return true;
}

void VisionWorker::cancel() {
  cancel_ = true;
  cv_.notify_all();
}

void VisionWorker::stop() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (capture_.joinable()) capture_.join();
  if (process_.joinable()) process_.join();
  if (source_) source_->close();
  running_ = false;
}

bool VisionWorker::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lk(mu_);
  return cv_.wait_for(lk, timeout, [&] { return finished_; });
}

Preview VisionWorker::preview() const {
  std::lock_guard lk(mu_);
  return preview_;
}

WorkerStats VisionWorker::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

void VisionWorker::capture_loop() {
  const auto t0 = std::chrono::steady_clock::now();
  camera::HealthMonitor health({}, [this](const camera::HealthEvent& e) {
    if (e.state == camera::HealthState::Ok && e.previous == camera::HealthState::Unknown) return;
    if (post_) post_(CameraStatusEvent{camera::to_string(e.state), e.detail});
  });
  while (true) {
    {
      std::unique_lock lk(mu_);
      if (stop_ || finished_) return;
      if (!drop_) {
        // Lossless replay: wait until the processor took the previous frame.
        cv_.wait_for(lk, std::chrono::milliseconds(200), [&] { return !slot_ || stop_ || finished_; });
        if (stop_ || finished_) return;
        if (slot_) continue;
      }
    }
    camera::ReadResult r = source_->read(std::chrono::milliseconds(500));
    const double now =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (source_->is_live()) health.on_read(r, now);
    std::lock_guard lk(mu_);
    if (r.status == camera::ReadStatus::Ok) {
      ++stats_.captured;
      if (slot_) ++stats_.dropped;
      slot_ = std::move(r.frame);
    } else if (r.status == camera::ReadStatus::EndOfStream || r.status == camera::ReadStatus::Disconnected ||
               health.state() == camera::HealthState::Frozen ||
               (health.state() == camera::HealthState::NoFrames)) {
      source_done_ = true;
      source_error_ = r.status == camera::ReadStatus::Ok ? camera::to_string(health.state())
                                                         : std::string(camera::to_string(r.status));
      cv_.notify_all();
      return;
    }
    cv_.notify_all();
  }
}

void VisionWorker::process_loop() {
  while (true) {
    std::optional<camera::Frame> f;
    bool done = false;
    std::string err;
    {
      std::unique_lock lk(mu_);
      cv_.wait_for(lk, std::chrono::milliseconds(200),
                   [&] { return slot_ || source_done_ || stop_ || cancel_; });
      if (stop_) break;
      if (slot_) {
        f = std::move(slot_);
        slot_.reset();
      } else if (source_done_) {
        done = true;
        err = source_error_;
      }
    }
    cv_.notify_all();
    if (cancel_) {
      session_->cancel();
    } else if (f) {
      const FrameAnalysis a = session_->process(*f);
      std::lock_guard lk(mu_);
      ++stats_.processed;
      preview_.bgr = f->bgr;
      preview_.faces = a.faces;
      preview_.guidance = a.guidance;
      preview_.progress = a.progress;
      preview_.seq = f->seq;
    } else if (done) {
      session_->camera_failed(err);
    }
    if (session_->finished()) {
      std::lock_guard lk(mu_);
      finished_ = true;
      cv_.notify_all();
      break;
    }
  }
  running_ = false;
}

}  // namespace kiosk::vision
