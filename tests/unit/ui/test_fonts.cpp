#include <imgui.h>

#include <catch2/catch.hpp>

#include "kiosk/ui/fonts.hpp"

using namespace kiosk::ui;

TEST_CASE("glyph ranges come from our texts, including characters the built-in range misses") {
  ImGui::CreateContext();
  // 豫 冀 粤 渝 are missing from ImGui's ChineseSimplifiedCommon range.
  FontSet fs(default_font_path(), {"河南省 豫", "河北省 冀"}, {"广东省 粤 重庆市 渝"});
  Theme t;
  fs.build(t);
  for (char32_t c : {U'豫', U'冀', U'粤', U'渝', U'A'})
    CHECK(fs.font(FontRole::Body)->FindGlyphNoFallback(static_cast<ImWchar>(c)) != nullptr);
  CHECK(fs.font(FontRole::Title)->FindGlyphNoFallback(static_cast<ImWchar>(U'粤')) ==
        nullptr);  // body-only text
  // A rare name character arrives at run time: requested, rebuilt, then present; dropped at session end.
  CHECK(fs.font(FontRole::Body)->FindGlyphNoFallback(static_cast<ImWchar>(U'䶮')) == nullptr);
  CHECK(fs.request("刘䶮"));
  CHECK(fs.dirty());
  fs.build(t);
  CHECK(fs.font(FontRole::Body)->FindGlyphNoFallback(static_cast<ImWchar>(U'䶮')) != nullptr);
  fs.reset_extra();
  fs.build(t);
  CHECK(fs.font(FontRole::Body)->FindGlyphNoFallback(static_cast<ImWchar>(U'䶮')) == nullptr);
  // Em height follows the theme: 7 mm body at 0.248 mm/px.
  CHECK(fs.em_px(FontRole::Body) * t.mm_per_px == Approx(7.0).epsilon(0.01));
  CHECK(has_supplementary("𠮷"));
  CHECK_FALSE(has_supplementary("吉"));
  ImGui::DestroyContext();
}
