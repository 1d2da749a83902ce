#include "drivers/scanner/hid_decoder.hpp"

#include <iconv.h>

#include <algorithm>
#include <charconv>

namespace kiosk::scanner {
namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string gbk_to_utf8(std::uint8_t hi, std::uint8_t lo) {
  iconv_t cd = iconv_open("UTF-8", "GBK");
  if (cd == reinterpret_cast<iconv_t>(-1)) return "";
  char in[2] = {static_cast<char>(hi), static_cast<char>(lo)};
  char outbuf[8] = {};
  char* ip = in;
  char* op = outbuf;
  std::size_t il = 2, ol = sizeof outbuf;
  std::size_t rc = iconv(cd, &ip, &il, &op, &ol);
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1) || il != 0) return "";
  return std::string(outbuf, static_cast<std::size_t>(op - outbuf));
}

}  // namespace

std::string alt_code_to_utf8(const std::string& digits) {
  if (digits.empty() || digits.size() > 5) return "";
  unsigned value = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || p != digits.data() + digits.size() || value == 0 || value > 0xFFFF) return "";
  std::string out;
  if (value < 0x100) {
    append_utf8(out, value);  // ASCII / Latin-1
    return out;
  }
  return gbk_to_utf8(static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value & 0xFF));
}

void KeyTranslator::reset() {
  mods_ = 0;
  caps_ = false;
  alt_digits_.clear();
}

void KeyTranslator::key_down(std::uint8_t u, std::vector<Keystroke>& out) {
  if (u >= usage::LeftCtrl && u <= usage::RightGui) {
    mods_ |= static_cast<std::uint8_t>(1u << (u - usage::LeftCtrl));
    return;
  }
  if (u == usage::CapsLock) {
    caps_ = !caps_;
    return;
  }
  const bool left_alt = (mods_ & mod::LAlt) != 0;
  if (left_alt && !ctrl()) {
    if (int d = keypad_digit(u); d >= 0) {
      if (alt_digits_.size() < 6) alt_digits_ += static_cast<char>('0' + d);
      return;
    }
    return;  // Alt+other key: a shortcut, not text
  }
  if (u == usage::Enter || u == usage::KpEnter) {
    out.push_back({Keystroke::Type::Enter, {}});
    return;
  }
  if (u == usage::Tab) {
    out.push_back({Keystroke::Type::Tab, {}});
    return;
  }
  if (ctrl() && !(mods_ & mod::RAlt)) {
    // Control characters some scanners emit as Ctrl+letter: ^M CR, ^J LF, ^I TAB. Others are dropped.
    if (u == 0x10 || u == 0x0D) out.push_back({Keystroke::Type::Enter, {}});
    if (u == 0x0C) out.push_back({Keystroke::Type::Tab, {}});
    return;
  }
  KeyState st;
  st.shift = (mods_ & (mod::LShift | mod::RShift)) != 0;
  st.altgr = (mods_ & mod::RAlt) != 0;
  st.caps = caps_;
  std::string text = key_to_utf8(layout_, u, st);
  if (!text.empty()) out.push_back({Keystroke::Type::Text, std::move(text)});
}

void KeyTranslator::key_up(std::uint8_t u, std::vector<Keystroke>& out) {
  if (u < usage::LeftCtrl || u > usage::RightGui) return;
  mods_ &= static_cast<std::uint8_t>(~(1u << (u - usage::LeftCtrl)));
  if (u == 0xE2 && !alt_digits_.empty()) {  // left Alt released: emit the Alt+numpad character
    std::string text = alt_code_to_utf8(alt_digits_);
    alt_digits_.clear();
    if (!text.empty()) out.push_back({Keystroke::Type::Text, std::move(text)});
  }
}

void HidReportDecoder::reset() {
  keys_.reset();
  prev_mods_ = 0;
  prev_keys_.clear();
}

std::string HidReportDecoder::feed(std::span<const std::uint8_t> report, std::vector<Keystroke>& out) {
  if (report_id_ >= 0) {
    if (report.empty()) return "empty report";
    if (report[0] != report_id_) return "unexpected report id";
    report = report.subspan(1);
  }
  if (report.size() < 3) return "report shorter than 3 bytes";
  if (report.size() > 64) return "report longer than 64 bytes";
  const std::uint8_t mods = report[0];
  std::vector<std::uint8_t> keys;
  for (std::uint8_t k : report.subspan(2)) {
    if (k == 0x01) return {};  // ErrorRollOver: too many keys; keep previous state
    if (k != 0 && std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  // Modifier changes first: a report carries the modifiers that apply to its keys.
  for (int bit = 0; bit < 8; ++bit) {
    const std::uint8_t m = static_cast<std::uint8_t>(1u << bit);
    const auto u = static_cast<std::uint8_t>(usage::LeftCtrl + bit);
    if ((mods & m) && !(prev_mods_ & m)) keys_.key_down(u, out);
    if (!(mods & m) && (prev_mods_ & m)) keys_.key_up(u, out);
  }
  for (std::uint8_t k : prev_keys_)
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys_.key_up(k, out);
  for (std::uint8_t k : keys)
    if (std::find(prev_keys_.begin(), prev_keys_.end(), k) == prev_keys_.end()) keys_.key_down(k, out);
  prev_mods_ = mods;
  prev_keys_ = std::move(keys);
  return {};
}

}  // namespace kiosk::scanner
