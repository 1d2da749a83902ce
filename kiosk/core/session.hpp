// The resident session as a pure state machine: events in, state + effects out. No I/O, no sleeps;
// time comes from the injected Clock. The UI draws a view of this state and sends UserActions.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "kiosk/core/catalog.hpp"
#include "kiosk/core/clock.hpp"
#include "kiosk/core/config.hpp"
#include "kiosk/core/events.hpp"
#include "kiosk/core/session_data.hpp"

namespace kiosk::core {

enum class ScreenId { Home, Category, Guide, Help, Flow, Search };
const char* to_string(ScreenId s);

struct ScreenState {
  ScreenId id = ScreenId::Home;
  std::string arg;  // category id, item code, or the search query (Search)
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
    // Work for the App (results come back as Commands, see ActiveFlow):
    Platform,   // arg = operation ("voucher_resolve", "certification_submit", "record_query:rights_record",
                //       "rating:5" ...); the request body is built from SessionData
    StartFace,  // arg = item code; result: Command{"face.result", "pass score=.. quality=.." | "fail ..."}
    StopFace,
    Print,  // arg = receipt/A4 template id; result: Command{"print.result", "printed" | "failed <why>"}
    // VERIFY the PIN in SessionData::pin on the inserted SS card (arg = item code, never the digits). The
    // App hands SessionData::pin to hw::SsCardWorker::verify_pin_async, which wipes it; result:
    // Command{"pin.result", "ok" | "wrong tries=N" | "blocked" | "no_card" | "error [reason=..]"}.
    VerifyPin,
  };
  Kind kind;
  std::string arg;
};
const char* to_string(Effect::Kind k);

// A running service flow (implemented by kiosk/flow; core knows only this interface). It receives the
// session's events while its screen is shown and emits effects like the session does.
class ActiveFlow {
 public:
  virtual ~ActiveFlow() = default;
  virtual void start(SessionData& data, std::vector<Effect>& fx) = 0;
  // Returns false when the event is not the flow's business (the session handles it).
  virtual bool handle(const Event& e, SessionData& data, std::vector<Effect>& fx) = 0;
  virtual std::string screen_name() const = 0;  // "flow.consent", "flow.error" ...
  virtual std::string spoken_key() const = 0;   // instruction of the current screen (「再听一遍」)
  virtual bool busy() const = 0;                // device work or platform call: countdown paused
  virtual bool reading() const = 0;             // a screen to read: the longer timeout applies
  virtual bool finished() const = 0;            // done: the session ends and wipes
  virtual bool abandoned() const = 0;           // backed out before submitting: back to the guide
  // Why the flow stopped the session early (string key of a notice), e.g. "notice.card_removed".
  virtual std::string abort_notice() const = 0;
};

class FlowFactory {
 public:
  virtual ~FlowFactory() = default;
  virtual bool has_flow(const std::string& item_code) const = 0;
  virtual std::unique_ptr<ActiveFlow> create(const std::string& item_code) const = 0;
};

struct SessionOptions {
  SessionTimeouts timeouts;
  int items_per_page = 8;         // standard mode
  int elder_items_per_page = 5;   // larger rows in elder mode
  int search_items_per_page = 5;  // results beside the on-screen keyboard
  int elder_search_items_per_page = 3;
  std::string default_language = "zh-CN";
  bool default_elder_mode = false;
};

class Session {
 public:
  Session(const Catalog& catalog, SessionOptions opts, const Clock& clock);

  std::vector<Effect> handle(const Event& e);
  // Runs timers (inactivity warning and expiry). Call whenever now >= next_deadline_ms(), or more often.
  std::vector<Effect> tick();

  // Service flows by item (optional: without them every item shows its guide only).
  void set_flows(const FlowFactory* flows) { flows_ = flows; }
  const ActiveFlow* flow() const { return flow_.get(); }
  bool has_flow(const std::string& item_code) const { return flows_ && flows_->has_flow(item_code); }
  // "home", "category", "guide", "help" or the flow's screen ("flow.face" ...).
  std::string screen_name() const;
  // A message shown over the home screen after the session was ended for a reason (string key).
  const std::string& notice() const { return notice_; }

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
  bool paused() const { return busy_ || (flow_ && flow_->busy()); }
  // Earliest time tick() has something to do or the visible countdown changes.
  std::int64_t next_deadline_ms() const;

  int page_count() const;  // pages of the current category or search screen
  int items_per_page() const;
  std::vector<const CatalogItem*> page_items() const;
  // Search screen: the typed query and every matching item, best first (kiosk/core/search.hpp).
  const std::string& search_query() const;
  std::vector<const CatalogItem*> search_results() const;
  // Guide slip: the template the guide page prints (Effect::Print arg).
  static constexpr const char* kGuideSlipTemplate = "guide_slip_80";

  const SessionData& data() const { return data_; }
  SessionData& data() { return data_; }

 private:
  std::int64_t timeout_ms() const;
  void go(std::vector<Effect>& fx, ScreenState s, bool push);
  void end_session(std::vector<Effect>& fx, bool reset_preferences);
  void on_action(std::vector<Effect>& fx, const std::string& id);
  void on_device(std::vector<Effect>& fx, const DeviceEvent& d);
  void touch();
  void after_flow(std::vector<Effect>& fx, bool was_paused);
  bool on_search_action(std::vector<Effect>& fx, const std::string& id);
  void on_guide_print_result(std::vector<Effect>& fx, const std::string& result);

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
  const FlowFactory* flows_ = nullptr;
  std::unique_ptr<ActiveFlow> flow_;
  std::string notice_;
  mutable std::string search_cache_query_;  // search_results() of the last query
  mutable std::vector<const CatalogItem*> search_cache_;
};

}  // namespace kiosk::core
