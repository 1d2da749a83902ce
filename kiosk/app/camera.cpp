#include "kiosk/app/camera.hpp"

#include <spdlog/spdlog.h>

#include <opencv2/imgproc.hpp>

namespace kiosk::app {

CameraService::CameraService(CameraConfig cfg, vision::VisionConfig vcfg, core::EventQueue& queue,
                             qr::QrWorker* qr, std::unique_ptr<vision::sim::SimulatedResident> simulated)
    : cfg_(std::move(cfg)), vcfg_(std::move(vcfg)), queue_(queue), qr_(qr), sim_(std::move(simulated)) {}

CameraService::~CameraService() {
  stop_qr_thread();
  {
    std::lock_guard lk(mu_);
    if (worker_) worker_->cancel();
    retire_worker();
  }
  for (auto& t : reapers_)
    if (t.joinable()) t.join();
  std::lock_guard lk(state_mu_);
  if (evidence_) evidence_->wipe();
}

std::unique_ptr<camera::FrameSource> CameraService::open_source() {
  if (sim_) return sim_->make_source();
  return camera::make_source_from_spec(cfg_.source, cfg_.settings);
}

// ---- QR ---------------------------------------------------------------------------------------------

void CameraService::set_qr_scanning(bool on) {
  on = on && qr_ && cfg_.qr && !sim_;
  if (on == qr_on_) return;
  if (on && face_active()) return;  // the face attempt has the camera
  if (!on) {
    stop_qr_thread();
    return;
  }
  qr_on_ = true;
  qr_stop_ = false;
  qr_thread_ = std::thread([this] { qr_loop(); });
}

void CameraService::stop_qr_thread() {
  qr_stop_ = true;
  if (qr_thread_.joinable()) qr_thread_.join();
  qr_on_ = false;
}

void CameraService::qr_loop() {
  auto src = open_source();
  std::string err;
  if (!src->open(err)) {
    spdlog::warn("camera: QR scanning unavailable: {}", err);
    return;
  }
  spdlog::info("camera: QR scanning on {}", src->describe());
  const auto period = std::chrono::duration<double>(1.0 / cfg_.qr_fps);
  auto next = std::chrono::steady_clock::now();
  int failures = 0;
  while (!qr_stop_) {
    auto r = src->read(std::chrono::milliseconds(100));
    if (r.status == camera::ReadStatus::Timeout) continue;
    if (r.status != camera::ReadStatus::Ok) {
      if (++failures >= 20 || r.status == camera::ReadStatus::Disconnected) {
        spdlog::warn("camera: QR scanning stopped: {}", r.error);
        break;
      }
      continue;
    }
    failures = 0;
    const auto now = std::chrono::steady_clock::now();
    if (now < next) continue;  // the decoder gets qr_fps frames; the rest are dropped here
    next = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(period);
    qr_->submit(r.frame.bgr);
  }
  src->close();
}

// ---- face -------------------------------------------------------------------------------------------

void CameraService::retire_worker() {  // mu_ held
  if (!worker_) return;
  reapers_.emplace_back([w = std::move(worker_)]() mutable { w.reset(); });
}

void CameraService::start_face() {
  stop_qr_thread();
  std::uint64_t id;
  {
    std::lock_guard lk(state_mu_);
    id = ++attempt_;
    guidance_.clear();
    action_index_ = action_total_ = 0;
    action_progress_ = 0;
    evidence_.reset();
  }
  std::lock_guard lk(mu_);
  if (worker_) worker_->cancel();
  retire_worker();
  // Reapers of finished attempts are joined here; a retiring worker stops within one read timeout.
  for (auto it = reapers_.begin(); it != reapers_.end();) {
    if (it->joinable() && reapers_.size() > 2) {
      it->join();
      it = reapers_.erase(it);
    } else {
      ++it;
    }
  }
  worker_ = std::make_unique<vision::VisionWorker>(
      vcfg_, open_source(), [this, id](vision::VisionEvent e) { on_vision(id, std::move(e)); },
      /*drop_frames=*/!sim_);  // the simulated resident waits for the pipeline instead of skipping frames
  if (!worker_->start(sim_ ? vision::sim::SimulatedResident::draw_actions(vcfg_.actions)
                           : std::vector<vision::Action>{}))
    spdlog::error("camera: cannot open {}", sim_ ? "simulated camera" : cfg_.source);
  spdlog::info("camera: face attempt {} started ({}, detector {})", id,
               sim_ ? "simulated resident" : cfg_.source, worker_->detector_name());
}

void CameraService::stop_face() {
  {
    std::lock_guard lk(state_mu_);
    ++attempt_;  // late events of the stopped attempt are ignored
  }
  std::lock_guard lk(mu_);
  if (worker_) worker_->cancel();
  retire_worker();
}

bool CameraService::face_active() const {
  std::lock_guard lk(mu_);
  return worker_ && worker_->running();
}

std::optional<vision::FaceEvidence> CameraService::take_evidence() {
  std::lock_guard lk(state_mu_);
  auto e = std::move(evidence_);
  evidence_.reset();
  return e;
}

void CameraService::on_vision(std::uint64_t attempt, vision::VisionEvent ev) {
  std::lock_guard lk(state_mu_);
  if (attempt != attempt_) return;
  if (auto* g = std::get_if<vision::GuidanceEvent>(&ev)) {
    guidance_ = g->key;
    queue_.post(core::Command{"face.guidance", g->key});
  } else if (auto* a = std::get_if<vision::ActionStartedEvent>(&ev)) {
    action_index_ = a->index;
    action_total_ = a->total;
    action_progress_ = 0;
    guidance_ = vision::action_prompt_key(a->action);
    if (sim_) sim_->on_action(a->action);
    queue_.post(core::Command{"face.action", guidance_});
  } else if (auto* p = std::get_if<vision::ActionProgressEvent>(&ev)) {
    action_index_ = p->index;
    action_total_ = p->total;
    action_progress_ = p->done ? 1.0 : p->progress;
  } else if (auto* c = std::get_if<vision::CameraStatusEvent>(&ev)) {
    spdlog::warn("camera: {} {}", c->state, c->detail);
    core::DeviceEvent d;
    d.device = "camera";
    d.detail = c->state + (c->detail.empty() ? "" : ": " + c->detail);
    d.kind =
        c->state == "ok" ? core::DeviceEvent::Kind::DeviceRecovered : core::DeviceEvent::Kind::DeviceFault;
    queue_.post(std::move(d));
  } else if (auto* r = std::get_if<vision::VisionResult>(&ev)) {
    spdlog::info("camera: face attempt {} {} ({}; {} of {} frames processed)", attempt,
                 vision::to_string(r->verdict), r->reason_key, r->report.frames_processed,
                 r->report.frames_seen);
    auto cmd = vision::face_result_command(*r);  // before the evidence moves out (it reads the quality)
    if (r->verdict == vision::Verdict::Pass) evidence_ = vision::take_face_evidence(*r);
    r->evidence.wipe();
    if (cmd) queue_.post(std::move(*cmd));
  }
}

ui::FacePreview CameraService::face_preview(std::int64_t have_seq) const {
  ui::FacePreview out;
  vision::Preview pv;
  {
    std::lock_guard lk(mu_);
    if (!worker_ || !worker_->running()) return out;
    out.active = true;
    pv = worker_->preview();
  }
  out.simulated = sim_ != nullptr;
  {
    std::lock_guard lk(state_mu_);
    out.guidance_key = guidance_.empty() ? pv.guidance : guidance_;
    out.action_index = action_index_;
    out.action_total = action_total_;
    out.action_progress = action_progress_;
  }
  out.seq = pv.seq;
  if (pv.bgr.empty() || pv.seq == have_seq) return out;
  cv::Mat rgb;
  cv::cvtColor(pv.bgr, rgb, cv::COLOR_BGR2RGB);
  if (!vcfg_.mirror) cv::flip(rgb, rgb, 1);  // the resident sees a mirror image
  if (!rgb.isContinuous()) rgb = rgb.clone();
  out.width = rgb.cols;
  out.height = rgb.rows;
  out.rgb.assign(rgb.data, rgb.data + rgb.total() * 3);
  return out;
}

}  // namespace kiosk::app
