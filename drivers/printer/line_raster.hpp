// LineRasterizer over a GlyphSource: draws a whole text line (24-dot cells, CJK double width) for
// lines whose characters the printer's font lacks.
#pragma once

#include <memory>

#include "drivers/printer/encoder.hpp"
#include "drivers/printer/glyphs.hpp"

namespace kiosk::printer {

LineRasterizer glyph_line_rasterizer(std::shared_ptr<GlyphSource> glyphs);

}  // namespace kiosk::printer
