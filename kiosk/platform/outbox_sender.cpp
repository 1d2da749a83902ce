#include "kiosk/platform/outbox_sender.hpp"

#include <spdlog/spdlog.h>

#include <random>

namespace kiosk::platform {

namespace {
SubmitOutcome outcome_of(Response r) {
  SubmitOutcome o;
  o.kind = r.ok() ? SubmitOutcome::Kind::Done : SubmitOutcome::Kind::Failed;
  if (r.ok())
    o.message = {r.reply.message.empty() ? "办理成功" : r.reply.message,
                 r.reply.message_en.empty() ? "Done" : r.reply.message_en};
  else if (r.error.kind == ErrorKind::Rejected && !r.reply.message.empty())
    o.message = {r.reply.message, r.reply.message_en};
  else
    o.message = explain(r.error.kind);
  o.response = std::move(r);
  return o;
}
}  // namespace

Explanation deferred_message() {
  return {"已受理，网络恢复后自动提交",
          "Accepted; it will be submitted automatically when the network is back"};
}

Submitter::Submitter(PlatformClient& client, store::Store* outbox) : client_(client), outbox_(outbox) {}

void Submitter::submit(Request request, bool allow_deferred, const std::string& label,
                       std::function<void(SubmitOutcome)> done) {
  if (request.idempotency_key.empty()) request.idempotency_key = new_idempotency_key();
  const bool durable = allow_deferred && outbox_ && info(request.endpoint).deferrable;
  std::int64_t row = 0;
  if (durable) {
    try {
      {
        std::lock_guard lk(mu_);
        live_.insert(request.idempotency_key);
      }
      row = outbox_->enqueue(info(request.endpoint).name, request.idempotency_key, encode_request(request),
                             label);
    } catch (const std::exception& e) {
      spdlog::error("platform: outbox enqueue failed: {}", e.what());
      row = 0;  // still try live; no deferral possible
    }
  }
  std::string key = request.idempotency_key;
  client_.submit(std::move(request), [this, row, key, done = std::move(done)](Response r) {
    SubmitOutcome o;
    if (row && r.ok()) {
      outbox_->mark_delivered(row, r.reply.transaction_number);
      o = outcome_of(std::move(r));
    } else if (row && r.error.kind == ErrorKind::Rejected) {
      outbox_->mark_failed(row, "rejected: " + r.reply.code);
      o = outcome_of(std::move(r));
    } else if (row && r.error.kind != ErrorKind::Cancelled) {
      // Transient or unknown outcome: the outbox delivers it later under the same key.
      outbox_->mark_retry(row, std::string(to_string(r.error.kind)) + ": " + r.error.detail, store::now_ms());
      o.kind = SubmitOutcome::Kind::Deferred;
      o.message = deferred_message();
      o.response = std::move(r);
    } else if (row) {
      o.kind = SubmitOutcome::Kind::Deferred;  // shutting down: stays pending for the next start
      o.message = deferred_message();
      o.response = std::move(r);
    } else {
      o = outcome_of(std::move(r));
    }
    if (row) {
      std::lock_guard lk(mu_);
      live_.erase(key);
    }
    if (done) done(std::move(o));
  });
}

bool Submitter::is_live(const std::string& key) const {
  std::lock_guard lk(mu_);
  return live_.count(key) != 0;
}

OutboxSender::OutboxSender(store::Store& outbox, PlatformClient& client, ClientConfig backoff,
                           const Submitter* live)
    : outbox_(outbox), client_(client), backoff_(std::move(backoff)), live_(live) {}

OutboxSender::~OutboxSender() {
  stop();
}

OutboxSender::Pass OutboxSender::deliver_due(std::int64_t now) {
  Pass pass;
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (auto& item : outbox_.due(now)) {
    if (live_ && live_->is_live(item.idempotency_key)) continue;
    auto ep = endpoint_from_name(item.endpoint);
    auto parsed = ep ? decode_request(*ep, item.payload) : ParsedRequest{std::nullopt, "unknown endpoint"};
    if (!parsed.request) {
      outbox_.mark_failed(item.id, "undeliverable: " + parsed.error);
      ++pass.failed;
      continue;
    }
    parsed.request->idempotency_key = item.idempotency_key;
    parsed.request->request_id = new_request_id();
    Response r = call(client_, std::move(*parsed.request));
    if (r.ok()) {
      outbox_.mark_delivered(item.id, r.reply.transaction_number);
      spdlog::info("outbox: delivered #{} {} txn={} replayed={}", item.id, item.endpoint,
                   r.reply.transaction_number, r.reply.replayed);
      ++pass.delivered;
    } else if (r.error.kind == ErrorKind::Rejected) {
      outbox_.mark_failed(item.id, "rejected: " + r.reply.code);
      ++pass.failed;
    } else if (r.error.kind == ErrorKind::Cancelled) {
      break;
    } else {
      // Backoff grows with the item's attempts; the client already retried within this pass.
      auto delay = backoff_delay(backoff_, item.attempts + 2, unit(rng));
      delay = std::max(delay, std::chrono::milliseconds(1000));
      outbox_.mark_retry(item.id, std::string(to_string(r.error.kind)) + ": " + r.error.detail,
                         store::now_ms() + delay.count());
      ++pass.retry;
    }
  }
  return pass;
}

void OutboxSender::start(std::chrono::milliseconds interval) {
  {
    std::lock_guard lk(mu_);
    if (thread_.joinable()) return;
    stop_ = false;
  }
  thread_ = std::thread([this, interval] {
    auto last_purge = std::chrono::steady_clock::now() - std::chrono::hours(2);
    std::unique_lock lk(mu_);
    while (!stop_) {
      lk.unlock();
      try {
        deliver_due();
        if (std::chrono::steady_clock::now() - last_purge > std::chrono::hours(1)) {
          outbox_.purge();
          last_purge = std::chrono::steady_clock::now();
        }
      } catch (const std::exception& e) {
        spdlog::error("outbox: delivery pass failed: {}", e.what());
      }
      lk.lock();
      cv_.wait_for(lk, interval, [this] { return stop_ || kicked_; });
      kicked_ = false;
    }
  });
}

void OutboxSender::kick() {
  std::lock_guard lk(mu_);
  kicked_ = true;
  cv_.notify_all();
}

void OutboxSender::stop() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace kiosk::platform
