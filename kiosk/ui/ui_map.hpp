// What the last frame showed: every interactive widget (by stable id) and every text run with its
// size and colours. The headless harness taps widgets by id from it, the transcript lists it, and the
// accessibility checks (text size, contrast, target size, missing glyphs) run over it.
#pragma once

#include <string>
#include <vector>

#include "kiosk/ui/theme.hpp"

namespace kiosk::ui {

struct Box {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float w() const { return x1 - x0; }
  float h() const { return y1 - y0; }
  float cx() const { return (x0 + x1) / 2; }
  float cy() const { return (y0 + y1) / 2; }
  bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

struct UiWidget {
  std::string id;
  std::string label;
  Box box;
};

struct UiText {
  std::string text;
  float em_px = 0;
  Rgb fg{}, bg{};
  Box box;
  std::vector<char32_t> missing;  // code points the font could not draw
};

struct UiMap {
  std::string screen;
  std::vector<UiWidget> widgets;
  std::vector<UiText> texts;
  const UiWidget* find(const std::string& id) const {
    for (auto& w : widgets)
      if (w.id == id) return &w;
    return nullptr;
  }
  bool has_text(const std::string& needle) const {
    for (auto& t : texts)
      if (t.text.find(needle) != std::string::npos) return true;
    return false;
  }
};

// Accessibility checks over one frame (checklist §1.8). Returns human-readable violations.
std::vector<std::string> check_frame(const UiMap& map, const Theme& theme);

}  // namespace kiosk::ui
