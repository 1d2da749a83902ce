#include "drivers/printer/line_raster.hpp"

namespace kiosk::printer {

LineRasterizer glyph_line_rasterizer(std::shared_ptr<GlyphSource> g) {
  return [g](std::u32string_view text, const TextStyle& st) {
    int w = 0;
    for (char32_t c : text) w += (c >= 0x2E80 ? 24 : 12) * st.width_mag;
    Bitmap line(std::max(8, w), 24 * st.height_mag);
    int x = 0;
    for (char32_t c : text) {
      bool wide = c >= 0x2E80;
      Bitmap gl = g->glyph(c, wide ? 24 : 12, 24);
      line.blit(gl, x, 0, st.width_mag, st.height_mag);
      if (st.bold) line.blit(gl, x + 1, 0, st.width_mag, st.height_mag);
      x += (wide ? 24 : 12) * st.width_mag;
    }
    return line;
  };
}

}  // namespace kiosk::printer
