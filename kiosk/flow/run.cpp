#include "kiosk/flow/run.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "kiosk/flow/routing.hpp"

namespace kiosk::flow {

using core::Effect;
using K = Effect::Kind;

std::map<std::string, std::string> parse_kv(const std::string& s) {
  std::map<std::string, std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) {
    auto eq = w.find('=');
    if (eq != std::string::npos) out[w.substr(0, eq)] = w.substr(eq + 1);
  }
  return out;
}

std::string loggable_action(const std::string& id) {
  if (id.size() == 5 && id.rfind("pin.", 0) == 0 && id[4] >= '0' && id[4] <= '9') return "pin.#";
  return id;
}

namespace {
const char* source_name(core::IdSource s) {
  switch (s) {
    case core::IdSource::IdCard:
      return "idcard";
    case core::IdSource::SsCard:
      return "sscard";
    case core::IdSource::QrVoucher:
      return "qr";
  }
  return "?";
}
bool is_identity_event(const core::DeviceEvent& e) {
  using DK = core::DeviceEvent::Kind;
  return e.kind == DK::IdCardRead || e.kind == DK::SsCardInserted || e.kind == DK::QrScanned;
}
double to_double(const std::string& s, double dflt) {
  try {
    return s.empty() ? dflt : std::stod(s);
  } catch (...) {
    return dflt;
  }
}
}  // namespace

FlowRun::FlowRun(const Flow& flow, std::string item_code, const idcard::RegionTable* regions)
    : flow_(flow), item_(std::move(item_code)), regions_(regions) {}

std::string FlowRun::screen_name() const {
  switch (phase_) {
    case Phase::Error:
      return "flow.error";
    case Phase::FaceFailed:
      return "flow.face_failed";
    case Phase::NotOpen:
      return "flow.not_open";
    case Phase::PinBlocked:
      return "flow.pin_blocked";
    case Phase::Step:
    case Phase::Waiting:
      break;
  }
  return std::string("flow.") + to_string(step().kind);
}

std::string FlowRun::spoken_key() const {
  if (phase_ == Phase::Error || phase_ == Phase::NotOpen || phase_ == Phase::FaceFailed ||
      phase_ == Phase::PinBlocked)
    return message_key_ + "_spoken";
  if (!hint_key_.empty()) return hint_key_;
  return step().instruction;
}

bool FlowRun::reading() const {
  if (phase_ != Phase::Step) return phase_ != Phase::Waiting;
  auto k = step().kind;
  return k == StepKind::Consent || k == StepKind::Confirm || k == StepKind::ShowResult;
}

void FlowRun::show(std::vector<Effect>& fx) {
  fx.push_back({K::ScreenChanged, screen_name()});
  fx.push_back({K::Speak, spoken_key()});
}

void FlowRun::error(std::vector<Effect>& fx, std::string key, bool retry, bool skip) {
  phase_ = Phase::Error;
  message_key_ = std::move(key);
  can_retry_ = retry;
  can_skip_ = skip;
  waiting_for_.clear();
  fx.push_back({K::Log, "flow " + flow_.id + " step " + to_string(step().kind) + ": " + message_key_});
  show(fx);
}

void FlowRun::wait_for(std::vector<Effect>& fx, std::string what) {
  phase_ = Phase::Waiting;
  waiting_for_ = std::move(what);
  show(fx);
}

void FlowRun::start(core::SessionData& d, std::vector<Effect>& fx) {
  index_ = 0;
  d.item_code = item_;
  fx.push_back({K::Log, "flow " + flow_.id + " started for " + item_});
  enter(d, fx);
}

void FlowRun::next(core::SessionData& d, std::vector<Effect>& fx) {
  if (index_ + 1 < static_cast<int>(flow_.steps.size())) ++index_;
  enter(d, fx);
}

