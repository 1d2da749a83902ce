// Noto Sans CJK SC (fonts-noto-cjk, TTC face 2) at the theme's sizes, with glyph ranges built from the
// texts we ship (ImGui's built-in Chinese range misses 豫 冀 粤 …) plus code points added at run time
// (a resident's rare name characters), rebuilt between frames. Debian's ImGui has 16-bit ImWchar, so
// characters beyond U+FFFF are drawn by SDL_ttf into textures (TtfFallback).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kiosk/ui/theme.hpp"

struct ImFont;
struct SDL_Renderer;
struct SDL_Texture;
typedef struct _TTF_Font TTF_Font;

namespace kiosk::ui {

std::string default_font_path();

class FontSet {
 public:
  // base_texts: every string the UI may show (strings, catalog). Small/Title roles only get
  // ui_texts (short UI strings), Body/Label get everything.
  FontSet(std::string font_path, std::vector<std::string> ui_texts, std::vector<std::string> all_texts);

  // Where the built base atlas is cached (issue 2: cold start); empty = no cache. The cache is written
  // only while no run-time code points are loaded, so it never holds a resident's name characters.
  void set_cache_dir(std::string dir) { cache_dir_ = std::move(dir); }
  // Builds the atlas for the theme (elder or standard sizes), from the cache when it matches.
  // Returns build time in ms.
  double build(const Theme& theme);
  // True if the last build() was served from the cache.
  bool from_cache() const { return from_cache_; }
  ImFont* font(FontRole r) const { return fonts_[static_cast<int>(r)]; }
  // Pixel size passed to ImGui for a role; em px = size * em_ratio().
  float size_px(FontRole r) const { return sizes_[static_cast<int>(r)]; }
  float em_px(FontRole r) const { return sizes_[static_cast<int>(r)] * em_ratio_; }
  double em_ratio() const { return em_ratio_; }

  // Notes code points of text not yet in the atlas; true if a rebuild is needed.
  bool request(const std::string& utf8);
  bool dirty() const { return dirty_; }
  // Drops run-time additions (session end): rare name characters must not linger.
  void reset_extra();
  std::size_t glyph_count() const;
  int atlas_width() const { return atlas_w_; }
  int atlas_height() const { return atlas_h_; }
  bool elder() const { return elder_; }

 private:
  std::string path_;
  std::vector<char> data_;  // the TTC, read on the first FreeType build
  std::uintmax_t font_size_ = 0;
  std::set<char32_t> ui_cps_, all_cps_, extra_cps_;
  std::array<ImFont*, kFontRoles> fonts_{};
  std::array<float, kFontRoles> sizes_{};
  std::vector<std::vector<unsigned short>> ranges_;  // must outlive the atlas build
  double em_ratio_ = 1.0;
  bool dirty_ = true;
  bool elder_ = false;
  bool from_cache_ = false;
  std::string cache_dir_;
  std::uint64_t cache_key(const Theme& theme) const;
  bool load_cache(const std::string& file, std::uint64_t key);
  void save_cache(const std::string& file, std::uint64_t key) const;
  int atlas_w_ = 0, atlas_h_ = 0;
};

// Renders strings containing supplementary-plane characters (𠮷 U+20BB7) with SDL_ttf.
class TtfFallback {
 public:
  TtfFallback(SDL_Renderer* r, std::string font_path) : renderer_(r), path_(std::move(font_path)) {}
  ~TtfFallback();
  struct Tex {
    SDL_Texture* tex = nullptr;
    int w = 0, h = 0;
  };
  // Cached per (text, px, colour). Returns tex == nullptr if SDL_ttf cannot render it.
  Tex get(const std::string& utf8, int px, std::uint32_t rgba);
  void clear();

 private:
  SDL_Renderer* renderer_;
  std::string path_;
  std::map<int, TTF_Font*> fonts_;
  std::map<std::string, Tex> cache_;
};

bool has_supplementary(const std::string& utf8);

}  // namespace kiosk::ui
