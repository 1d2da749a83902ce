#include "kiosk/core/session.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "kiosk/core/search.hpp"

namespace kiosk::core {

const char* to_string(ScreenId s) {
  switch (s) {
    case ScreenId::Home:
      return "home";
    case ScreenId::Category:
      return "category";
    case ScreenId::Guide:
      return "guide";
    case ScreenId::Help:
      return "help";
    case ScreenId::Flow:
      return "flow";
    case ScreenId::Search:
      return "search";
  }
  return "?";
}

const char* to_string(Effect::Kind k) {
  switch (k) {
    case Effect::Kind::ScreenChanged:
      return "screen";
    case Effect::Kind::Speak:
      return "speak";
    case Effect::Kind::WipeSessionData:
      return "wipe";
    case Effect::Kind::CallStaff:
      return "call_staff";
    case Effect::Kind::Identified:
      return "identified";
    case Effect::Kind::Log:
      return "log";
    case Effect::Kind::Platform:
      return "platform";
    case Effect::Kind::StartFace:
      return "start_face";
    case Effect::Kind::StopFace:
      return "stop_face";
    case Effect::Kind::VerifyPin:
      return "verify_pin";
    case Effect::Kind::Print:
      return "print";
  }
  return "?";
}

namespace {
void zero(std::string& s) {
  secure_clear(s);
}
void zero_json(nlohmann::json& j) {
  if (j.is_string()) {
    zero(j.get_ref<std::string&>());
  } else if (j.is_object() || j.is_array()) {
    for (auto& v : j) zero_json(v);
  }
}
}  // namespace

void SessionData::wipe() {
  identity.wipe();
  identity = Identity{};
  item_code.clear();
  zero(region_code);
  zero(region_name);
  region_is_insured = false;
  zero(pin);
  zero_json(face);
  face = nlohmann::json();
  zero_json(result);
  result = nlohmann::json();
  zero(transaction_number);
  print_status.clear();
  rating = 0;
  zero_json(inputs);
  inputs = nlohmann::json::object();
}

std::string Session::screen_name() const {
  if (screen_.id == ScreenId::Flow && flow_) return flow_->screen_name();
  return to_string(screen_.id);
}

Session::Session(const Catalog& catalog, SessionOptions opts, const Clock& clock)
    : catalog_(catalog),
      opts_(std::move(opts)),
      clock_(clock),
      language_(opts_.default_language),
      elder_mode_(opts_.default_elder_mode),
      last_activity_ms_(clock.now_ms()) {}

std::int64_t Session::timeout_ms() const {
  const auto& t = opts_.timeouts;
  int s = t.step_s;
  if (screen_.id == ScreenId::Guide || screen_.id == ScreenId::Help) s = t.reading_s;
  if (screen_.id == ScreenId::Flow && flow_ && flow_->reading()) s = t.reading_s;
  if (elder_mode_) s = std::max(s, t.elder_step_s);
  return static_cast<std::int64_t>(s) * 1000;
}

bool Session::timer_active() const {
  return screen_.id != ScreenId::Home || data_.has_personal() || !notice_.empty();
}

int Session::remaining_s() const {
  if (!timer_active()) return 0;
  std::int64_t left = timeout_ms() - (paused() ? 0 : clock_.now_ms() - last_activity_ms_);
  return static_cast<int>(std::max<std::int64_t>(0, (left + 999) / 1000));
}

void Session::set_busy(bool busy) {
  if (busy_ == busy) return;
  busy_ = busy;
  touch();  // the countdown restarts in full after device or platform work
}

std::int64_t Session::next_deadline_ms() const {
  if (!timer_active() || paused()) return std::numeric_limits<std::int64_t>::max();
  std::int64_t elapsed = clock_.now_ms() - last_activity_ms_;
  std::int64_t left = timeout_ms() - elapsed;
  if (left <= 0) return clock_.now_ms();
  std::int64_t to_next_second = left % 1000 == 0 ? 1000 : left % 1000;
  return clock_.now_ms() + to_next_second;
}

void Session::touch() {
  last_activity_ms_ = clock_.now_ms();
  warning_ = false;
}

std::vector<Effect> Session::tick() {
  std::vector<Effect> fx;
  if (!timer_active() || paused()) return fx;
  std::int64_t left = timeout_ms() - (clock_.now_ms() - last_activity_ms_);
  if (left <= 0) {
    fx.push_back({Effect::Kind::Log, "inactivity timeout on " + std::string(to_string(screen_.id))});
    end_session(fx, true);
  } else if (!warning_ && left <= static_cast<std::int64_t>(opts_.timeouts.warning_s) * 1000) {
    warning_ = true;
    fx.push_back({Effect::Kind::Speak, "timeout.spoken"});
  }
  return fx;
}

void Session::go(std::vector<Effect>& fx, ScreenState s, bool push) {
  if (push) back_.push_back(screen_);
  screen_ = std::move(s);
  touch();
  fx.push_back({Effect::Kind::ScreenChanged, to_string(screen_.id)});
  switch (screen_.id) {
    case ScreenId::Home:
      break;
    case ScreenId::Category:
      break;
    case ScreenId::Guide:
      fx.push_back({Effect::Kind::Speak, "guide.spoken"});
      break;
    case ScreenId::Help:
      fx.push_back({Effect::Kind::Speak, "help.spoken"});
      break;
    case ScreenId::Flow:
      // Entering a flow, the flow speaks its first screen itself; coming back (from help) we repeat it.
      if (flow_ && !push) fx.push_back({Effect::Kind::Speak, flow_->spoken_key()});
      break;
    case ScreenId::Search:
      if (push) fx.push_back({Effect::Kind::Speak, "search.spoken"});
      break;
  }
}

void Session::after_flow(std::vector<Effect>& fx, bool was_paused) {
  if (!flow_) return;
  if (was_paused != paused()) touch();  // the countdown restarts in full after device/platform work
  if (flow_->finished()) {
    std::string notice = flow_->abort_notice();
    end_session(fx, true);
    notice_ = notice;
    if (!notice_.empty()) fx.push_back({Effect::Kind::Speak, notice_ + "_spoken"});
  } else if (flow_->abandoned()) {
    flow_.reset();
    while (!back_.empty() && back_.back().id == ScreenId::Help) back_.pop_back();
    ScreenState prev = back_.empty() ? ScreenState{} : back_.back();
    if (!back_.empty()) back_.pop_back();
    go(fx, prev, false);
  }
}

void Session::end_session(std::vector<Effect>& fx, bool reset_preferences) {
  if (flow_ && flow_->busy()) fx.push_back({Effect::Kind::StopFace, ""});
  flow_.reset();
  notice_.clear();
  data_.wipe();
  fx.push_back({Effect::Kind::WipeSessionData, ""});
  back_.clear();
  staff_called_ = false;
  extensions_used_ = 0;
  if (reset_preferences) {
    language_ = opts_.default_language;
    elder_mode_ = opts_.default_elder_mode;
  }
  go(fx, ScreenState{}, false);
}

int Session::items_per_page() const {
  if (screen_.id == ScreenId::Search)
    return std::max(1, elder_mode_ ? opts_.elder_search_items_per_page : opts_.search_items_per_page);
  return elder_mode_ ? opts_.elder_items_per_page : opts_.items_per_page;
}

const std::string& Session::search_query() const {
  static const std::string empty;
  return screen_.id == ScreenId::Search ? screen_.arg : empty;
}

std::vector<const CatalogItem*> Session::search_results() const {
  if (screen_.id != ScreenId::Search) return {};
  if (search_cache_query_ != screen_.arg || (search_cache_.empty() && !screen_.arg.empty())) {
    search_cache_.clear();
    for (auto& h : search_catalog(catalog_, screen_.arg)) search_cache_.push_back(h.item);
    search_cache_query_ = screen_.arg;
  }
  return search_cache_;
}

int Session::page_count() const {
  int n = 0;
  if (screen_.id == ScreenId::Category)
    n = static_cast<int>(catalog_.items_in(screen_.arg).size());
  else if (screen_.id == ScreenId::Search)
    n = static_cast<int>(search_results().size());
  else
    return 0;
  return std::max(1, (n + items_per_page() - 1) / items_per_page());
}

std::vector<const CatalogItem*> Session::page_items() const {
  std::vector<const CatalogItem*> out;
  if (screen_.id != ScreenId::Category && screen_.id != ScreenId::Search) return out;
  auto all = screen_.id == ScreenId::Search ? search_results() : catalog_.items_in(screen_.arg);
  const std::size_t per = static_cast<std::size_t>(items_per_page());
  std::size_t from = static_cast<std::size_t>(screen_.page) * per;
  for (std::size_t i = from; i < all.size() && i < from + per; ++i) out.push_back(all[i]);
  return out;
}

std::vector<Effect> Session::handle(const Event& e) {
  std::vector<Effect> fx;
  if (flow_) {
    // Session-wide controls stay with the session; everything else goes to the flow first.
    static const char* kSessionActions[] = {"timeout.continue", "nav.staff", "staff.ok",
                                            "nav.help",         "nav.home",  "nav.repeat"};
    bool session_action = false;
    if (auto* a = std::get_if<UserAction>(&e)) {
      for (auto* k : kSessionActions) session_action = session_action || a->id == k;
      if (warning_ && a->id != "timeout.continue" && a->id != "nav.staff") return fx;
      // On the help screen the flow waits; back returns to it.
      if (screen_.id != ScreenId::Flow) session_action = true;
    }
    if (!session_action) {
      const bool was_paused = paused();
      if (std::holds_alternative<UserAction>(e)) touch();
      if (flow_->handle(e, data_, fx)) {
        after_flow(fx, was_paused);
        return fx;
      }
    }
  }
  if (auto* a = std::get_if<UserAction>(&e))
    on_action(fx, a->id);
  else if (auto* d = std::get_if<DeviceEvent>(&e))
    on_device(fx, *d);
  else if (auto* c = std::get_if<Command>(&e)) {
    if (c->name == "language" && (c->arg == "zh-CN" || c->arg == "en"))
      language_ = c->arg;
    else if (c->name == "elder")
      elder_mode_ = c->arg == "on";
    else if (c->name == "reset")
      end_session(fx, true);
    else if (c->name == "print.result")
      on_guide_print_result(fx, c->arg);
    else
      fx.push_back({Effect::Kind::Log, "unknown command " + c->name});
  }
  return fx;
}

void Session::on_action(std::vector<Effect>& fx, const std::string& id) {
  // During the timeout warning only its own button (and calling staff) do anything: one decision.
  if (warning_ && id != "timeout.continue" && id != "nav.staff") return;
  if (id == "timeout.continue") {
    if (warning_ && can_extend()) {
      ++extensions_used_;
      touch();
    }
    return;
  }
  touch();
  auto starts_with = [&](const char* p) { return id.rfind(p, 0) == 0; };
  if (on_search_action(fx, id)) return;
  if (id == "nav.back") {
    if (back_.empty()) {
      end_session(fx, false);
    } else {
      ScreenState prev = back_.back();
      back_.pop_back();
      go(fx, prev, false);
      if (prev.id == ScreenId::Home) end_session(fx, false);
    }
  } else if (id == "nav.home") {
    end_session(fx, false);
  } else if (id == "nav.help") {
    if (screen_.id != ScreenId::Help) go(fx, {ScreenId::Help, "", 0}, true);
  } else if (id == "nav.staff") {
    staff_called_ = true;
    fx.push_back({Effect::Kind::CallStaff, to_string(screen_.id)});
    fx.push_back({Effect::Kind::Speak, "staff.spoken"});
  } else if (id == "staff.ok") {
    staff_called_ = false;
  } else if (id == "nav.repeat") {
    if (screen_.id == ScreenId::Flow && flow_)
      fx.push_back({Effect::Kind::Speak, flow_->spoken_key()});
    else
      fx.push_back({Effect::Kind::Speak, std::string(to_string(screen_.id)) + ".spoken"});
  } else if (id == "notice.ok") {
    notice_.clear();
  } else if (id == "guide.start" && screen_.id == ScreenId::Guide && has_flow(screen_.arg)) {
    flow_ = flows_->create(screen_.arg);
    if (!flow_) return;
    data_.item_code = screen_.arg;
    go(fx, {ScreenId::Flow, screen_.arg, 0}, true);
    const bool was_paused = paused();
    flow_->start(data_, fx);
    after_flow(fx, was_paused);
  } else if (id == "nav.prev" && (screen_.id == ScreenId::Category || screen_.id == ScreenId::Search)) {
    if (screen_.page > 0) --screen_.page;
  } else if (id == "nav.next" && (screen_.id == ScreenId::Category || screen_.id == ScreenId::Search)) {
    if (screen_.page + 1 < page_count()) ++screen_.page;
  } else if (id == "home.elder") {
    elder_mode_ = !elder_mode_;
    screen_.page = std::min(screen_.page, std::max(0, page_count() - 1));
  } else if (id == "home.language") {
    language_ = language_ == "en" ? "zh-CN" : "en";
  } else if (starts_with("home.category.")) {
    std::string cat = id.substr(14);
    if (catalog_.category(cat)) go(fx, {ScreenId::Category, cat, 0}, true);
  } else if (starts_with("category.item.")) {
    std::string code = id.substr(14);
    if (catalog_.item(code)) {
      data_.item_code = code;
      go(fx, {ScreenId::Guide, code, 0}, true);
    }
  } else {
    fx.push_back({Effect::Kind::Log, "unhandled action " + id});
  }
}

// Catalog search and the guide slip (issue 9). Returns true if the action was one of them.
bool Session::on_search_action(std::vector<Effect>& fx, const std::string& id) {
  auto starts_with = [&](const char* p) { return id.rfind(p, 0) == 0; };
  if (id == "home.search" || id == "category.search") {
    if (screen_.id != ScreenId::Search) go(fx, {ScreenId::Search, "", 0}, true);
    return true;
  }
  if (id == "guide.print") {
    const CatalogItem* item = screen_.id == ScreenId::Guide ? catalog_.item(screen_.arg) : nullptr;
    if (!item || data_.print_status == "printing") return true;
    data_.item_code = item->code;
    data_.print_status = "printing";
    fx.push_back({Effect::Kind::Print, kGuideSlipTemplate});
    return true;
  }
  if (screen_.id != ScreenId::Search) return false;
  constexpr std::size_t kMaxQuery = 48;  // bytes: 16 Chinese characters or 48 letters
  std::string& q = screen_.arg;
  auto edited = [&] {
    screen_.page = 0;
    return true;
  };
  if (starts_with("search.key.")) {
    // Ids of the on-screen keyboard (kiosk/ui/keyboard.hpp, prefix "search.key").
    std::string key = id.substr(11);
    if (key.size() == 1 && std::isalnum(static_cast<unsigned char>(key[0]))) {
      if (q.size() < kMaxQuery) q += static_cast<char>(std::tolower(static_cast<unsigned char>(key[0])));
      return edited();
    }
    if (key == "bksp" && !q.empty()) {
      std::size_t n = q.size() - 1;
      while (n > 0 && (static_cast<unsigned char>(q[n]) & 0xC0) == 0x80) --n;  // whole UTF-8 character
      q.erase(n);
      return edited();
    }
    return true;  // shift, ok and punctuation keys do nothing here
  }
  if (starts_with("search.word.")) {  // a common word (养老, 社保卡 …): Chinese without an IME
    std::string w = id.substr(12);
    if (q.size() + w.size() <= kMaxQuery) q += w;
    return edited();
  }
  if (id == "search.clear") {
    q.clear();
    return edited();
  }
  if (starts_with("search.result.")) {
    std::string code = id.substr(14);
    if (catalog_.item(code)) {
      data_.item_code = code;
      go(fx, {ScreenId::Guide, code, 0}, true);
    }
    return true;
  }
  return false;
}

void Session::on_guide_print_result(std::vector<Effect>& fx, const std::string& result) {
  if (data_.print_status != "printing") {
    fx.push_back({Effect::Kind::Log, "print.result without a guide slip job"});
    return;
  }
  const bool ok = result.rfind("printed", 0) == 0;
  data_.print_status = ok ? "printed" : "failed";
  notice_ = ok ? "search.slip_printed" : "search.slip_failed";
  fx.push_back({Effect::Kind::Speak, notice_ + "_spoken"});
}

void Session::on_device(std::vector<Effect>& fx, const DeviceEvent& d) {
  using K = DeviceEvent::Kind;
  switch (d.kind) {
    case K::IdCardRead:
    case K::SsCardInserted:
    case K::QrScanned:
      data_.identity.wipe();
      data_.identity = d.identity;
      touch();
      fx.push_back({Effect::Kind::Identified, to_string(d.identity.source)});
      break;
    case K::IdCardRemoved:
      break;  // the ID card may be taken back once read
    case K::SsCardRemoved:
      // Outside a flow the card leaving takes the identity with it.
      if (data_.identity.source == IdSource::SsCard && !data_.identity.empty()) {
        data_.identity.wipe();
        data_.identity = Identity{};
        fx.push_back({Effect::Kind::Log, "social security card removed; identity cleared"});
      }
      break;
    case K::DeviceFault:
    case K::DeviceRecovered:
      fx.push_back({Effect::Kind::Log, std::string(to_string(d.kind)) + " " + d.device + ": " + d.detail});
      break;
  }
}

}  // namespace kiosk::core
