// Technician mode as a state machine (no SDL): hidden entry (corner long press), PIN pad with lockout or
// a technician card, menu, diagnostics (run on a worker thread, with a timeout), devices, the first-boot
// wizard (editable values → enrolment → time check → devices), audit log view, leave → resident home.
// The screens (kiosk/ui/tech_screens.*) draw it and feed back widget ids; every entry and action is
// audited.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kiosk/core/clock.hpp"
#include "kiosk/core/events.hpp"
#include "kiosk/tech/audit.hpp"
#include "kiosk/tech/check_result.hpp"
#include "kiosk/tech/devices.hpp"
#include "kiosk/tech/pin.hpp"
#include "kiosk/tech/provision.hpp"

namespace kiosk::tech {

// What the mode needs from the outside; the kiosk wires real diagnostics, tests wire fakes.
struct TechHooks {
  std::vector<std::string> check_ids;  // diagnostics in display order
  // Runs one check. Called on the mode's check thread (never the UI thread), one check at a time.
  std::function<CheckResult(const std::string& id)> run_check;
  // Running kiosk: stops the device worker that owns `role` while a check opens the device and returns
  // the function that restarts it (null: nothing to pause). Called on the check thread.
  std::function<std::function<void()>(const std::string& role)> pause_device;
  // Called on the check thread when a result is ready (the app wakes its loop to call tick()).
  std::function<void()> notify;
  // Injected clock (headless scripts): tick() first waits (bounded by the check timeout) for the checks
  // in flight, so a script step sees their results; the screens still show 检测中 until then.
  bool settle_checks = false;
  // Found devices matched to profiles (role, profile, device id, how, profile file) and the bindings.
  std::function<std::vector<std::vector<std::string>>()> list_matches;
  std::function<Bindings()> load_bindings;
  std::function<void(const Binding&)> save_binding;
  // Provisioning summary rows (label, value, ok) for the wizard screen.
  std::function<std::vector<std::tuple<std::string, std::string, bool>>()> provision_summary;
  // First-boot wizard, through kiosk/tech/provision (the code `kioskctl provision` uses).
  std::function<ProvisionValues()> load_values;
  std::function<std::vector<FieldError>(const ProvisionValues&)> validate_values;
  std::function<void(const ProvisionValues&)> save_values;          // throws on failure
  std::function<std::string(const std::string& code)> region_name;  // "" when not in GB/T 2260
  std::function<std::string(const ProvisionValues&)> make_csr;      // returns the CSR path; throws
  std::function<std::string()> install_cert;  // from the USB stick; returns "subject, valid until"; throws
  std::string cert_source;                    // where install_cert looks (shown on the screen)
  std::function<std::string()> export_logs;   // returns the tar path; throws on failure
  std::string pin_state;  // PinGate::persist_to file (lockout survives restarts); empty: memory only
};

class TechMode {
 public:
  enum class Screen { Closed, Pin, Menu, Diagnostics, Devices, Wizard, Logs };
  enum class WizardStep { Values, Enrol, Time };
  // Wizard fields in screen order; "panel" takes a diagonal in inches (≥ 2) or a pixel pitch in mm (< 2).
  static const std::vector<std::string>& wizard_fields();

  TechMode(TechnicianConfig cfg, const core::Clock& clock, std::shared_ptr<AuditLog> audit, TechHooks hooks);
  ~TechMode();
  TechMode(const TechMode&) = delete;
  TechMode& operator=(const TechMode&) = delete;

  // The UI reports a long press; entry needs cfg.hold_ms in the entry corner.
  void long_press(std::int64_t held_ms, bool in_corner);
  // A widget id from a tech screen (all start with "tech.").
  void action(const std::string& id);
  // A device event while the mode is active: an SS card read while the PIN pad is up is checked
  // against the technician cards. Returns true when consumed: every card/QR event while active (no
  // resident session starts behind the technician); faults and recoveries still go to the session.
  bool device_event(const core::DeviceEvent& ev);
  // A technician card number (SS card / IC card) read while the PIN pad is up.
  void card_presented(const std::string& card_number);
  // Text from a USB keyboard (SDL_TEXTINPUT, UTF-8) for the field being edited; Chinese hall names
  // can only be typed this way. Backspace/Enter: action("tech.kb.bksp") / action("tech.kb.ok").
  void text_input(const std::string& utf8);
  bool wants_text() const { return !editing_.empty(); }
  // Takes finished checks and timeouts; leaves after cfg.idle_exit_s without a touch.
  // Returns true when the mode closed.
  bool tick();
  // Blocks until no check is queued or running, at most `ms`; true when idle.
  bool wait_idle(std::int64_t ms);

