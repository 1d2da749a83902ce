#include "kiosk/ui/fonts.hpp"

#include <SDL.h>
#include <SDL_ttf.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <imgui.h>
#include <imgui_freetype.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include "kiosk/core/utf8.hpp"

namespace kiosk::ui {

namespace {
constexpr int kScFace = 2;  // Noto Sans CJK SC inside NotoSansCJK-Regular.ttc

void add_cps(std::set<char32_t>& set, const std::string& s) {
  for (char32_t c : core::utf8_decode(s))
    if (c >= 0x20 && c <= 0xFFFF && c != 0xFFFD) set.insert(c);
}

std::vector<unsigned short> to_ranges(const std::set<char32_t>& a, const std::set<char32_t>& b) {
  std::set<char32_t> all = a;
  all.insert(b.begin(), b.end());
  for (char32_t c = 0x20; c < 0x7F; ++c) all.insert(c);  // ASCII always
  for (char32_t c : std::u32string_view(U"，。：；！？、（）“”《》—…·￥％／＊０１２３４５６７８９"))
    all.insert(c);
  all.insert(0xFFFD);
  std::vector<unsigned short> r;
  for (char32_t c : all) {
    if (!r.empty() && r.back() + 1u == c) {
      r.back() = static_cast<unsigned short>(c);
    } else {
      r.push_back(static_cast<unsigned short>(c));
      r.push_back(static_cast<unsigned short>(c));
    }
  }
  r.push_back(0);
  return r;
}
}  // namespace

std::string default_font_path() {
  for (const char* p : {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                        "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"})
    if (std::filesystem::exists(p)) return p;
  throw std::runtime_error("Noto Sans CJK not found: install fonts-noto-cjk");
}

FontSet::FontSet(std::string font_path, std::vector<std::string> ui_texts, std::vector<std::string> all_texts)
    : path_(std::move(font_path)) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read font " + path_);
  data_.assign(std::istreambuf_iterator<char>(in), {});
  for (auto& s : ui_texts) add_cps(ui_cps_, s);
  all_cps_ = ui_cps_;
  for (auto& s : all_texts) add_cps(all_cps_, s);
  // The em ratio of the face: imgui_freetype sizes fonts by ascender-descender (REAL_DIM).
  FT_Library lib;
  FT_Face face;
  if (FT_Init_FreeType(&lib) == 0) {
    if (FT_New_Memory_Face(lib, reinterpret_cast<const FT_Byte*>(data_.data()),
                           static_cast<FT_Long>(data_.size()), kScFace, &face) == 0) {
      em_ratio_ = static_cast<double>(face->units_per_EM) / (face->ascender - face->descender);
      FT_Done_Face(face);
    }
    FT_Done_FreeType(lib);
  }
}

bool FontSet::request(const std::string& utf8) {
  bool added = false;
  for (char32_t c : core::utf8_decode(utf8)) {
    if (c < 0x20 || c > 0xFFFF) continue;
    if (all_cps_.count(c) || extra_cps_.count(c)) continue;
    extra_cps_.insert(c);
    added = true;
  }
  dirty_ = dirty_ || added;
  return added;
}

void FontSet::reset_extra() {
  if (extra_cps_.empty()) return;
  extra_cps_.clear();
  dirty_ = true;
}

std::size_t FontSet::glyph_count() const {
  return all_cps_.size() + extra_cps_.size();
}

double FontSet::build(const Theme& theme) {
  auto t0 = std::chrono::steady_clock::now();
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  io.Fonts->FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
  io.Fonts->TexDesiredWidth = 4096;
  io.Fonts->Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight;
  ranges_.clear();
  ranges_.push_back(to_ranges(ui_cps_, extra_cps_));   // Small, Title
  ranges_.push_back(to_ranges(all_cps_, extra_cps_));  // Body, Label
  for (int i = 0; i < kFontRoles; ++i) {
    auto role = static_cast<FontRole>(i);
    ImFontConfig cfg;
    cfg.FontDataOwnedByAtlas = false;
    cfg.FontNo = kScFace;
    cfg.OversampleH = cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    float em = theme.px(theme.em_mm(role));
    sizes_[static_cast<std::size_t>(i)] = static_cast<float>(em / em_ratio_);
    const auto& r = (role == FontRole::Body || role == FontRole::Label) ? ranges_[1] : ranges_[0];
    fonts_[static_cast<std::size_t>(i)] = io.Fonts->AddFontFromMemoryTTF(
        data_.data(), static_cast<int>(data_.size()), sizes_[static_cast<std::size_t>(i)], &cfg, r.data());
  }
  if (!io.Fonts->Build()) throw std::runtime_error("font atlas build failed");
  atlas_w_ = io.Fonts->TexWidth;
  atlas_h_ = io.Fonts->TexHeight;
  dirty_ = false;
  elder_ = theme.elder;
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  spdlog::debug("font atlas {}x{}, {} glyph code points, built in {:.1f} ms", atlas_w_, atlas_h_,
                glyph_count(), ms);
  for (int i = 0; i < kFontRoles; ++i)
    spdlog::debug("font {} size {:.1f} loaded {} glyphs {}", i, sizes_[i], fonts_[i]->IsLoaded(),
                  fonts_[i]->Glyphs.Size);
  return ms;
}

bool has_supplementary(const std::string& utf8) {
  for (unsigned char c : utf8)
    if (c >= 0xF0) return true;
  return false;
}

TtfFallback::~TtfFallback() {
  clear();
  for (auto& [px, f] : fonts_) TTF_CloseFont(f);
}

void TtfFallback::clear() {
  for (auto& [k, t] : cache_)
    if (t.tex) SDL_DestroyTexture(t.tex);
  cache_.clear();
}

TtfFallback::Tex TtfFallback::get(const std::string& utf8, int px, std::uint32_t rgba) {
  std::string key = utf8 + "\x1f" + std::to_string(px) + "\x1f" + std::to_string(rgba);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  if (!TTF_WasInit() && TTF_Init() != 0) return {};
  TTF_Font*& f = fonts_[px];
  if (!f) f = TTF_OpenFontIndex(path_.c_str(), px, kScFace);
  if (!f) return {};
  SDL_Color c{static_cast<Uint8>(rgba & 0xFF), static_cast<Uint8>((rgba >> 8) & 0xFF),
              static_cast<Uint8>((rgba >> 16) & 0xFF), 255};
  SDL_Surface* s = TTF_RenderUTF8_Blended(f, utf8.c_str(), c);
  if (!s) return {};
  Tex t{SDL_CreateTextureFromSurface(renderer_, s), s->w, s->h};
  SDL_FreeSurface(s);
  cache_[key] = t;
  return t;
}

}  // namespace kiosk::ui