void FlowRun::enter(core::SessionData& d, std::vector<Effect>& fx) {
  phase_ = Phase::Step;
  message_key_.clear();
  hint_key_.clear();
  can_retry_ = can_skip_ = false;
  waiting_for_.clear();
  if (!d.pin.empty()) core::secure_clear(d.pin);  // digits never outlive the PIN screen
  pin_len_ = 0;
  const Step& s = step();
  if (!applies(s)) {
    fx.push_back({K::Log, std::string("step ") + to_string(s.kind) + " skipped for this resident"});
    return next(d, fx);
  }
  switch (s.kind) {
    case StepKind::Identify: {
      if (!d.identity.empty()) {
        const std::string src = source_name(d.identity.source);
        if (std::find(s.sources.begin(), s.sources.end(), src) != s.sources.end()) return identified(d, fx);
        hint_key_ = "flow.identify.wrong_source";
      }
      return show(fx);
    }
    case StepKind::Pin:
      return show(fx);
    case StepKind::Face:
      fx.push_back({K::StartFace, item_});
      return wait_for(fx, "face");
    case StepKind::Query:
    case StepKind::Submit:
      fx.push_back({K::Platform, s.operation});
      return wait_for(fx, "platform:" + s.operation);
    case StepKind::Print:
      if (d.result.is_null() || !d.result.value("ok", false)) {
        d.print_status = "skipped";
        return next(d, fx);
      }
      fx.push_back({K::Print, s.template_id});
      return wait_for(fx, "print");
    case StepKind::Entry:
      d.inputs[s.field] = "";
      return show(fx);
    case StepKind::Choose:
    case StepKind::Consent:
    case StepKind::Confirm:
    case StepKind::ShowResult:
    case StepKind::Rate:
    case StepKind::End:
      return show(fx);
  }
}

void FlowRun::identified(core::SessionData& d, std::vector<Effect>& fx) {
  source_known_ = true;
  source_ = d.identity.source;
  // A QR e-voucher carries only a token: the platform resolves it to a person first.
  if (d.identity.source == core::IdSource::QrVoucher && d.identity.id_number.empty()) {
    fx.push_back({K::Platform, "voucher_resolve"});
    return wait_for(fx, "platform:voucher_resolve");
  }
  route(d, fx);
}

void FlowRun::route(core::SessionData& d, std::vector<Effect>& fx) {
  auto r = route_for(d.identity, regions_);
  if (!r) {
    phase_ = Phase::Error;
    return error(fx, "flow.error.region_unknown", false);
  }
  d.region_code = r->code;
  d.region_name = r->name;
  d.region_is_insured = r->insured;
  fx.push_back({K::Log, "routed to region " + r->code});
  if (!flow_.open_for(r->code)) {
    phase_ = Phase::NotOpen;
    message_key_ = "flow.not_open.body";
    return show(fx);
  }
  next(d, fx);
}

bool FlowRun::handle(const core::Event& e, core::SessionData& d, std::vector<Effect>& fx) {
  if (finished_ || abandoned_) return false;
  if (auto* a = std::get_if<core::UserAction>(&e)) return on_action(a->id, d, fx);
  if (auto* dev = std::get_if<core::DeviceEvent>(&e)) return on_device(*dev, d, fx);
  if (auto* c = std::get_if<core::Command>(&e)) return on_command(*c, d, fx);
  return false;
}

void FlowRun::back(core::SessionData& d, std::vector<Effect>& fx) {
  if (!d.pin.empty()) core::secure_clear(d.pin);  // leaving the keypad in any direction drops the digits
  pin_len_ = 0;
  if (results_in_) {
    finished_ = true;  // nothing to go back to after a submission: the visit is over
    return;
  }
  if (phase_ == Phase::PinBlocked) {
    finished_ = true;  // no further PIN attempts in this visit
    return;
  }
  if (phase_ == Phase::Waiting) {
    if (waiting_for_ == "face") fx.push_back({K::StopFace, ""});
  }
  for (int j = index_ - 1; j >= 0; --j) {
    if (!applies(flow_.steps[static_cast<std::size_t>(j)])) continue;
    auto k = flow_.steps[static_cast<std::size_t>(j)].kind;
    if (k == StepKind::Consent || k == StepKind::Pin || k == StepKind::Confirm || k == StepKind::Choose ||
        k == StepKind::Entry) {
      index_ = j;
      enter(d, fx);
      return;
    }
  }
  abandoned_ = true;
}

