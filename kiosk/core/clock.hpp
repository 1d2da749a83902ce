// Time is injected (ARCHITECTURE principle 2): the session never reads a real clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>

namespace kiosk::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ms() const = 0;  // monotonic milliseconds
  virtual std::time_t wall() const = 0;     // civil time for display and receipts
};

class SystemClock : public Clock {
 public:
  std::int64_t now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }
  std::time_t wall() const override { return std::time(nullptr); }
};

// Test and headless clock: advances only when told to.
class ManualClock : public Clock {
 public:
  explicit ManualClock(std::time_t wall_start = 1795397400 /* 2026-11-23 09:30 CST */) : wall0_(wall_start) {}
  std::int64_t now_ms() const override { return ms_; }
  std::time_t wall() const override { return wall0_ + static_cast<std::time_t>(ms_ / 1000); }
  void advance_ms(std::int64_t ms) { ms_ += ms; }

 private:
  std::time_t wall0_;
  std::int64_t ms_ = 1'000'000;
};

}  // namespace kiosk::core
