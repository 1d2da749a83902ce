// Durable delivery: deferrable submissions (certification, loss report, rating) are written to the
// encrypted outbox FIRST, then sent; a crash or outage leaves them pending and OutboxSender delivers
// them later with the same idempotency key, so the platform applies each exactly once.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "kiosk/platform/client.hpp"
#include "kiosk/store/store.hpp"

namespace kiosk::platform {

struct SubmitOutcome {
  enum class Kind {
    Done,      // the platform answered OK (response.reply has the transaction number)
    Deferred,  // stored durably; "已受理，网络恢复后自动提交" — print this on the receipt
    Failed,    // not done: response.error says why (Rejected: response.reply.message for the resident)
  };
  Kind kind = Kind::Failed;
  Response response;
  Explanation message;  // bilingual text for the result screen / receipt
};

Explanation deferred_message();

class Submitter {
 public:
  // `outbox` may be null (no deferred delivery possible: every failure is Failed).
  Submitter(PlatformClient& client, store::Store* outbox);
  // allow_deferred: the item allows deferred delivery (and the endpoint is deferrable). `label`
  // must be masked (e.g. "certification 张*三 4101**********1234"). `done` runs on the network thread.
  void submit(Request request, bool allow_deferred, const std::string& masked_label,
              std::function<void(SubmitOutcome)> done);
  // True while this process is sending the item live (the OutboxSender skips it). In memory only, so
  // after a crash or restart every pending item is free for the sender.
  bool is_live(const std::string& idempotency_key) const;

 private:
  PlatformClient& client_;
  store::Store* outbox_;
  mutable std::mutex mu_;
  std::set<std::string> live_;
};

class OutboxSender {
 public:
  // `live`: the Submitter whose in-flight items must be skipped (may be null).
  OutboxSender(store::Store& outbox, PlatformClient& client, ClientConfig backoff = {},
               const Submitter* live = nullptr);
  ~OutboxSender();
  struct Pass {
    int delivered = 0;
    int retry = 0;
    int failed = 0;
  };
  // One blocking pass over due items (never call on the client's network thread).
  Pass deliver_due(std::int64_t now = store::now_ms());
  // Background thread: a pass every `interval`, or at once after kick(). purge() once an hour.
  void start(std::chrono::milliseconds interval);
  void kick();
  void stop();

 private:
  store::Store& outbox_;
  PlatformClient& client_;
  ClientConfig backoff_;
  const Submitter* live_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, kicked_ = false;
  std::thread thread_;
};

}  // namespace kiosk::platform