bool FlowRun::on_action(const std::string& id, core::SessionData& d, std::vector<Effect>& fx) {
  if (id == "nav.back") {
    if (verifying_pin()) return true;  // the card is counting this try: wait for its answer
    back(d, fx);
    return true;
  }
  if (phase_ == Phase::PinBlocked) {
    if (id == "flow.finish") finished_ = true;
    return id == "flow.finish";
  }
  if (phase_ == Phase::NotOpen) {
    if (id == "flow.finish") finished_ = true;
    return id == "flow.finish";
  }
  if (phase_ == Phase::Error) {
    if (id == "flow.retry" && can_retry_) {
      enter(d, fx);
      return true;
    }
    if (id == "flow.skip" && can_skip_) {
      if (step().kind == StepKind::Print) d.print_status = "failed";
      next(d, fx);
      return true;
    }
    if (id == "flow.finish") {
      finished_ = true;
      return true;
    }
    return false;
  }
  if (phase_ == Phase::FaceFailed) {
    if (id == "face.retry" && attempts_ < step().max_attempts) {
      enter(d, fx);
      return true;
    }
    if (id == "flow.finish") {
      finished_ = true;
      return true;
    }
    return false;
  }
  if (phase_ == Phase::Waiting) return false;  // nothing to decide while the machine works
  const Step& s = step();
  switch (s.kind) {
    case StepKind::Consent:
      if (id == "consent.agree") return next(d, fx), true;
      if (id == "consent.decline") return abandoned_ = true, true;
      return false;
    case StepKind::Pin:
      if (id.rfind("pin.", 0) == 0 && id.size() == 5 && id[4] >= '0' && id[4] <= '9') {
        if (d.pin.size() < 6) d.pin.push_back(id[4]);
        pin_len_ = d.pin.size();
        return true;
      }
      if (id == "pin.del") {
        if (!d.pin.empty()) d.pin.pop_back();
        pin_len_ = d.pin.size();
        return true;
      }
      if (id == "pin.ok" && d.pin.size() == 6) {
        // The App takes SessionData::pin for the card (and wipes it); only the fact goes to the log.
        phase_ = Phase::Waiting;
        waiting_for_ = "pin";
        fx.push_back({Effect::Kind::VerifyPin, item_});
        fx.push_back({K::Log, "PIN entered; verifying on the social security card"});
        return true;
      }
      return false;
    case StepKind::Confirm:
      if (id == "confirm.submit") return next(d, fx), true;
      return false;
    case StepKind::ShowResult:
      if (id == "flow.next") return next(d, fx), true;
      return false;
    case StepKind::Rate:
      if (id.rfind("rate.", 0) == 0 && id.size() == 6 && id[5] >= '1' && id[5] <= '5') {
        d.rating = id[5] - '0';
        fx.push_back({K::Platform, "rating:" + std::string(1, id[5])});
        return next(d, fx), true;
      }
      if (id == "rate.skip") return next(d, fx), true;
      return false;
    case StepKind::End:
      if (id == "flow.finish") return finished_ = true, true;
      return false;
    case StepKind::Choose:
      if (id.rfind("choose.", 0) == 0 &&
          std::find(s.options.begin(), s.options.end(), id.substr(7)) != s.options.end()) {
        d.inputs[s.field] = id.substr(7);
        return next(d, fx), true;
      }
      return false;
    case StepKind::Entry: {
      std::string v = d.inputs.value(s.field, "");
      if (id.rfind("entry.", 0) == 0 && id.size() == 7 && id[6] >= '0' && id[6] <= '9') {
        if (v.size() < static_cast<std::size_t>(s.max_length)) v.push_back(id[6]);
      } else if (id == "entry.del") {
        if (!v.empty()) v.pop_back();
      } else if (id == "entry.ok" && v.size() >= static_cast<std::size_t>(s.min_length)) {
        return next(d, fx), true;
      } else {
        return false;
      }
      d.inputs[s.field] = v;
      hint_key_.clear();
      return true;
    }
    case StepKind::Identify:
    case StepKind::Face:
    case StepKind::Query:
    case StepKind::Submit:
    case StepKind::Print:
      return false;
  }
  return false;
}

