// Glyph sources for the renderer: cell-sized 1-bit glyphs.
#pragma once

#include <memory>
#include <string>

#include "drivers/printer/bitmap.hpp"

namespace kiosk::printer {

class GlyphSource {
 public:
  virtual ~GlyphSource() = default;
  // A glyph drawn into a cell_w × cell_h cell (baseline near the bottom).
  virtual Bitmap glyph(char32_t cp, int cell_w, int cell_h) = 0;
};

// Pure fallback: a hollow box per non-space glyph (fuzzing, tests without fonts).
class BoxGlyphs : public GlyphSource {
 public:
  Bitmap glyph(char32_t cp, int cell_w, int cell_h) override;
};

std::string default_font_path();

// FreeType from a font file (Noto Sans CJK .ttc face 2 = SC by default). Throws std::runtime_error
// if the font cannot be loaded. Thread-compatible (one instance per thread).
std::unique_ptr<GlyphSource> make_freetype_glyphs(const std::string& font_path = default_font_path(),
                                                  int face_index = 2);
}  // namespace kiosk::printer
