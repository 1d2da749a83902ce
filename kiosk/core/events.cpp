#include "kiosk/core/events.hpp"

namespace kiosk::core {

const char* to_string(DeviceEvent::Kind k) {
  using K = DeviceEvent::Kind;
  switch (k) {
    case K::IdCardRead:
      return "IdCardRead";
    case K::IdCardRemoved:
      return "IdCardRemoved";
    case K::SsCardInserted:
      return "SsCardInserted";
    case K::SsCardRemoved:
      return "SsCardRemoved";
    case K::QrScanned:
      return "QrScanned";
    case K::DeviceFault:
      return "DeviceFault";
    case K::DeviceRecovered:
      return "DeviceRecovered";
  }
  return "?";
}

void EventQueue::post(Event e) {
  std::function<void()> waker;
  {
    std::lock_guard lock(mu_);
    q_.push_back(std::move(e));
    waker = waker_;
  }
  cv_.notify_all();
  if (waker) waker();
}

std::vector<Event> EventQueue::drain() {
  std::lock_guard lock(mu_);
  std::vector<Event> out(std::make_move_iterator(q_.begin()), std::make_move_iterator(q_.end()));
  q_.clear();
  return out;
}

bool EventQueue::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return !q_.empty(); });
}

void EventQueue::set_waker(std::function<void()> waker) {
  std::lock_guard lock(mu_);
  waker_ = std::move(waker);
}

}  // namespace kiosk::core
