#include "kiosk/ui/fonts.hpp"

#include <SDL.h>
#include <SDL_ttf.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <imgui.h>
#include <imgui_freetype.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include "kiosk/core/utf8.hpp"
#include "kiosk/ui/atlas_cache.hpp"

namespace kiosk::ui {

namespace {
constexpr int kScFace = 2;  // Noto Sans CJK SC inside NotoSansCJK-Regular.ttc

void add_cps(std::set<char32_t>& set, const std::string& s) {
  for (char32_t c : core::utf8_decode(s))
    if (c >= 0x20 && c <= 0xFFFF && c != 0xFFFD) set.insert(c);
}

std::vector<char> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<char> data(static_cast<std::size_t>(in.tellg()));
  in.seekg(0);
  if (!in.read(data.data(), static_cast<std::streamsize>(data.size())))
    throw std::runtime_error("cannot read " + path);
  return data;
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
  // The TTC (~20 MB) is read only when the atlas is built with FreeType: a cached atlas needs only
  // the face's metrics, which FreeType reads from the file directly.
  std::error_code ec;
  font_size_ = std::filesystem::file_size(path_, ec);
  if (ec) throw std::runtime_error("cannot read font " + path_);
  for (auto& s : ui_texts) add_cps(ui_cps_, s);
  all_cps_ = ui_cps_;
  for (auto& s : all_texts) add_cps(all_cps_, s);
  // The em ratio of the face: imgui_freetype sizes fonts by ascender-descender (REAL_DIM).
  FT_Library lib;
  FT_Face face;
  if (FT_Init_FreeType(&lib) == 0) {
    if (FT_New_Face(lib, path_.c_str(), kScFace, &face) == 0) {
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

namespace {
constexpr int kLineUvs = IM_DRAWLIST_TEX_LINES_WIDTH_MAX + 1;
}

std::uint64_t FontSet::cache_key(const Theme& theme) const {
  KeyHasher h;
  h.add(std::string_view("kiosk-atlas-2")).add(path_).add(std::uint64_t{static_cast<std::uint64_t>(kScFace)});
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(path_, ec);
  h.add(static_cast<std::uint64_t>(mtime.time_since_epoch().count()))
      .add(static_cast<std::uint64_t>(font_size_));
  h.add(std::uint64_t{IMGUI_VERSION_NUM})
      .add(std::uint64_t{sizeof(ImFontGlyph)})
      .add(std::uint64_t{kLineUvs});
  h.add(std::uint64_t{theme.elder ? 1u : 0u});
  for (float s : sizes_) {
    std::uint32_t bits;
    std::memcpy(&bits, &s, 4);
    h.add(std::uint64_t{bits});
  }
  for (auto& r : ranges_)
    h.add(std::string_view(reinterpret_cast<const char*>(r.data()), r.size() * sizeof(unsigned short)));
  return h.value();
}

bool FontSet::load_cache(const std::string& file, std::uint64_t key) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return false;
  AtlasCache c;
  try {
    auto bytes = read_whole_file(file);
    c = decode_atlas_cache(std::string_view(bytes.data(), bytes.size()));
  } catch (const std::exception& e) {  // AtlasCacheError, or the file vanished
    spdlog::warn("font cache {} ignored: {}", file, e.what());
    return false;
  }
  if (c.key != key || c.fonts.size() != kFontRoles || static_cast<int>(c.uv_lines.size()) != kLineUvs)
    return false;  // stale: font, texts, sizes or ImGui changed
  ImFontAtlas* at = ImGui::GetIO().Fonts;
  at->Clear();
  at->Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight | ImFontAtlasFlags_NoMouseCursors;
  at->TexWidth = c.width;
  at->TexHeight = c.height;
  at->TexUvScale = ImVec2(c.uv_scale[0], c.uv_scale[1]);
  at->TexUvWhitePixel = ImVec2(c.uv_white[0], c.uv_white[1]);
  for (int i = 0; i < kLineUvs; ++i) {
    auto& l = c.uv_lines[static_cast<std::size_t>(i)];
    at->TexUvLines[i] = ImVec4(l[0], l[1], l[2], l[3]);
  }
  at->TexPixelsAlpha8 = static_cast<unsigned char*>(IM_ALLOC(c.alpha.size()));
  std::memcpy(at->TexPixelsAlpha8, c.alpha.data(), c.alpha.size());
  for (std::size_t i = 0; i < c.fonts.size(); ++i) {
    const CachedFont& cf = c.fonts[i];
    ImFont* f = IM_NEW(ImFont)();
    f->FontSize = cf.size;
    f->Ascent = cf.ascent;
    f->Descent = cf.descent;
    f->ContainerAtlas = at;
    f->Glyphs.resize(static_cast<int>(cf.glyphs.size()));
    for (std::size_t g = 0; g < cf.glyphs.size(); ++g) {
      const CachedGlyph& s = cf.glyphs[g];
      ImFontGlyph& d = f->Glyphs[static_cast<int>(g)];
      d.Colored = s.colored ? 1u : 0u;
      d.Visible = s.visible ? 1u : 0u;
      d.Codepoint = s.codepoint;
      d.AdvanceX = s.advance_x;
      d.X0 = s.x0;
      d.Y0 = s.y0;
      d.X1 = s.x1;
      d.Y1 = s.y1;
      d.U0 = s.u0;
      d.V0 = s.v0;
      d.U1 = s.u1;
      d.V1 = s.v1;
    }
    f->BuildLookupTable();
    at->Fonts.push_back(f);
    fonts_[i] = f;
  }
  at->TexReady = true;
  return true;
}

void FontSet::save_cache(const std::string& file, std::uint64_t key) const {
  ImFontAtlas* at = ImGui::GetIO().Fonts;
  if (!at->TexPixelsAlpha8 || at->Fonts.Size != kFontRoles) return;  // coloured glyphs: RGBA only, not cached
  AtlasCache c;
  c.key = key;
  c.width = at->TexWidth;
  c.height = at->TexHeight;
  c.uv_scale[0] = at->TexUvScale.x;
  c.uv_scale[1] = at->TexUvScale.y;
  c.uv_white[0] = at->TexUvWhitePixel.x;
  c.uv_white[1] = at->TexUvWhitePixel.y;
  for (int i = 0; i < kLineUvs; ++i) {
    const ImVec4& l = at->TexUvLines[i];
    c.uv_lines.push_back({l.x, l.y, l.z, l.w});
  }
  for (ImFont* f : at->Fonts) {
    CachedFont cf{f->FontSize, f->Ascent, f->Descent, {}};
    for (const ImFontGlyph& g : f->Glyphs) {
      if (g.Codepoint == '\t') continue;  // BuildLookupTable() adds the tab glyph itself
      cf.glyphs.push_back({g.Codepoint, g.Visible != 0, g.Colored != 0, g.AdvanceX, g.X0, g.Y0, g.X1, g.Y1,
                           g.U0, g.V0, g.U1, g.V1});
    }
    c.fonts.push_back(std::move(cf));
  }
  c.alpha.assign(at->TexPixelsAlpha8, at->TexPixelsAlpha8 + static_cast<std::size_t>(c.width) *
                                                                static_cast<std::size_t>(c.height));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
  const std::string tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    std::string bytes = encode_atlas_cache(c);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      spdlog::warn("font cache: cannot write {}", tmp);
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, file, ec);  // atomic: a reader sees the old or the new file
  if (ec) spdlog::warn("font cache: cannot store {}: {}", file, ec.message());
}

double FontSet::build(const Theme& theme) {
  auto t0 = std::chrono::steady_clock::now();
  ImGuiIO& io = ImGui::GetIO();
  ranges_.clear();
  ranges_.push_back(to_ranges(ui_cps_, extra_cps_));   // Small, Title
  ranges_.push_back(to_ranges(all_cps_, extra_cps_));  // Body, Label
  for (int i = 0; i < kFontRoles; ++i)
    sizes_[static_cast<std::size_t>(i)] =
        static_cast<float>(theme.px(theme.em_mm(static_cast<FontRole>(i))) / em_ratio_);
  // Only the base set is ever cached: with run-time additions (a resident's rare name characters) the
  // atlas is built in memory and never written.
  const bool cacheable = !cache_dir_.empty() && extra_cps_.empty();
  const std::string file = cache_dir_ + (theme.elder ? "/atlas-elder.bin" : "/atlas-standard.bin");
  const std::uint64_t key = cacheable ? cache_key(theme) : 0;
  from_cache_ = cacheable && load_cache(file, key);
  if (!from_cache_) {
    if (data_.empty()) data_ = read_whole_file(path_);
    io.Fonts->Clear();
    io.Fonts->FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
    io.Fonts->TexDesiredWidth = 4096;
    io.Fonts->Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight | ImFontAtlasFlags_NoMouseCursors;
    for (int i = 0; i < kFontRoles; ++i) {
      auto role = static_cast<FontRole>(i);
      ImFontConfig cfg;
      cfg.FontDataOwnedByAtlas = false;
      cfg.FontNo = kScFace;
      cfg.OversampleH = cfg.OversampleV = 1;
      cfg.PixelSnapH = true;
      const auto& r = (role == FontRole::Body || role == FontRole::Label) ? ranges_[1] : ranges_[0];
      fonts_[static_cast<std::size_t>(i)] = io.Fonts->AddFontFromMemoryTTF(
          data_.data(), static_cast<int>(data_.size()), sizes_[static_cast<std::size_t>(i)], &cfg, r.data());
    }
    if (!io.Fonts->Build()) throw std::runtime_error("font atlas build failed");
    if (cacheable) save_cache(file, key);
  }
  atlas_w_ = io.Fonts->TexWidth;
  atlas_h_ = io.Fonts->TexHeight;
  dirty_ = false;
  elder_ = theme.elder;
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  spdlog::debug("font atlas {}x{}, {} glyph code points, {} in {:.1f} ms", atlas_w_, atlas_h_, glyph_count(),
                from_cache_ ? "loaded from cache" : "built", ms);
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
