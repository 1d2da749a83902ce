// The reusable on-screen keyboard (kiosk/ui/keyboard.*): key application and mm sizing.
#include <catch2/catch.hpp>

#include "kiosk/ui/keyboard.hpp"

using namespace kiosk::ui;

TEST_CASE("keyboard keys edit the text, OK and shift are reported", "[tech][keyboard]") {
  std::string s;
  KeyboardState st;
  CHECK(apply_key("kb.Z", "kb", s, st) == KeyResult::Edited);
  CHECK(apply_key("kb.Z", "kb", s, st) == KeyResult::Edited);
  CHECK(apply_key("kb.minus", "kb", s, st) == KeyResult::Edited);
  CHECK(apply_key("kb.4", "kb", s, st) == KeyResult::Edited);
  CHECK(s == "ZZ-4");
  CHECK(apply_key("kb.shift", "kb", s, st) == KeyResult::Shift);
  CHECK_FALSE(st.upper);
  for (auto k : {"h", "dot", "colon", "slash"}) apply_key(std::string("kb.") + k, "kb", s, st);
  CHECK(s == "ZZ-4h.:/");
  CHECK(apply_key("kb.bksp", "kb", s, st) == KeyResult::Edited);
  CHECK(s == "ZZ-4h.:");
  CHECK(apply_key("kb.ok", "kb", s, st) == KeyResult::Ok);
  CHECK(apply_key("other.A", "kb", s, st) == KeyResult::NotMine);
  CHECK(apply_key("kbA", "kb", s, st) == KeyResult::NotMine);
  CHECK(apply_key("kb.nonsense", "kb", s, st) == KeyResult::NotMine);
  CHECK(s == "ZZ-4h.:");
}

TEST_CASE("backspace removes a whole UTF-8 character; the length cap holds", "[tech][keyboard]") {
  std::string s = "郑州";
  KeyboardState st;
  CHECK(apply_key("kb.bksp", "kb", s, st) == KeyResult::Edited);
  CHECK(s == "郑");
  CHECK(apply_key("kb.bksp", "kb", s, st) == KeyResult::Edited);
  CHECK(s.empty());
  CHECK(apply_key("kb.bksp", "kb", s, st) == KeyResult::Unchanged);
  s = "123";
  CHECK(apply_key("kb.4", "kb", s, st, 3) == KeyResult::Unchanged);
  CHECK(s == "123");
}

TEST_CASE("keys are at least 10 mm with 5 mm gaps, also when fitted into a small area", "[tech][keyboard]") {
  Theme t;
  t.mm_per_px = 0.248;
  for (auto layout : {KeyboardLayout::Text, KeyboardLayout::Digits}) {
    auto m = keyboard_fit(t, layout, t.px(120), t.px(40));
    CHECK(m.key_mm >= 10.0);
    CHECK(m.gap_mm >= 5.0);
    auto big = keyboard_fit(t, layout, t.px(400), t.px(200), 15.0);
    CHECK(big.key_mm == Approx(15.0));
    // Width follows the key size: a 13-unit text row at 15 mm keys and 5 mm gaps is 255 mm.
    if (layout == KeyboardLayout::Text)
      CHECK(t.mm(keyboard_width(t, layout, big)) == Approx(255.0).epsilon(0.01));
    CHECK(t.mm(keyboard_height(t, layout, KeyboardMetrics{5.0, 1.0})) >= 4 * 10.0 + 3 * 5.0 - 0.01);
  }
}
