// "The same code seen twice in a row counts once": a payload is reported again only after it has
// been out of sight for `hold` (or a different payload was reported in between). Pure; time passed in.
#pragma once

#include <algorithm>
#include <chrono>
#include <string>

namespace kiosk::qr {

class RepeatFilter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RepeatFilter(std::chrono::milliseconds hold = std::chrono::milliseconds(2000)) : hold_(hold) {}
  // True if this sighting should be reported.
  bool accept(const std::string& payload, Clock::time_point now) {
    const bool repeat = !last_.empty() && payload == last_ && now - last_seen_ < hold_;
    last_seen_ = now;
    if (repeat) return false;
    last_ = payload;
    return true;
  }
  // Forget everything (session end: the token must not outlive the session).
  void reset() {
    std::fill(last_.begin(), last_.end(), '\0');  // the payload is a token: overwrite before clearing
    last_.clear();
    last_seen_ = {};
  }

 private:
  std::chrono::milliseconds hold_;
  std::string last_;
  Clock::time_point last_seen_{};
};

}  // namespace kiosk::qr
