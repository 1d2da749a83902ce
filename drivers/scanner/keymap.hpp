// Keyboard-wedge scanners "type" their payload. This turns key presses (HID usage IDs, USB HID Usage
// Tables §10 Keyboard/Keypad page 0x07) into characters for the layout the scanner was set to, and maps
// Linux evdev key codes onto the same usages. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::scanner {

enum class Layout { Us, De, Fr };

// "us", "de", "fr" (case-insensitive); nullopt for anything else.
std::optional<Layout> parse_layout(std::string_view name);
const char* to_string(Layout l);

// Modifier bits as in the boot keyboard report's first byte.
namespace mod {
inline constexpr std::uint8_t LCtrl = 0x01, LShift = 0x02, LAlt = 0x04, LGui = 0x08, RCtrl = 0x10,
                              RShift = 0x20, RAlt = 0x40, RGui = 0x80;
}

// Usage IDs with a meaning beyond "a character".
namespace usage {
inline constexpr std::uint8_t Enter = 0x28, Escape = 0x29, Backspace = 0x2A, Tab = 0x2B, CapsLock = 0x39,
                              NumLock = 0x53, KpEnter = 0x58, Kp1 = 0x59, Kp0 = 0x62, LeftCtrl = 0xE0,
                              RightGui = 0xE7;
}

struct KeyState {
  bool shift = false;
  bool altgr = false;  // right Alt (or Ctrl+Alt)
  bool caps = false;
};

// UTF-8 text the key produces, or empty for keys without a character (F-keys, arrows, modifiers...).
// Enter/Tab are not characters here: callers treat them as terminators.
std::string key_to_utf8(Layout layout, std::uint8_t usage, const KeyState& state);

// Keypad digit 0-9 for Alt+numpad entry, or -1.
int keypad_digit(std::uint8_t usage);

// Linux KEY_* code → HID usage (0 when the key has no usage we handle).
std::uint8_t evdev_to_usage(std::uint16_t evdev_code);

}  // namespace kiosk::scanner
