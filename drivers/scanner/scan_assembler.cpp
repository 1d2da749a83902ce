#include "drivers/scanner/scan_assembler.hpp"

namespace kiosk::scanner {

std::optional<Terminator> parse_terminator(std::string_view n) {
  if (n == "enter") return Terminator::Enter;
  if (n == "tab") return Terminator::Tab;
  if (n == "enter_or_tab") return Terminator::EnterOrTab;
  if (n == "none") return Terminator::None;
  return std::nullopt;
}

const char* to_string(Terminator t) {
  switch (t) {
    case Terminator::Enter:
      return "enter";
    case Terminator::Tab:
      return "tab";
    case Terminator::EnterOrTab:
      return "enter_or_tab";
    case Terminator::None:
      return "none";
  }
  return "?";
}

bool ScanAssembler::is_terminator(Keystroke::Type t) const {
  switch (cfg_.terminator) {
    case Terminator::Enter:
      return t == Keystroke::Type::Enter;
    case Terminator::Tab:
      return t == Keystroke::Type::Tab;
    case Terminator::EnterOrTab:
      return t != Keystroke::Type::Text;
    case Terminator::None:
      return false;
  }
  return false;
}

void ScanAssembler::append(std::string_view text, Clock::time_point now) {
  last_input_ = now;
  if (overflowed_) return;
  if (buf_.size() + text.size() > cfg_.max_length) {
    overflowed_ = true;
    buf_.clear();
    return;
  }
  buf_.append(text);
}

std::optional<std::string> ScanAssembler::finish() {
  if (overflowed_) {
    overflowed_ = false;
    buf_.clear();
    ++stats_.overlong;
    return std::nullopt;
  }
  std::string s = std::move(buf_);
  buf_.clear();
  if (!cfg_.prefix.empty() && s.starts_with(cfg_.prefix)) s.erase(0, cfg_.prefix.size());
  if (!cfg_.suffix.empty() && s.ends_with(cfg_.suffix)) s.erase(s.size() - cfg_.suffix.size());
  if (s.empty()) {
    ++stats_.empty;
    return std::nullopt;
  }
  ++stats_.scans;
  return s;
}

std::vector<std::string> ScanAssembler::push(const std::vector<Keystroke>& keys, Clock::time_point now) {
  std::vector<std::string> out;
  if (auto s = poll(now)) out.push_back(std::move(*s));
  for (const auto& k : keys) {
    if (is_terminator(k.type)) {
      last_input_ = now;
      if (auto s = finish()) out.push_back(std::move(*s));
    } else if (k.type == Keystroke::Type::Text) {
      append(k.text, now);
    } else {
      append(k.type == Keystroke::Type::Tab ? "\t" : "\n", now);  // not the terminator: keep it
    }
  }
  return out;
}

std::vector<std::string> ScanAssembler::push_bytes(std::span<const std::uint8_t> bytes,
                                                   Clock::time_point now) {
  std::vector<std::string> out;
  if (auto s = poll(now)) out.push_back(std::move(*s));
  for (std::uint8_t b : bytes) {
    Keystroke::Type t = Keystroke::Type::Text;
    if (b == '\r' || b == '\n') t = Keystroke::Type::Enter;
    if (b == '\t') t = Keystroke::Type::Tab;
    const bool lf_after_cr = (b == '\n' && last_cr_);
    last_cr_ = (b == '\r');
    if (lf_after_cr && is_terminator(t)) continue;  // CRLF is one terminator
    if (is_terminator(t)) {
      last_input_ = now;
      if (auto s = finish()) out.push_back(std::move(*s));
    } else {
      const char c = static_cast<char>(b);
      append(std::string_view(&c, 1), now);
    }
  }
  return out;
}

std::optional<Clock::time_point> ScanAssembler::deadline() const {
  if (!pending()) return std::nullopt;
  return last_input_ + (cfg_.terminator == Terminator::None ? cfg_.idle_gap : cfg_.abandon_after);
}

std::optional<std::string> ScanAssembler::poll(Clock::time_point now) {
  auto d = deadline();
  if (!d || now < *d) return std::nullopt;
  if (cfg_.terminator == Terminator::None) return finish();
  buf_.clear();
  overflowed_ = false;
  ++stats_.abandoned;
  return std::nullopt;
}

}  // namespace kiosk::scanner
