// Drawing helpers over ImGui's draw list that record what they draw into the UiMap. All positions
// in pixels; callers compute them from millimetres through the Theme.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kiosk/ui/fonts.hpp"
#include "kiosk/ui/theme.hpp"
#include "kiosk/ui/ui_map.hpp"

struct ImDrawList;

namespace kiosk::ui {

enum class ButtonStyle { Primary, Secondary, Danger, Tile };

class Painter {
 public:
  Painter(const Theme& theme, FontSet& fonts, TtfFallback* ttf, UiMap& map, std::int64_t now_ms,
          std::map<std::string, std::int64_t>& last_activation);

  // Measures text in a role, wrapped to wrap_px (0 = no wrap).
  float text_width(FontRole role, const std::string& s) const;
  float text_height(FontRole role, const std::string& s, float wrap_px) const;
  float line_height(FontRole role) const;
  // Draws text at (x, y) top-left; returns the height used.
  float text(FontRole role, float x, float y, const std::string& s, Rgb fg, Rgb bg, float wrap_px = 0);
  // Draws text centred (both ways) in a box, wrapping to the box width.
  void text_in(FontRole role, const Box& b, const std::string& s, Rgb fg, Rgb bg, bool center_x = true);
  void fill(const Box& b, Rgb c, float rounding_mm = 0, float alpha = 1.0f);
  void border(const Box& b, Rgb c, float rounding_mm, float thickness_mm);
  // A button: returns true on the release of a tap (ignored if the same id fired < 500 ms ago).
  // Not clickable (drawn only) when interactive_ is false (e.g. under a modal).
  bool button(const std::string& id, const Box& b, const std::string& label, ButtonStyle style,
              FontRole role = FontRole::Label);
  void set_interactive(bool on) { interactive_ = on; }
  const Theme& theme() const { return theme_; }

 private:
  ImDrawList* dl() const;
  const Theme& theme_;
  FontSet& fonts_;
  TtfFallback* ttf_;
  UiMap& map_;
  std::int64_t now_ms_;
  std::map<std::string, std::int64_t>& last_activation_;
  bool interactive_ = true;
};

}  // namespace kiosk::ui