  bool active() const { return screen_ != Screen::Closed; }
  Screen screen() const { return screen_; }
  const char* screen_name() const;
  std::size_t pin_length() const { return pin_.size(); }
  // Status line: a strings key and its {args} ("tech.pin.wrong", {{"left","2"}}); empty key: none.
  const std::string& message_key() const { return msg_key_; }
  const std::vector<std::pair<std::string, std::string>>& message_args() const { return msg_args_; }
  std::int64_t lock_remaining_ms() const { return gate_.remaining_lock_ms(); }
  const std::vector<CheckResult>& results() const;
  bool checking(const std::string& id) const { return pending_.count(id) > 0; }
  bool any_checking() const { return !pending_.empty(); }
  const std::vector<std::vector<std::string>>& matches() const { return matches_; }
  const Bindings& bindings() const { return bindings_; }
  const std::vector<std::tuple<std::string, std::string, bool>>& summary() const { return summary_; }
  std::vector<AuditEntry> recent_log(std::size_t n) const { return audit_->recent(n); }
  const TechHooks& hooks() const { return hooks_; }
  // Wizard state.
  WizardStep wizard_step() const { return step_; }
  const std::string& field_value(const std::string& f) const;
  const std::string& editing() const { return editing_; }  // field being edited, "" none
  const std::string& edit_text() const { return edit_text_; }
  bool keyboard_upper() const { return kb_upper_; }
  const FieldError* field_error(const std::string& f) const;
  bool wizard_dirty() const { return draft_ != saved_; }
  // GB/T 2260 name of the region code being edited (or of the draft); "" when unknown/incomplete.
  std::string region_label() const;
  // Pixel pitch the panel value gives (0: not a number).
  double panel_pitch_mm() const;
  // Bumped whenever what the screens show changed (redraw trigger).
  std::uint64_t version() const { return version_; }

 private:
  struct Job {
    std::string id;
    std::uint64_t gen;
  };
  struct Pending {
    std::uint64_t gen;
    std::int64_t started_ms;  // steady clock: device I/O takes real time even under an injected clock
  };
  void go(Screen s);
  void leave(const std::string& why);
  void log(const std::string& action, const std::string& detail = "");
  void run_checks(const std::vector<std::string>& ids);
  void store_result(CheckResult r);
  void worker_loop();
  void take_results();
  void enter(const std::string& how);
  void open_wizard();
  void wizard_action(const std::string& id);
  void commit_field();
  bool save_wizard();
  ProvisionValues values_from(const std::map<std::string, std::string>& d) const;
  std::vector<FieldError> validate_draft(const std::map<std::string, std::string>& d) const;

  TechnicianConfig cfg_;
  const core::Clock& clock_;
  std::shared_ptr<AuditLog> audit_;
  TechHooks hooks_;
  PinGate gate_;
  Screen screen_ = Screen::Closed;
  std::string pin_;
  std::string msg_key_;
  std::vector<std::pair<std::string, std::string>> msg_args_;
  std::unique_ptr<std::vector<CheckResult>> results_;  // pointer: keeps the header light
  std::vector<std::vector<std::string>> matches_;
  Bindings bindings_;
  std::vector<std::tuple<std::string, std::string, bool>> summary_;
  std::int64_t last_touch_ms_ = 0;
  std::uint64_t version_ = 0;

  // Wizard.
  WizardStep step_ = WizardStep::Values;
  ProvisionValues loaded_;
  std::map<std::string, std::string> draft_, saved_;
  std::string editing_, edit_text_;
  bool kb_upper_ = true;
  std::vector<FieldError> errors_;

  // Check thread (UI thread owns pending_; the rest is under mu_).
  std::map<std::string, Pending> pending_;
  std::uint64_t gen_ = 0;
  std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<Job> jobs_;
  std::vector<std::pair<Job, CheckResult>> done_;
  bool running_job_ = false, stop_ = false;
  std::thread worker_;
};

}  // namespace kiosk::tech
