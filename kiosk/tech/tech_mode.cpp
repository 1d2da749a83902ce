#include "kiosk/tech/tech_mode.hpp"

#include <sodium.h>

#include "kiosk/tech/check_result.hpp"

namespace kiosk::tech {

TechMode::TechMode(TechnicianConfig cfg, const core::Clock& clock, std::shared_ptr<AuditLog> audit,
                   TechHooks hooks)
    : cfg_(std::move(cfg)),
      clock_(clock),
      audit_(std::move(audit)),
      hooks_(std::move(hooks)),
      gate_(cfg_.pin_hash, cfg_.policy, clock),
      results_(std::make_unique<std::vector<CheckResult>>()) {
  if (!hooks_.pin_state.empty()) gate_.persist_to(hooks_.pin_state);
}

TechMode::~TechMode() {
  sodium_memzero(pin_.data(), pin_.size());
}

const std::vector<CheckResult>& TechMode::results() const {
  return *results_;
}

const char* TechMode::screen_name() const {
  switch (screen_) {
    case Screen::Closed:
      return "closed";
    case Screen::Pin:
      return "tech_pin";
    case Screen::Menu:
      return "tech_menu";
    case Screen::Diagnostics:
      return "tech_diagnostics";
    case Screen::Devices:
      return "tech_devices";
    case Screen::Wizard:
      return "tech_wizard";
    case Screen::Logs:
      return "tech_logs";
  }
  return "?";
}

void TechMode::log(const std::string& action, const std::string& detail) {
  try {
    audit_->append("screen", action, detail);
  } catch (const std::exception&) {
    // An unwritable audit log must not trap the technician; the failure shows on the logs screen.
    msg_key_ = "tech.audit_failed";
  }
}

void TechMode::go(Screen s) {
  screen_ = s;
  last_touch_ms_ = clock_.now_ms();
  ++version_;
}

void TechMode::long_press(std::int64_t held_ms, bool in_corner) {
  if (active() || !in_corner || held_ms < cfg_.hold_ms) return;
  log("entry_gesture", "corner hold " + std::to_string(held_ms / 1000) + " s");
  pin_.clear();
  msg_key_.clear();
  msg_args_.clear();
  if (cfg_.pin_hash.empty()) msg_key_ = "tech.pin.not_configured";
  go(Screen::Pin);
}

void TechMode::leave(const std::string& why) {
  log("leave", why);
  sodium_memzero(pin_.data(), pin_.size());
  pin_.clear();
  results_->clear();
  msg_key_.clear();
  go(Screen::Closed);
}

bool TechMode::tick() {
  if (!active()) return false;
  if (clock_.now_ms() - last_touch_ms_ >= cfg_.idle_exit_s * 1000) {
    leave("idle");
    return true;
  }
  if (screen_ == Screen::Pin && msg_key_ == "tech.pin.locked") {
    auto secs = std::to_string((gate_.remaining_lock_ms() + 999) / 1000);
    if (msg_args_.empty() || msg_args_[0].second != secs) {
      msg_args_ = {{"seconds", secs}};
      ++version_;
    }
  }
  return false;
}

void TechMode::run_checks(const std::vector<std::string>& ids) {
  for (auto& id : ids) {
    auto r = hooks_.run_check ? hooks_.run_check(id) : CheckResult{};
    r.id = id;
    log("diag", id + " " + to_string(r.status));
    bool replaced = false;
    for (auto& old : *results_)
      if (old.id == id) old = r, replaced = true;
    if (!replaced) results_->push_back(r);
  }
}

void TechMode::action(const std::string& id) {
  if (!active() || id.rfind("tech.", 0) != 0) return;
  last_touch_ms_ = clock_.now_ms();
  ++version_;
  if (id == "tech.leave") return leave("button");
  if (screen_ == Screen::Pin) {
    if (id.rfind("tech.key.", 0) == 0 && id.size() == 10 && id[9] >= '0' && id[9] <= '9') {
      if (pin_.size() < static_cast<std::size_t>(cfg_.policy.max_digits)) pin_ += id[9];
    } else if (id == "tech.key.clear") {
      sodium_memzero(pin_.data(), pin_.size());
      pin_.clear();
    } else if (id == "tech.key.ok") {
      auto r = gate_.attempt(pin_);
      sodium_memzero(pin_.data(), pin_.size());
      pin_.clear();
      msg_args_.clear();
      switch (r) {
        case PinGate::Result::Ok:
          log("enter", "PIN accepted");
          msg_key_.clear();
          go(Screen::Menu);
          break;
        case PinGate::Result::Wrong:
          log("pin_wrong", "failure " + std::to_string(gate_.consecutive_failures()));
          msg_key_ = "tech.pin.wrong";
          msg_args_ = {{"left", std::to_string(cfg_.policy.free_attempts - gate_.consecutive_failures())}};
          break;
        case PinGate::Result::LockedOut:
          log("lockout", std::to_string(gate_.remaining_lock_ms() / 1000) + " s");
          msg_key_ = "tech.pin.locked";
          msg_args_ = {{"seconds", std::to_string((gate_.remaining_lock_ms() + 999) / 1000)}};
          break;
        case PinGate::Result::NotConfigured:
          log("pin_refused", "no PIN configured");
          msg_key_ = "tech.pin.not_configured";
          break;
      }
    }
    return;
  }
  if (id == "tech.back") {
    msg_key_.clear();
    return go(Screen::Menu);
  }
  if (id == "tech.menu.diagnostics") {
    log("open", "diagnostics");
    return go(Screen::Diagnostics);
  }
  if (id == "tech.menu.devices") {
    log("open", "devices");
    if (hooks_.list_matches) matches_ = hooks_.list_matches();
    if (hooks_.load_bindings) bindings_ = hooks_.load_bindings();
    return go(Screen::Devices);
  }
  if (id == "tech.menu.wizard") {
    log("open", "wizard");
    if (hooks_.provision_summary) summary_ = hooks_.provision_summary();
    return go(Screen::Wizard);
  }
  if (id == "tech.menu.logs") {
    log("open", "logs");
    return go(Screen::Logs);
  }
  if (id == "tech.export") {
    try {
      auto path = hooks_.export_logs ? hooks_.export_logs() : std::string();
      log("export", path);
      msg_key_ = "tech.export.done";
      msg_args_ = {{"path", path}};
    } catch (const std::exception& e) {
      log("export_failed", e.what());
      msg_key_ = "tech.export.failed";
      msg_args_ = {{"reason", e.what()}};
    }
    return;
  }
  if (id == "tech.diag.all") return run_checks(hooks_.check_ids);
  if (id.rfind("tech.check.", 0) == 0) return run_checks({id.substr(11)});
  if (id.rfind("tech.test.", 0) == 0) {  // a role's checks from the devices screen
    std::string role = id.substr(10);
    std::vector<std::string> ids;
    for (auto& c : hooks_.check_ids)
      if (c.rfind(role + ".", 0) == 0) ids.push_back(c);
    return run_checks(ids);
  }
  if (id.rfind("tech.bind.", 0) == 0) {  // tech.bind.<index into matches()>
    auto i = static_cast<std::size_t>(std::stoul(id.substr(10)));
    if (i >= matches_.size() || matches_[i].size() < 5) return;
    auto& m = matches_[i];  // role, profile, device, how, profile file
    Binding b{m[0], m[4], m[1], m[2], static_cast<std::int64_t>(clock_.wall())};
    if (hooks_.save_binding) hooks_.save_binding(b);
    log("bind", b.role + " -> " + b.profile_name + " @ " + b.device);
    if (hooks_.load_bindings) bindings_ = hooks_.load_bindings();
    msg_key_ = "tech.devices.bound";
    return;
  }
}

}  // namespace kiosk::tech
