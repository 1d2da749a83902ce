#include "kiosk/ui/painter.hpp"

#include <SDL.h>
#include <imgui.h>

#include "kiosk/core/utf8.hpp"

namespace kiosk::ui {

namespace {
constexpr std::int64_t kRepeatIgnoreMs = 500;
}

Painter::Painter(const Theme& theme, FontSet& fonts, TtfFallback* ttf, UiMap& map, std::int64_t now_ms,
                 std::map<std::string, std::int64_t>& last_activation)
    : theme_(theme),
      fonts_(fonts),
      ttf_(ttf),
      map_(map),
      now_ms_(now_ms),
      last_activation_(last_activation) {}

ImDrawList* Painter::dl() const {
  return ImGui::GetWindowDrawList();
}

float Painter::line_height(FontRole role) const {
  return fonts_.size_px(role);
}

float Painter::text_width(FontRole role, const std::string& s) const {
  ImFont* f = fonts_.font(role);
  return f->CalcTextSizeA(fonts_.size_px(role), FLT_MAX, 0, s.c_str()).x;
}

float Painter::text_height(FontRole role, const std::string& s, float wrap_px) const {
  ImFont* f = fonts_.font(role);
  return f->CalcTextSizeA(fonts_.size_px(role), FLT_MAX, wrap_px, s.c_str()).y;
}

float Painter::text(FontRole role, float x, float y, const std::string& s, Rgb fg, Rgb bg, float wrap_px) {
  ImFont* f = fonts_.font(role);
  float size = fonts_.size_px(role);
  UiText rec{s, fonts_.em_px(role), fg, bg, {}, {}};
  ImVec2 sz;
  if (ttf_ && has_supplementary(s)) {
    // Debian's ImGui cannot draw code points above U+FFFF: SDL_ttf renders this run instead.
    auto t = ttf_->get(s, static_cast<int>(fonts_.em_px(role)), fg.imgui());
    if (t.tex) {
      dl()->AddImage(static_cast<ImTextureID>(t.tex), ImVec2(x, y),
                     ImVec2(x + static_cast<float>(t.w), y + static_cast<float>(t.h)));
      sz = ImVec2(static_cast<float>(t.w), static_cast<float>(t.h));
    } else {
      rec.missing.push_back(0x10000);
    }
  } else {
    for (char32_t c : core::utf8_decode(s))
      if (c >= 0x20 && c <= 0xFFFF && !f->FindGlyphNoFallback(static_cast<ImWchar>(c)))
        rec.missing.push_back(c);
    if (!rec.missing.empty()) fonts_.request(s);  // appears one frame later, once the atlas is rebuilt
    dl()->AddText(f, size, ImVec2(x, y), fg.imgui(), s.c_str(), nullptr, wrap_px);
    sz = f->CalcTextSizeA(size, FLT_MAX, wrap_px, s.c_str());
  }
  rec.box = {x, y, x + sz.x, y + sz.y};
  map_.texts.push_back(std::move(rec));
  return sz.y;
}

void Painter::text_in(FontRole role, const Box& b, const std::string& s, Rgb fg, Rgb bg, bool center_x) {
  float pad = theme_.px(2.0);
  float wrap = b.w() - 2 * pad;
  ImFont* f = fonts_.font(role);
  float size = fonts_.size_px(role);
  ImVec2 sz = f->CalcTextSizeA(size, FLT_MAX, wrap, s.c_str());
  float y = b.y0 + (b.h() - sz.y) / 2;
  if (!center_x || sz.x >= wrap - 1) {
    text(role, b.x0 + pad + (center_x ? (wrap - sz.x) / 2 : 0), y, s, fg, bg, wrap);
    return;
  }
  text(role, b.x0 + (b.w() - sz.x) / 2, y, s, fg, bg, wrap);
}

void Painter::fill(const Box& b, Rgb c, float rounding_mm, float alpha) {
  std::uint32_t col = c.imgui();
  col = (col & 0x00FFFFFFu) | (static_cast<std::uint32_t>(alpha * 255.0f) << 24);
  dl()->AddRectFilled(ImVec2(b.x0, b.y0), ImVec2(b.x1, b.y1), col, theme_.px(rounding_mm));
}

void Painter::border(const Box& b, Rgb c, float rounding_mm, float thickness_mm) {
  dl()->AddRect(ImVec2(b.x0, b.y0), ImVec2(b.x1, b.y1), c.imgui(), theme_.px(rounding_mm), 0,
                theme_.px(thickness_mm));
}

bool Painter::button(const std::string& id, const Box& b, const std::string& label, ButtonStyle style,
                     FontRole role) {
  const Palette& p = theme_.colors;
  Rgb bg = p.primary, fg = p.primary_text;
  switch (style) {
    case ButtonStyle::Primary:
      break;
    case ButtonStyle::Secondary:
      bg = p.secondary;
      fg = p.secondary_text;
      break;
    case ButtonStyle::Danger:
      bg = p.danger;
      fg = p.danger_text;
      break;
    case ButtonStyle::Tile:
      bg = p.tile;
      fg = p.tile_text;
      break;
  }
  // Hovered and active look the same as normal: on touch, hover sticks after a tap.
  fill(b, bg, 2.0f);
  if (style == ButtonStyle::Secondary || style == ButtonStyle::Tile) border(b, p.tile_border, 2.0f, 0.6f);
  text_in(role, b, label, fg, bg);
  if (!interactive_) return false;
  map_.widgets.push_back({id, label, b});
  ImGui::SetCursorScreenPos(ImVec2(b.x0, b.y0));
  bool clicked = ImGui::InvisibleButton(id.c_str(), ImVec2(b.w(), b.h()));
  if (!clicked) return false;
  auto it = last_activation_.find(id);
  if (it != last_activation_.end() && now_ms_ - it->second < kRepeatIgnoreMs)
    return false;  // tremor double tap
  last_activation_[id] = now_ms_;
  return true;
}

}  // namespace kiosk::ui
