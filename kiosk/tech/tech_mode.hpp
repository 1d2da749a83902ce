// Technician mode as a state machine (no SDL): hidden entry (corner long press), PIN pad with lockout,
// menu, diagnostics, devices, provisioning summary, audit log view, leave → resident home. The screens
// (kiosk/ui/tech_screens.*) draw it and feed back widget ids; every entry and action is audited.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kiosk/core/clock.hpp"
#include "kiosk/tech/audit.hpp"
#include "kiosk/tech/check_result.hpp"
#include "kiosk/tech/devices.hpp"
#include "kiosk/tech/pin.hpp"

namespace kiosk::tech {

// What the mode needs from the outside; the kiosk wires real diagnostics, tests wire fakes.
struct TechHooks {
  std::vector<std::string> check_ids;  // diagnostics in display order
  std::function<CheckResult(const std::string& id)> run_check;
  // Found devices matched to profiles (role, profile, device id, how, profile file) and the bindings.
  std::function<std::vector<std::vector<std::string>>()> list_matches;
  std::function<Bindings()> load_bindings;
  std::function<void(const Binding&)> save_binding;
  // Provisioning summary rows (label, value, ok) for the wizard screen.
  std::function<std::vector<std::tuple<std::string, std::string, bool>>()> provision_summary;
  std::function<std::string()> export_logs;  // returns the tar path; throws on failure
  std::string pin_state;  // PinGate::persist_to file (lockout survives restarts); empty: memory only
};

class TechMode {
 public:
  enum class Screen { Closed, Pin, Menu, Diagnostics, Devices, Wizard, Logs };
  TechMode(TechnicianConfig cfg, const core::Clock& clock, std::shared_ptr<AuditLog> audit, TechHooks hooks);
  ~TechMode();

  // The UI reports a long press; entry needs cfg.hold_ms in the entry corner.
  void long_press(std::int64_t held_ms, bool in_corner);
  // A widget id from a tech screen (all start with "tech.").
  void action(const std::string& id);
  // Leaves after cfg.idle_exit_s without a touch. Returns true when the mode closed.
  bool tick();

  bool active() const { return screen_ != Screen::Closed; }
  Screen screen() const { return screen_; }
  const char* screen_name() const;
  std::size_t pin_length() const { return pin_.size(); }
  // Status line: a strings key and its {args} ("tech.pin.wrong", {{"left","2"}}); empty key: none.
  const std::string& message_key() const { return msg_key_; }
  const std::vector<std::pair<std::string, std::string>>& message_args() const { return msg_args_; }
  std::int64_t lock_remaining_ms() const { return gate_.remaining_lock_ms(); }
  const std::vector<CheckResult>& results() const;
  const std::vector<std::vector<std::string>>& matches() const { return matches_; }
  const Bindings& bindings() const { return bindings_; }
  const std::vector<std::tuple<std::string, std::string, bool>>& summary() const { return summary_; }
  std::vector<AuditEntry> recent_log(std::size_t n) const { return audit_->recent(n); }
  const TechHooks& hooks() const { return hooks_; }
  // Bumped whenever what the screens show changed (redraw trigger).
  std::uint64_t version() const { return version_; }

 private:
  void go(Screen s);
  void leave(const std::string& why);
  void log(const std::string& action, const std::string& detail = "");
  void run_checks(const std::vector<std::string>& ids);

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
};

}  // namespace kiosk::tech
