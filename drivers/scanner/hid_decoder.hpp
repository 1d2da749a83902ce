// HID keyboard-wedge decoding: boot-keyboard reports (or evdev key events) → keystrokes → characters.
// Pure: no I/O, no clock. Bad reports are rejected with a reason, never a crash.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "drivers/scanner/keymap.hpp"

namespace kiosk::scanner {

struct Keystroke {
  enum class Type { Text, Enter, Tab };
  Type type = Type::Text;
  std::string text;  // UTF-8, Type::Text only
  bool operator==(const Keystroke&) const = default;
};

// Key-level state machine shared by the HID and evdev paths: modifiers, Caps Lock, Alt+numpad codes
// (Alt+65 → 'A'; codes ≥ 256 are GBK double bytes, as Chinese scanners send 汉字: Alt+50403 → 提 ...).
class KeyTranslator {
 public:
  explicit KeyTranslator(Layout layout) : layout_(layout) {}
  void key_down(std::uint8_t usage, std::vector<Keystroke>& out);
  void key_up(std::uint8_t usage, std::vector<Keystroke>& out);
  void reset();
  Layout layout() const { return layout_; }

 private:
  bool ctrl() const { return (mods_ & (mod::LCtrl | mod::RCtrl)) != 0; }
  Layout layout_;
  std::uint8_t mods_ = 0;
  bool caps_ = false;
  std::string alt_digits_;
};

// Converts an Alt+numpad code to UTF-8 (ASCII, Latin-1 for 128..255, GBK for ≥ 256). Empty if invalid.
std::string alt_code_to_utf8(const std::string& digits);

// Interrupt-IN reports of a boot-protocol keyboard: [report id] modifiers reserved key1..key6.
class HidReportDecoder {
 public:
  // report_id < 0: reports carry no report-ID byte.
  explicit HidReportDecoder(Layout layout, int report_id = -1) : keys_(layout), report_id_(report_id) {}
  // Appends the keystrokes this report produces. Returns an empty string if the report was accepted,
  // else the reason it was rejected (state unchanged).
  std::string feed(std::span<const std::uint8_t> report, std::vector<Keystroke>& out);
  void reset();

 private:
  KeyTranslator keys_;
  int report_id_;
  std::uint8_t prev_mods_ = 0;
  std::vector<std::uint8_t> prev_keys_;
};

}  // namespace kiosk::scanner
