#include "kiosk/tech/tech_mode.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "kiosk/core/mask.hpp"
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
  {
    std::lock_guard l(mu_);
    stop_ = true;
    jobs_.clear();
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();  // a running check ends within its own device timeout
  sodium_memzero(pin_.data(), pin_.size());
}

const std::vector<std::string>& TechMode::wizard_fields() {
  static const std::vector<std::string> f{"terminal_id", "hall_name", "region_code", "platform_url", "panel"};
  return f;
}

namespace {
std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

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
  {
    std::lock_guard l(mu_);
    jobs_.clear();  // a running check finishes; its late result is dropped (no longer pending)
  }
  pending_.clear();
  editing_.clear();
  edit_text_.clear();
  errors_.clear();
  msg_key_.clear();
  go(Screen::Closed);
}

void TechMode::enter(const std::string& how) {
  log("enter", how);
  msg_key_.clear();
  msg_args_.clear();
  go(Screen::Menu);
}

void TechMode::card_presented(const std::string& card_number) {
  if (screen_ != Screen::Pin) return;
  last_touch_ms_ = clock_.now_ms();
  ++version_;
  msg_args_.clear();
  const std::string masked = core::mask_id(card_number);
  if (gate_.locked()) {  // the lockout holds for cards too: one rule at the pad
    log("card_refused", masked + " during lockout");
    msg_key_ = "tech.pin.locked";
    msg_args_ = {{"seconds", std::to_string((gate_.remaining_lock_ms() + 999) / 1000)}};
    return;
  }
  if (!cfg_.card_hashes.empty() && card_listed(cfg_.card_hashes, card_number)) {
    sodium_memzero(pin_.data(), pin_.size());
    pin_.clear();
    return enter("technician card " + masked);
  }
  log("card_refused", masked);
  msg_key_ = "tech.card.refused";
}

bool TechMode::device_event(const core::DeviceEvent& ev) {
  using K = core::DeviceEvent::Kind;
  if (!active()) return false;
  if (ev.kind == K::SsCardInserted && screen_ == Screen::Pin) card_presented(ev.identity.card_number);
  return ev.kind == K::SsCardInserted || ev.kind == K::SsCardRemoved || ev.kind == K::IdCardRead ||
         ev.kind == K::IdCardRemoved || ev.kind == K::QrScanned;
}

void TechMode::text_input(const std::string& utf8) {
  if (editing_.empty()) return;
  last_touch_ms_ = clock_.now_ms();
  for (unsigned char c : utf8)
    if (c < 0x20 || c == 0x7F) return;  // control characters never enter a field
  if (edit_text_.size() + utf8.size() > 160) return;
  edit_text_ += utf8;
  ++version_;
}

bool TechMode::wait_idle(std::int64_t ms) {
  std::unique_lock l(mu_);
  return idle_cv_.wait_for(l, std::chrono::milliseconds(ms), [&] { return jobs_.empty() && !running_job_; });
}

void TechMode::take_results() {
  std::vector<std::pair<Job, CheckResult>> done;
  {
    std::lock_guard l(mu_);
    done.swap(done_);
  }
  for (auto& [job, r] : done) {
    auto it = pending_.find(job.id);
    if (it == pending_.end() || it->second.gen != job.gen) {
      log("diag_late", job.id + " " + to_string(r.status) + " (after its timeout or after leaving)");
      continue;
    }
    pending_.erase(it);
    store_result(std::move(r));
  }
  const std::int64_t now = steady_ms();
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now - it->second.started_ms < cfg_.check_timeout_s * 1000) {
      ++it;
      continue;
    }
    CheckResult r;
    r.id = it->first;
    r.device = r.id.substr(0, r.id.find('.'));
    r.status = CheckStatus::Fail;
    r.detail = "no answer within " + std::to_string(cfg_.check_timeout_s) + " s";
    r.advice_key = "tech.advice.timeout";
    r.advice_zh = "检测超时：设备无响应。请检查连接和电源，然后重新检测。";
    r.advice_en =
        "The check timed out: the device does not answer. Check the cable and power, then test again.";
    it = pending_.erase(it);
    store_result(std::move(r));
  }
}

