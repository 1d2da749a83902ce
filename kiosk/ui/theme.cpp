#include "kiosk/ui/theme.hpp"

#include <algorithm>
#include <cmath>

namespace kiosk::ui {

double relative_luminance(Rgb c) {
  auto ch = [](std::uint8_t v) {
    double s = v / 255.0;
    return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
}

double contrast_ratio(Rgb a, Rgb b) {
  double la = relative_luminance(a), lb = relative_luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

double Theme::em_mm(FontRole r) const {
  switch (r) {
    case FontRole::Small:
      return elder ? 7.0 : 5.6;
    case FontRole::Body:
      return elder ? 9.6 : 7.0;
    case FontRole::Label:
      return elder ? 11.0 : 8.8;
    case FontRole::Title:
      return elder ? 16.0 : 14.0;
  }
  return 7.0;
}

std::vector<ColorPair> Theme::text_pairs() const {
  const Palette& p = colors;
  return {
      {"text/background", p.text, p.background},
      {"muted/background", p.muted, p.background},
      {"bar_text/bar", p.bar_text, p.bar},
      {"tile_text/tile", p.tile_text, p.tile},
      {"text/tile", p.text, p.tile},
      {"muted/tile", p.muted, p.tile},
      {"primary_text/primary", p.primary_text, p.primary},
      {"secondary_text/secondary", p.secondary_text, p.secondary},
      {"danger_text/danger", p.danger_text, p.danger},
      {"badge_text/badge", p.badge_text, p.badge},
      {"countdown_text/countdown", p.countdown_text, p.countdown},
      {"text/panel", p.text, p.panel},
      {"muted/panel", p.muted, p.panel},
  };
}

std::vector<ColorPair> Theme::border_pairs() const {
  const Palette& p = colors;
  return {{"tile_border/background", p.tile_border, p.background},
          {"primary/background", p.primary, p.background},
          {"danger/background", p.danger, p.background},
          {"secondary border/background", p.tile_border, p.background}};
}

}  // namespace kiosk::ui
