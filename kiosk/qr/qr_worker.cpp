#include "kiosk/qr/qr_worker.hpp"

#include <spdlog/spdlog.h>

namespace kiosk::qr {

QrWorker::QrWorker(Rules rules, QrWorkerConfig cfg)
    : rules_(std::move(rules)), cfg_(cfg), decoder_(cfg.decode) {}

QrWorker::~QrWorker() {
  stop();
}

void QrWorker::start(core::EventQueue& queue) {
  std::lock_guard lk(mu_);
  if (thread_.joinable()) return;
  queue_ = &queue;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void QrWorker::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool QrWorker::submit(const cv::Mat& frame) {
  bool replaced;
  {
    std::lock_guard lk(mu_);
    replaced = has_pending_;
    frame.copyTo(pending_);
    has_pending_ = true;
  }
  if (replaced) ++dropped_;
  cv_.notify_one();
  return !replaced;
}

void QrWorker::reset_repeat() {
  std::lock_guard lk(mu_);
  reset_requested_ = true;
}

nlohmann::json QrWorker::status() const {
  return {{"role", role()},
          {"running", thread_.joinable()},
          {"frames", frames_.load()},
          {"dropped", dropped_.load()},
          {"precheck_rejected", prechecked_out_.load()},
          {"decoded", decoded_.load()},
          {"posted", posted_.load()},
          {"last_decode_ms", last_ms_.load()}};
}

void QrWorker::run() {
  RepeatFilter repeat(cfg_.repeat_hold);
  cv::Mat frame;
  for (;;) {
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || has_pending_; });
      if (stopping_) return;
      cv::swap(frame, pending_);
      has_pending_ = false;
      if (reset_requested_) {
        repeat.reset();
        reset_requested_ = false;
      }
    }
    ++frames_;
    DecodeResult r;
    try {
      r = decoder_.decode(frame);
    } catch (const std::exception& e) {
      spdlog::warn("qr: frame rejected: {}", e.what());
      continue;
    }
    last_ms_ = r.elapsed_ms;
    if (!r.precheck_passed) ++prechecked_out_;
    for (auto& code : r.codes) {
      ++decoded_;
      std::string payload = code.text;
      auto cls = classify(rules_, payload);
      if (!repeat.accept(payload, RepeatFilter::Clock::now())) continue;
      spdlog::info("qr: camera read {} ({}, {:.1f} ms)", describe_for_log(cls, payload), code.stage,
                   r.elapsed_ms);
      if (!cls.accepted() && !cfg_.post_unknown) continue;
      ++posted_;
      queue_->post(make_event(cls, std::move(payload), "camera"));
    }
  }
}

}  // namespace kiosk::qr