bool TechMode::tick() {
  if (!active()) return false;
  if (!pending_.empty() && hooks_.settle_checks) wait_idle(cfg_.check_timeout_s * 1000);
  take_results();
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

void TechMode::store_result(CheckResult r) {
  log("diag", r.id + " " + to_string(r.status));
  bool replaced = false;
  for (auto& old : *results_)
    if (old.id == r.id) old = r, replaced = true;
  if (!replaced) results_->push_back(std::move(r));
  ++version_;
}

void TechMode::run_checks(const std::vector<std::string>& ids) {
  std::lock_guard l(mu_);
  for (auto& id : ids) {
    if (pending_.count(id)) continue;  // already queued or running
    pending_[id] = {++gen_, steady_ms()};
    jobs_.push_back({id, gen_});
  }
  if (!worker_.joinable()) worker_ = std::thread([this] { worker_loop(); });
  cv_.notify_all();
}

void TechMode::worker_loop() {
  std::unique_lock l(mu_);
  for (;;) {
    cv_.wait(l, [&] { return stop_ || !jobs_.empty(); });
    if (stop_) return;
    Job job = jobs_.front();
    jobs_.pop_front();
    running_job_ = true;
    l.unlock();
    CheckResult r;
    std::function<void()> resume;
    try {
      if (hooks_.pause_device) resume = hooks_.pause_device(job.id.substr(0, job.id.find('.')));
      if (hooks_.run_check)
        r = hooks_.run_check(job.id);
      else
        r.detail = "no diagnostics wired";
    } catch (const std::exception& e) {
      r.status = CheckStatus::Fail;
      r.detail = core::scrub(e.what());
      r.advice_key = "tech.advice.internal";
    }
    try {
      if (resume) resume();
    } catch (const std::exception& e) {
      r.status = CheckStatus::Fail;
      r.detail += "; the device worker did not restart: " + core::scrub(e.what());
    }
    r.id = job.id;
    if (r.device.empty()) r.device = job.id.substr(0, job.id.find('.'));
    l.lock();
    done_.emplace_back(job, std::move(r));
    running_job_ = false;
    if (jobs_.empty()) idle_cv_.notify_all();
    if (hooks_.notify) {
      l.unlock();
      hooks_.notify();
      l.lock();
    }
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
          enter("PIN accepted");
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
    editing_.clear();
    return go(Screen::Menu);
  }
  if (screen_ == Screen::Wizard && (id.rfind("tech.wizard.", 0) == 0 || id.rfind("tech.field.", 0) == 0 ||
                                    id.rfind("tech.kb.", 0) == 0 || id == "tech.edit.cancel"))
    return wizard_action(id);
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
    open_wizard();
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

// ---------------------------------------------------------------------------------------------
// First-boot wizard

namespace {
std::string fmt_num(double v, const char* f) {
  char b[32];
  std::snprintf(b, sizeof b, f, v);
  return b;
}
bool parse_number(const std::string& s, double& out) {
  if (s.empty() || s.find_first_not_of("0123456789.") != std::string::npos) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}
}  // namespace

const std::string& TechMode::field_value(const std::string& f) const {
  static const std::string none;
  auto it = draft_.find(f);
  return it == draft_.end() ? none : it->second;
}

const FieldError* TechMode::field_error(const std::string& f) const {
  for (auto& e : errors_)
    if (e.field == f || (f == "panel" && e.field == "resolution")) return &e;
  return nullptr;
}

std::string TechMode::region_label() const {
  const std::string& code = editing_ == "region_code" ? edit_text_ : field_value("region_code");
  if (code.size() != 6 || !hooks_.region_name) return "";
  return hooks_.region_name(code);
}

double TechMode::panel_pitch_mm() const {
  const std::string& s = editing_ == "panel" ? edit_text_ : field_value("panel");
  double v = 0;
  if (!parse_number(s, v) || v <= 0) return 0;
  return v < 2 ? v : mm_per_px_from_diagonal(v, loaded_.width_px, loaded_.height_px);
}

ProvisionValues TechMode::values_from(const std::map<std::string, std::string>& d) const {
  ProvisionValues v = loaded_;
  auto get = [&](const char* k) {
    auto it = d.find(k);
    return it == d.end() ? std::string() : it->second;
  };
  v.terminal_id = get("terminal_id");
  v.hall_name = get("hall_name");
  v.region_code = get("region_code");
  v.platform_url = get("platform_url");
  v.diagonal_in = v.mm_per_px = 0;
  double p = 0;
  if (parse_number(get("panel"), p) && p > 0) {
    if (p < 2)
      v.mm_per_px = p;
    else
      v.diagonal_in = p;
  } else {
    v.mm_per_px = -1;  // not a number: validate() reports the panel field
  }
  return v;
}

std::vector<FieldError> TechMode::validate_draft(const std::map<std::string, std::string>& d) const {
  if (!hooks_.validate_values) return {};
  return hooks_.validate_values(values_from(d));
}

void TechMode::open_wizard() {
  if (hooks_.provision_summary) summary_ = hooks_.provision_summary();
  loaded_ = hooks_.load_values ? hooks_.load_values() : ProvisionValues{};
  draft_ = {{"terminal_id", loaded_.terminal_id},
            {"hall_name", loaded_.hall_name},
            {"region_code", loaded_.region_code},
            {"platform_url", loaded_.platform_url},
            {"panel", loaded_.mm_per_px > 0     ? fmt_num(loaded_.mm_per_px, "%.4f")
                      : loaded_.diagonal_in > 0 ? fmt_num(loaded_.diagonal_in, "%.1f")
                                                : std::string()}};
  saved_ = draft_;
  editing_.clear();
  edit_text_.clear();
  errors_ = validate_draft(draft_);  // a fresh terminal shows what is still missing
  step_ = WizardStep::Values;
  msg_key_.clear();
  msg_args_.clear();
}

void TechMode::commit_field() {
  auto d = draft_;
  d[editing_] = edit_text_;
  auto errs = validate_draft(d);
  std::erase_if(errors_, [&](const FieldError& e) {
    return e.field == editing_ || (editing_ == "panel" && e.field == "resolution");
  });
  bool bad = false;
  for (auto& e : errs)
    if (e.field == editing_ || (editing_ == "panel" && e.field == "resolution")) {
      errors_.push_back(e);
      bad = true;
    }
  if (bad) {
    log("wizard_invalid", editing_);
    return;  // stay in the editor with the message next to the field
  }
  draft_ = std::move(d);
  editing_.clear();
  edit_text_.clear();
}

bool TechMode::save_wizard() {
  errors_ = validate_draft(draft_);
  msg_args_.clear();
  if (!errors_.empty()) {
    std::string fields;
    for (auto& e : errors_) fields += (fields.empty() ? "" : ",") + e.field;
    log("provision_invalid", fields);
    msg_key_ = "tech.wizard.invalid";
    return false;
  }
  if (!wizard_dirty()) return true;
  try {
    if (!hooks_.save_values) throw TechError("saving is not wired");
    hooks_.save_values(values_from(draft_));
  } catch (const std::exception& e) {
    log("provision_failed", core::scrub(e.what()));
    msg_key_ = "tech.wizard.save_failed";
    msg_args_ = {{"reason", core::scrub(e.what())}};
    return false;
  }
  std::string changed;
  for (auto& [k, v] : draft_)
    if (saved_[k] != v) changed += (changed.empty() ? "" : "; ") + k + "=" + v;
  log("provision", core::scrub(changed));
  saved_ = draft_;
  if (hooks_.provision_summary) summary_ = hooks_.provision_summary();
  msg_key_ = "tech.wizard.saved";
  return true;
}

void TechMode::wizard_action(const std::string& id) {
  if (!editing_.empty()) {
    if (id == "tech.edit.cancel") {
      std::erase_if(errors_, [&](const FieldError& e) { return e.field == editing_; });
      editing_.clear();
      edit_text_.clear();
      return;
    }
    if (id.rfind("tech.kb.", 0) == 0) {
      std::string key = id.substr(8);
      if (key == "ok") return commit_field();
      if (key == "shift") {
        kb_upper_ = !kb_upper_;
        return;
      }
      if (key == "bksp") {
        if (edit_text_.empty()) return;
        std::size_t n = edit_text_.size() - 1;
        while (n > 0 && (static_cast<unsigned char>(edit_text_[n]) & 0xC0) == 0x80) --n;
        edit_text_.erase(n);
        return;
      }
      char c = 0;
      if (key.size() == 1 && std::isalnum(static_cast<unsigned char>(key[0])))
        c = key[0];
      else if (key == "minus")
        c = '-';
      else if (key == "dot")
        c = '.';
      else if (key == "colon")
        c = ':';
      else if (key == "slash")
        c = '/';
      if (c && edit_text_.size() < 160) edit_text_.push_back(c);
      return;
    }
    if (id.rfind("tech.field.", 0) != 0) return;  // other buttons wait until the field is done
  }
  if (id.rfind("tech.field.", 0) == 0) {
    std::string f = id.substr(11);
    if (std::find(wizard_fields().begin(), wizard_fields().end(), f) == wizard_fields().end()) return;
    editing_ = f;
    edit_text_ = field_value(f);
    kb_upper_ = f != "platform_url";
    msg_key_.clear();
    return;
  }
  if (id == "tech.wizard.save") {
    save_wizard();
    return;
  }
  if (id == "tech.wizard.prev") {
    if (step_ == WizardStep::Enrol) step_ = WizardStep::Values;
    if (step_ == WizardStep::Time) step_ = WizardStep::Enrol;
    msg_key_.clear();
    return;
  }
  if (id == "tech.wizard.next") {
    if (step_ == WizardStep::Values) {
      if (!save_wizard()) return;
      step_ = WizardStep::Enrol;
      msg_key_.clear();
    } else if (step_ == WizardStep::Enrol) {
      step_ = WizardStep::Time;
      msg_key_.clear();
      run_checks({"system.clock", "system.certificate"});
    } else {
      log("open", "devices (wizard)");
      if (hooks_.list_matches) matches_ = hooks_.list_matches();
      if (hooks_.load_bindings) bindings_ = hooks_.load_bindings();
      msg_key_.clear();
      go(Screen::Devices);
    }
    return;
  }
  if (id == "tech.wizard.csr") {
    msg_args_.clear();
    try {
      if (!hooks_.make_csr) throw TechError("enrolment is not wired");
      auto path = hooks_.make_csr(values_from(saved_));
      log("enrol_csr", path);
      msg_key_ = "tech.wizard.csr_written";
      msg_args_ = {{"path", path}};
    } catch (const std::exception& e) {
      log("enrol_failed", core::scrub(e.what()));
      msg_key_ = "tech.wizard.enrol_failed";
      msg_args_ = {{"reason", core::scrub(e.what())}};
    }
    return;
  }
  if (id == "tech.wizard.install") {
    msg_args_.clear();
    try {
      if (!hooks_.install_cert) throw TechError("certificate installation is not wired");
      auto what = hooks_.install_cert();
      log("cert_installed", what);
      msg_key_ = "tech.wizard.cert_installed";
      msg_args_ = {{"what", what}};
      if (hooks_.provision_summary) summary_ = hooks_.provision_summary();
    } catch (const std::exception& e) {
      log("cert_install_failed", core::scrub(e.what()));
      msg_key_ = "tech.wizard.enrol_failed";
      msg_args_ = {{"reason", core::scrub(e.what())}};
    }
    return;
  }
  if (id == "tech.wizard.time") return run_checks({"system.clock", "system.certificate"});
}

}  // namespace kiosk::tech