bool FlowRun::on_device(const core::DeviceEvent& ev, core::SessionData& d, std::vector<Effect>& fx) {
  using DK = core::DeviceEvent::Kind;
  if (ev.kind == DK::QrScanned && step().kind == StepKind::Entry && phase_ == Phase::Step) {
    // A number printed as a QR code (e.g. on a 受理回执) fills the entry: letters and digits only.
    const std::string& t = ev.identity.token;
    const bool plausible = !t.empty() && t.size() <= 32 && std::all_of(t.begin(), t.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c));
    });
    if (!plausible) {
      hint_key_ = "flow.entry.bad_qr";
      show(fx);
      return true;
    }
    d.inputs[step().field] = t;
    fx.push_back({K::Log, "entry filled from a scanned code"});
    next(d, fx);
    return true;
  }
  if (is_identity_event(ev)) {
    if (step().kind != StepKind::Identify || phase_ == Phase::Waiting) {
      fx.push_back({K::Log, "card/QR ignored mid-flow"});
      return true;  // one person per visit: a second card does not switch identity
    }
    const std::string src = source_name(ev.identity.source);
    if (std::find(step().sources.begin(), step().sources.end(), src) == step().sources.end()) {
      hint_key_ = "flow.identify.wrong_source";
      phase_ = Phase::Step;
      show(fx);
      return true;
    }
    d.identity.wipe();
    d.identity = ev.identity;
    fx.push_back({K::Identified, core::to_string(ev.identity.source)});
    identified(d, fx);
    return true;
  }
  if (ev.kind == DK::SsCardRemoved) {
    // The card pulled before the service is done: stop and wipe (its PIN/identity must not linger).
    const bool before_results = !results_in_ && step().kind != StepKind::End;
    if (d.identity.source == core::IdSource::SsCard && !d.identity.empty() && before_results) {
      if (waiting_for_ == "face") fx.push_back({K::StopFace, ""});
      notice_ = "notice.card_removed";
      finished_ = true;
      fx.push_back({K::Log, "social security card removed mid-flow; session ends"});
    }
    return true;
  }
  if (ev.kind == DK::IdCardRemoved) return true;
  if (ev.kind == DK::DeviceFault) {
    const std::string& dev = ev.device;
    const bool relevant = (phase_ == Phase::Waiting && waiting_for_ == "face" && dev == "camera") ||
                          (phase_ == Phase::Waiting && waiting_for_ == "print" && dev == "printer") ||
                          (phase_ == Phase::Step && step().kind == StepKind::Identify &&
                           (dev == "idcard" || dev == "sscard" || dev == "scanner"));
    if (!relevant) return false;
    if (dev == "printer") {
      error(fx, "flow.error.printer", true, true);
    } else if (dev == "camera") {
      fx.push_back({K::StopFace, ""});
      error(fx, "flow.error.camera", true);
    } else {
      // Another source may still work: say so on the identify screen.
      hint_key_ = "flow.identify.device_fault";
      show(fx);
    }
    return true;
  }
  return false;
}

