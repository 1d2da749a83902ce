#include "kiosk/ui/ui_map.hpp"

#include <cstdio>

#include "kiosk/core/utf8.hpp"

namespace kiosk::ui {

namespace {
std::string fmt_mm(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f mm", v);
  return b;
}
}  // namespace

std::vector<std::string> check_frame(const UiMap& map, const Theme& theme) {
  std::vector<std::string> v;
  for (auto& t : map.texts) {
    double em = theme.mm(t.em_px);
    if (em + 1e-6 < theme.min_text_mm())
      v.push_back("text '" + t.text + "' is " + fmt_mm(em) + " (< " + fmt_mm(theme.min_text_mm()) + ")");
    double cr = contrast_ratio(t.fg, t.bg);
    if (cr < 4.5) v.push_back("text '" + t.text + "' contrast " + std::to_string(cr) + " < 4.5");
    for (char32_t c : t.missing) {
      char b[16];
      std::snprintf(b, sizeof b, "U+%04X", static_cast<unsigned>(c));
      v.push_back("text on " + map.screen + " has a glyph the font lacks: " + b);
    }
  }
  for (std::size_t i = 0; i < map.widgets.size(); ++i) {
    auto& w = map.widgets[i];
    if (theme.mm(w.box.w()) + 1e-6 < theme.min_target_mm() ||
        theme.mm(w.box.h()) + 1e-6 < theme.min_target_mm())
      v.push_back("target " + w.id + " is " + fmt_mm(theme.mm(w.box.w())) + " x " +
                  fmt_mm(theme.mm(w.box.h())));
    for (std::size_t j = i + 1; j < map.widgets.size(); ++j) {
      auto& o = map.widgets[j];
      Box grown{
          w.box.x0 - theme.px(theme.min_gap_mm()) + 0.5f, w.box.y0 - theme.px(theme.min_gap_mm()) + 0.5f,
          w.box.x1 + theme.px(theme.min_gap_mm()) - 0.5f, w.box.y1 + theme.px(theme.min_gap_mm()) - 0.5f};
      if (grown.overlaps(o.box)) v.push_back("targets " + w.id + " and " + o.id + " are closer than 5 mm");
    }
  }
  return v;
}

}  // namespace kiosk::ui
