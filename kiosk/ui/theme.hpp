// Elder-friendly theme: every size in millimetres (converted with the panel's pixel pitch), every
// text/background pair listed so a unit test can check WCAG contrast (≥ 4.5:1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiosk::ui {

struct Rgb {
  std::uint8_t r, g, b;
  std::uint32_t imgui() const { return 0xFF000000u | (std::uint32_t(b) << 16) | (std::uint32_t(g) << 8) | r; }
};

// WCAG 2.x relative luminance and contrast ratio.
double relative_luminance(Rgb c);
double contrast_ratio(Rgb a, Rgb b);

enum class FontRole { Small, Body, Label, Title };
constexpr int kFontRoles = 4;

struct Palette {
  Rgb background{0xF2, 0xF5, 0xF9};
  Rgb text{0x1B, 0x1F, 0x24};
  Rgb muted{0x3D, 0x47, 0x55};
  Rgb bar{0x0B, 0x4F, 0x9C};
  Rgb bar_text{0xFF, 0xFF, 0xFF};
  Rgb tile{0xFF, 0xFF, 0xFF};
  Rgb tile_text{0x0B, 0x3D, 0x7A};
  Rgb tile_border{0x0B, 0x4F, 0x9C};
  Rgb primary{0x0B, 0x5C, 0xAD};
  Rgb primary_text{0xFF, 0xFF, 0xFF};
  Rgb secondary{0xFF, 0xFF, 0xFF};
  Rgb secondary_text{0x0B, 0x3D, 0x7A};
  Rgb danger{0xB3, 0x26, 0x1E};
  Rgb danger_text{0xFF, 0xFF, 0xFF};
  Rgb badge{0xE3, 0xF2, 0xE6};
  Rgb badge_text{0x1B, 0x5E, 0x20};
  Rgb countdown{0xFF, 0xF1, 0xE0};
  Rgb countdown_text{0x8A, 0x1C, 0x00};
  Rgb panel{0xFF, 0xFF, 0xFF};
  Rgb scrim{0x1B, 0x1F, 0x24};
};

struct ColorPair {
  std::string name;
  Rgb fg, bg;
};

struct Theme {
  double mm_per_px = 0.248;
  bool elder = false;
  Palette colors;

  // Em heights in mm per font role (checklist §1.8: body ≥ 7 mm, elder ≥ 9.6 mm, nothing < 5.2 mm).
  double em_mm(FontRole r) const;
  double min_text_mm() const { return 5.2; }
  double min_target_mm() const { return 10.0; }
  double min_gap_mm() const { return 5.0; }
  double primary_height_mm() const { return elder ? 24.0 : 20.0; }

  float px(double mm) const { return static_cast<float>(mm / mm_per_px); }
  double mm(float px) const { return px * mm_per_px; }

  // Every text-on-background combination the screens use.
  std::vector<ColorPair> text_pairs() const;
  // Non-text pairs (borders against their surroundings) that need ≥ 3:1.
  std::vector<ColorPair> border_pairs() const;
};

}  // namespace kiosk::ui
