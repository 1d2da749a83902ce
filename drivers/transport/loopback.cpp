#include "drivers/transport/loopback.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace kiosk::transport {

struct LoopbackEndpoint::Shared {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::uint8_t> queue[2];     // queue[i] = bytes readable by side i
  bool interrupted[2] = {false, false};  // interrupt() pending for side i (the cv is shared)
  bool closed = false;
};

LoopbackPair make_loopback(std::string name) {
  auto shared = std::make_shared<LoopbackEndpoint::Shared>();
  return {std::make_shared<LoopbackEndpoint>(shared, 0, name + "/host"),
          std::make_shared<LoopbackEndpoint>(shared, 1, name + "/device")};
}

LoopbackEndpoint::LoopbackEndpoint(std::shared_ptr<Shared> shared, int side, std::string name)
    : shared_(std::move(shared)), side_(side), name_(std::move(name)) {}

LoopbackEndpoint::~LoopbackEndpoint() = default;

void LoopbackEndpoint::write(std::span<const std::uint8_t> data, Millis) {
  std::lock_guard lock(shared_->mu);
  if (shared_->closed) throw TransportError(ErrorKind::Disconnected, name_ + " closed");
  auto& q = shared_->queue[1 - side_];
  q.insert(q.end(), data.begin(), data.end());
  shared_->cv.notify_all();
}

std::size_t LoopbackEndpoint::read(std::span<std::uint8_t> buf, Millis timeout) {
  std::unique_lock lock(shared_->mu);
  auto& q = shared_->queue[side_];
  bool& interrupted = shared_->interrupted[side_];
  shared_->cv.wait_for(lock, timeout, [&] { return shared_->closed || !q.empty() || interrupted; });
  if (interrupted) {
    interrupted = false;
    return 0;
  }
  if (shared_->closed) throw TransportError(ErrorKind::Disconnected, name_ + " closed");
  std::size_t n = std::min(buf.size(), q.size());
  std::copy_n(q.begin(), n, buf.begin());
  q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

void LoopbackEndpoint::interrupt() {
  std::lock_guard lock(shared_->mu);
  shared_->interrupted[side_] = true;
  shared_->cv.notify_all();  // shared by both sides: the peer's waiters re-check and sleep again
}

void LoopbackEndpoint::flush_input() {
  std::lock_guard lock(shared_->mu);
  shared_->queue[side_].clear();
}

bool LoopbackEndpoint::connected() const {
  std::lock_guard lock(shared_->mu);
  return !shared_->closed;
}

std::string LoopbackEndpoint::describe() const {
  return "loopback:" + name_;
}

void LoopbackEndpoint::close() {
  std::lock_guard lock(shared_->mu);
  shared_->closed = true;
  shared_->queue[0].clear();
  shared_->queue[1].clear();
  shared_->cv.notify_all();
}

void LoopbackEndpoint::reopen() {
  std::lock_guard lock(shared_->mu);
  shared_->closed = false;
  shared_->cv.notify_all();
}

}  // namespace kiosk::transport