bool FlowRun::on_command(const core::Command& c, core::SessionData& d, std::vector<Effect>& fx) {
  if (c.name == "platform.reply") {
    nlohmann::json reply = nlohmann::json::parse(c.arg, nullptr, false);
    if (reply.is_discarded() || !reply.is_object()) {
      fx.push_back({K::Log, "malformed platform.reply ignored"});
      return true;
    }
    const std::string op = reply.value("op", "");
    if (phase_ != Phase::Waiting || waiting_for_ != "platform:" + op) return true;  // late or fire-and-forget
    on_platform(reply, d, fx);
    return true;
  }
  if (c.name == "face.result") {
    if (phase_ != Phase::Waiting || waiting_for_ != "face") return true;
    auto kv = parse_kv(c.arg);
    std::string verdict = c.arg.substr(0, c.arg.find(' '));
    if (verdict == "pass") {
      std::vector<std::string> actions;
      std::istringstream in(kv["actions"]);
      for (std::string a; std::getline(in, a, ',');)
        if (!a.empty()) actions.push_back(a);
      d.face = {{"passed", true},
                {"score", to_double(kv["score"], 0.0)},
                {"quality", to_double(kv["quality"], 0.0)},
                {"actions", actions}};
      fx.push_back({K::Log, "liveness passed"});
      next(d, fx);
    } else if (verdict == "fail") {
      ++attempts_;
      phase_ = Phase::FaceFailed;
      waiting_for_.clear();
      const std::string reason = kv.count("reason") ? kv["reason"] : "not_live";
      message_key_ = attempts_ < step().max_attempts ? "flow.face_failed.retry" : "flow.face_failed.final";
      fx.push_back({K::Log, "liveness failed (" + reason + "), attempt " + std::to_string(attempts_)});
      show(fx);
    } else {
      error(fx, "flow.error.camera", true);
    }
    return true;
  }
  if (c.name == "pin.result") {
    if (!verifying_pin()) return true;  // late (the resident left the step): nothing to do
    on_pin_result(c.arg, d, fx);
    return true;
  }
  if (c.name == "print.result") {
    if (phase_ != Phase::Waiting || waiting_for_ != "print") return true;
    if (c.arg.rfind("printed", 0) == 0) {
      d.print_status = "printed";
      next(d, fx);
    } else {
      error(fx, "flow.error.print", true, true);
    }
    return true;
  }
  return false;
}

void FlowRun::on_platform(const nlohmann::json& reply, core::SessionData& d, std::vector<Effect>& fx) {
  const std::string op = reply.value("op", "");
  const std::string err = reply.value("error", "");
  waiting_for_.clear();
  if (!err.empty()) {
    // Could not reach the platform (offline, timeout, 5xx ...): nothing happened, retrying is safe.
    phase_ = Phase::Step;
    return error(fx, "flow.error.platform", true);
  }
  if (op == "voucher_resolve") {
    if (!reply.value("ok", false)) {
      d.result = reply;
      return error(fx, "flow.error.voucher", false);
    }
    const auto& data = reply.contains("data") ? reply["data"] : nlohmann::json::object();
    d.identity.name = data.value("name", "");
    d.identity.id_number = data.value("id_number", "");
    d.identity.region_code = data.value("insured_region", "");
    d.identity.document = data.value("kind", "") == "e_sscard" ? core::DocumentType::ESsCard
                                                               : core::DocumentType::MedicalVoucher;
    fx.push_back({K::Identified, "qr"});
    return route(d, fx);
  }
  // A query or submission answered (OK or a business refusal: show_result explains either).
  d.result = reply;
  d.transaction_number = reply.value("transaction_number", "");
  results_in_ = results_in_ || step().kind == StepKind::Submit || step().kind == StepKind::Query;
  next(d, fx);
}

