// On-screen keyboard widget: letters (with a case key), digits, '-', '.', ':', '/', backspace and OK,
// every key sized in millimetres through the Theme (≥ 10 mm keys, ≥ 5 mm gaps). Reusable: the caller
// owns the text and the KeyboardState, draws the keyboard each frame, and feeds each tapped widget id
// back through apply_key(). Widget ids are "<prefix>.<key>": a letter/digit itself ("A", "a", "7"), or
// "minus", "dot", "colon", "slash", "shift", "bksp", "ok".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kiosk/ui/painter.hpp"

namespace kiosk::ui {

enum class KeyboardLayout {
  Text,    // 4 rows: digits + '-', QWERTY + '/', ASDF + ':' '.', case/ZXCV/backspace/OK
  Digits,  // phone-style pad: 1-9, '.', 0, backspace, OK (numbers, codes, pitch)
};

struct KeyboardState {
  bool upper = true;  // letters typed (and shown) in upper case
};

struct KeyboardLabels {
  std::string ok = "确定 OK";
  std::string backspace = "删除 Del";
  std::string shift_to_lower = "小写 abc";
  std::string shift_to_upper = "大写 ABC";
};

struct KeyboardMetrics {
  double key_mm = 13.0;  // clamped to ≥ theme.min_target_mm()
  double gap_mm = 5.0;   // clamped to ≥ theme.min_gap_mm()
};

// Width and height in pixels the keyboard will use.
float keyboard_width(const Theme& t, KeyboardLayout layout, KeyboardMetrics m = {});
float keyboard_height(const Theme& t, KeyboardLayout layout, KeyboardMetrics m = {});
// Largest key size (mm, ≥ the theme minimum) whose keyboard fits in width_px and height_px.
KeyboardMetrics keyboard_fit(const Theme& t, KeyboardLayout layout, float width_px, float height_px,
                             double max_key_mm = 16.0);

// Draws the keyboard with its top-left corner at (x, y); pushes each tapped id to `actions`.
// Returns the height used.
float draw_keyboard(Painter& p, float x, float y, const std::string& id_prefix, KeyboardLayout layout,
                    const KeyboardState& state, const KeyboardLabels& labels,
                    std::vector<std::string>& actions, KeyboardMetrics m = {});

enum class KeyResult { NotMine, Edited, Unchanged, Ok, Shift };
// Applies a tapped widget id to `text` (at most max_chars bytes; the keyboard types ASCII only).
// Ids without the prefix return NotMine; "shift" toggles state.upper.
KeyResult apply_key(const std::string& id, const std::string& id_prefix, std::string& text,
                    KeyboardState& state, std::size_t max_chars = 128);

// The character a key id suffix types ('\0' for shift/bksp/ok/unknown).
char key_char(const std::string& key);

}  // namespace kiosk::ui
