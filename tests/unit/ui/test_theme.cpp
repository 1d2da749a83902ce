#include <catch2/catch.hpp>

#include "kiosk/ui/theme.hpp"

using namespace kiosk::ui;

TEST_CASE("WCAG contrast formula matches known values") {
  CHECK(contrast_ratio({0, 0, 0}, {255, 255, 255}) == Approx(21.0));
  CHECK(contrast_ratio({255, 255, 255}, {255, 255, 255}) == Approx(1.0));
  CHECK(contrast_ratio({0x77, 0x77, 0x77}, {255, 255, 255}) == Approx(4.48).epsilon(0.01));
}

TEST_CASE("every text/background pair of the theme reaches 4.5:1, borders 3:1") {
  for (bool elder : {false, true}) {
    Theme t;
    t.elder = elder;
    for (auto& p : t.text_pairs()) {
      INFO(p.name);
      CHECK(contrast_ratio(p.fg, p.bg) >= 4.5);
    }
    for (auto& p : t.border_pairs()) {
      INFO(p.name);
      CHECK(contrast_ratio(p.fg, p.bg) >= 3.0);
    }
  }
}

TEST_CASE("sizes meet the elder-friendly checklist in millimetres") {
  Theme t;
  CHECK(t.em_mm(FontRole::Body) >= 7.0);
  CHECK(t.em_mm(FontRole::Small) >= t.min_text_mm());
  CHECK(t.em_mm(FontRole::Title) >= 14.0);
  CHECK(t.primary_height_mm() >= 20.0);
  t.elder = true;
  CHECK(t.em_mm(FontRole::Body) >= 9.6);
  CHECK(t.em_mm(FontRole::Small) >= 5.2);
  // 21.5" FHD: 0.248 mm/px → 7 mm ≈ 28 px.
  Theme s;
  CHECK(s.px(7.0) == Approx(28.2).epsilon(0.01));
}
