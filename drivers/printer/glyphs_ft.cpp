#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

#include "drivers/printer/glyphs.hpp"

namespace kiosk::printer {

std::string default_font_path() {
  return "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
}

namespace {

class FreeTypeGlyphs : public GlyphSource {
 public:
  FreeTypeGlyphs(const std::string& path, int index) {
    if (FT_Init_FreeType(&lib_)) throw std::runtime_error("FreeType init failed");
    if (FT_New_Face(lib_, path.c_str(), index, &face_)) {
      FT_Done_FreeType(lib_);
      throw std::runtime_error("cannot load font " + path);
    }
  }
  ~FreeTypeGlyphs() override {
    FT_Done_Face(face_);
    FT_Done_FreeType(lib_);
  }

  Bitmap glyph(char32_t cp, int w, int h) override {
    auto key = std::make_tuple(cp, w, h);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    Bitmap b(w, h);
    // The em square fills the cell height; ASCII cells are half as wide.
    FT_Set_Pixel_Sizes(face_, 0, static_cast<FT_UInt>(h));
    FT_UInt gi = FT_Get_Char_Index(face_, cp);
    // Proportional Latin glyphs wider than the fixed cell (m, W) are condensed to fit, like a
    // printer's fixed-pitch font, instead of being clipped.
    if (gi != 0 && FT_Load_Glyph(face_, gi, FT_LOAD_DEFAULT) == 0) {
      int adv0 = static_cast<int>(face_->glyph->advance.x >> 6);
      if (adv0 > w)
        FT_Set_Pixel_Sizes(face_, static_cast<FT_UInt>(std::max(1, h * w / adv0)), static_cast<FT_UInt>(h));
    }
    if (gi != 0 && FT_Load_Glyph(face_, gi, FT_LOAD_DEFAULT) == 0 &&
        FT_Render_Glyph(face_->glyph, FT_RENDER_MODE_NORMAL) == 0) {
      const FT_GlyphSlot g = face_->glyph;
      const int ascender = static_cast<int>(face_->size->metrics.ascender >> 6);
      const int descender = static_cast<int>(-(face_->size->metrics.descender >> 6));
      const int baseline = h - (descender * h) / std::max(1, ascender + descender);
      const int adv = static_cast<int>(g->advance.x >> 6);
      const int x0 = (w - adv) / 2 + g->bitmap_left;
      const int y0 = baseline - g->bitmap_top;
      for (unsigned yy = 0; yy < g->bitmap.rows; ++yy)
        for (unsigned xx = 0; xx < g->bitmap.width; ++xx)
          if (g->bitmap.buffer[yy * static_cast<unsigned>(g->bitmap.pitch) + xx] >= 110)
            b.set(x0 + static_cast<int>(xx), y0 + static_cast<int>(yy));
    } else if (cp != U' ') {
      b = BoxGlyphs().glyph(cp, w, h);  // tofu for missing glyphs
    }
    if (cache_.size() > 4096) cache_.clear();
    cache_.emplace(key, b);
    return b;
  }

 private:
  FT_Library lib_ = nullptr;
  FT_Face face_ = nullptr;
  std::map<std::tuple<char32_t, int, int>, Bitmap> cache_;
};

}  // namespace

std::unique_ptr<GlyphSource> make_freetype_glyphs(const std::string& path, int index) {
  return std::make_unique<FreeTypeGlyphs>(path, index);
}

}  // namespace kiosk::printer
