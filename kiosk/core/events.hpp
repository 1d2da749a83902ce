// Everything that happens to a session arrives as an Event through one EventQueue; device workers,
// the vision worker and the network worker post, the main loop drains (ARCHITECTURE principle 5).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "kiosk/core/identity.hpp"

namespace kiosk::core {

// A resident or technician touched a control (by widget id).
struct UserAction {
  std::string id;
};

// Devices: card placed/removed, QR scanned, faults. `device` is the role ("idcard", "sscard",
// "printer", "camera", "scanner"); `detail` is a log-safe English description for faults.
struct DeviceEvent {
  enum class Kind {
    IdCardRead,
    IdCardRemoved,
    SsCardInserted,
    SsCardRemoved,
    QrScanned,
    DeviceFault,
    DeviceRecovered,
  };
  Kind kind = Kind::DeviceFault;
  std::string device;
  Identity identity;   // IdCardRead / SsCardInserted / QrScanned (token)
  std::string detail;  // DeviceFault: what went wrong, masked
};

// A language or mode switch requested from outside the UI (tests, ops).
struct Command {
  std::string name;
  std::string arg;
};

using Event = std::variant<UserAction, DeviceEvent, Command>;

const char* to_string(DeviceEvent::Kind k);

// Thread-safe multi-producer queue drained by the main loop. The waker (e.g. SDL_PushEvent of a user
// event) is called after each post so an idle loop wakes within a millisecond.
class EventQueue {
 public:
  void post(Event e);
  std::vector<Event> drain();
  // Blocks up to timeout for at least one event (used by headless tools without SDL).
  bool wait_for(std::chrono::milliseconds timeout);
  void set_waker(std::function<void()> waker);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> q_;
  std::function<void()> waker_;
};

}  // namespace kiosk::core