void FlowRun::on_pin_result(const std::string& arg, core::SessionData& d, std::vector<Effect>& fx) {
  core::secure_clear(d.pin);  // normally already wiped by the verifier; never kept past the answer
  pin_len_ = 0;
  phase_ = Phase::Step;
  waiting_for_.clear();
  const std::string verdict = arg.substr(0, arg.find(' '));
  const int max = step().max_attempts;
  auto blocked = [&](const char* key, const std::string& why) {
    phase_ = Phase::PinBlocked;
    message_key_ = key;
    hint_key_.clear();
    fx.push_back({K::Log, "PIN " + why + "; no further attempts"});
    show(fx);
  };
  if (verdict == "ok") {
    pin_verified_ = true;
    fx.push_back({K::Log, "PIN verified"});
    return next(d, fx);
  }
  if (verdict == "blocked") return blocked("pin.blocked.body", "blocked on the card");
  if (verdict == "wrong") {
    ++pin_attempts_;
    int tries = -1;
    auto kv = parse_kv(arg);
    if (kv.count("tries")) tries = static_cast<int>(to_double(kv["tries"], -1));
    if (tries == 0) return blocked("pin.blocked.body", "blocked on the card");
    if (pin_attempts_ >= max)
      return blocked("pin.limit.body", "wrong " + std::to_string(pin_attempts_) + " times");
    // What the resident can still try here: the card's counter, capped by this visit's limit.
    int left = max - pin_attempts_;
    if (tries > 0) left = std::min(left, tries);
    hint_key_ = left <= 5 ? "pin.wrong." + std::to_string(left) : "pin.wrong.more";
    fx.push_back({K::Log, "wrong PIN, " + std::to_string(left) + " tries left"});
    return show(fx);
  }
  if (verdict == "no_card") return error(fx, "pin.error.no_card", true);
  const auto kv = parse_kv(arg);
  fx.push_back({K::Log, "PIN verification failed: " + (kv.count("reason") ? kv.at("reason") : verdict)});
  error(fx, "pin.error.card", true);
}

bool FlowRun::applies(const Step& s) const {
  static const std::vector<std::string> kSsCardOnly = {"sscard"};
  const std::vector<std::string>& only = s.kind == StepKind::Pin ? kSsCardOnly : s.only_for;
  if (!only.empty()) {
    if (source_known_)
      return std::find(only.begin(), only.end(), source_name(source_)) != only.end() &&
             !(s.skip_if_verified && pin_verified_);
    // Not identified yet (step indicator only): counted if every accepted source qualifies.
    for (auto& st : flow_.steps)
      if (st.kind == StepKind::Identify)
        for (auto& src : st.sources)
          if (std::find(only.begin(), only.end(), src) == only.end()) return false;
  }
  return !(s.skip_if_verified && pin_verified_);
}

bool FlowRun::counted(const Step& s) const {
  if (s.kind == StepKind::End || !applies(s)) return false;
  // An SS card holder's PIN step stands in for the skip_if_verified steps: count the path they will take.
  if (s.skip_if_verified && source_known_ && source_ == core::IdSource::SsCard)
    return std::none_of(flow_.steps.begin(), flow_.steps.end(),
                        [](const Step& x) { return x.kind == StepKind::Pin; });
  return true;
}

int FlowRun::step_number() const {
  int n = 0;
  for (int j = 0; j <= index_ && j < static_cast<int>(flow_.steps.size()); ++j) {
    if (counted(flow_.steps[static_cast<std::size_t>(j)])) ++n;
  }
  return std::max(1, n);
}

int FlowRun::step_count() const {
  int n = 0;
  for (auto& s : flow_.steps)
    if (counted(s)) ++n;
  return std::max(n, step_number());
}

std::unique_ptr<core::ActiveFlow> FlowLibrary::create(const std::string& item_code) const {
  const Flow* f = flows_.for_item(item_code);
  if (!f) return nullptr;
  return std::make_unique<FlowRun>(*f, item_code, regions_);
}

}  // namespace kiosk::flow
