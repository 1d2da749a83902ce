// The resident session as a pure state machine: events in, state + effects out. No I/O, no sleeps;
// time comes from the injected Clock. The UI draws a view of this state and sends UserActions.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "kiosk/core/catalog.hpp"
#include "kiosk/core/clock.hpp"
#include "kiosk/core/config.hpp"
#include "kiosk/core/events.hpp"
#include "kiosk/core/session_data.hpp"

namespace kiosk::core {

enum class ScreenId { Home, Category, Guide, Help };
const char* to_string(ScreenId s);

struct ScreenState {
  ScreenId id = ScreenId::Home;
  std::string arg;  // category id or item code
  int page = 0;
  bool operator==(const ScreenState&) const = default;
};

struct Effect {
  enum class Kind {
    ScreenChanged,  // arg = screen name
    Speak,          // arg = string key (never personal text)
    WipeSessionData,
    CallStaff,
    Identified,  // arg = identity source ("idcard", "sscard", "qr")
    Log,         // arg = log-safe message
  };
  Kind kind;
  std::string arg;
};
const char* to_string(Effect::Kind k);

struct SessionOptions {
  SessionTimeouts timeouts;
  int items_per_page = 8;        // standard mode
  int elder_items_per_page = 5;  // larger rows in elder mode
  std::string default_language = "zh-CN";
  bool default_elder_mode = false;
};

class Session {
 public:
  Session(const Catalog& catalog, SessionOptions opts, const Clock& clock);

  std::vector<Effect> handle(const Event& e);
  // Runs timers (inactivity warning and expiry). Call whenever now >= next_deadline_ms(), or more often.
  std::vector<Effect> tick();

  const ScreenState& screen() const { return screen_; }
  const std::string& language() const { return language_; }
  bool elder_mode() const { return elder_mode_; }
  bool staff_called() const { return staff_called_; }

  // Inactivity timer view.
  bool timer_active() const;
  bool warning() const { return warning_; }
  int remaining_s() const;  // whole seconds left, rounded up
  bool can_extend() const { return extensions_used_ < opts_.timeouts.max_extensions; }
  int extensions_used() const { return extensions_used_; }
  // While a device operation or platform call runs the timer is paused (checklist §1.8 Time).
  void set_busy(bool busy);
  // Earliest time tick() has something to do or the visible countdown changes.
  std::int64_t next_deadline_ms() const;

  int page_count() const;  // pages of the current category screen
  int items_per_page() const { return elder_mode_ ? opts_.elder_items_per_page : opts_.items_per_page; }
  std::vector<const CatalogItem*> page_items() const;

  const SessionData& data() const { return data_; }
  SessionData& data() { return data_; }

 private:
  std::int64_t timeout_ms() const;
  void go(std::vector<Effect>& fx, ScreenState s, bool push);
  void end_session(std::vector<Effect>& fx, bool reset_preferences);
  void on_action(std::vector<Effect>& fx, const std::string& id);
  void on_device(std::vector<Effect>& fx, const DeviceEvent& d);
  void touch();

  const Catalog& catalog_;
  SessionOptions opts_;
  const Clock& clock_;
  ScreenState screen_;
  std::vector<ScreenState> back_;
  std::string language_;
  bool elder_mode_;
  bool staff_called_ = false;
  bool busy_ = false;
  bool warning_ = false;
  int extensions_used_ = 0;
  std::int64_t last_activity_ms_;
  SessionData data_;
};

}  // namespace kiosk::core
