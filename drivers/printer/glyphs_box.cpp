#include "drivers/printer/glyphs.hpp"

namespace kiosk::printer {

Bitmap BoxGlyphs::glyph(char32_t cp, int w, int h) {
  Bitmap b(w, h);
  if (cp == U' ' || cp == 0x3000) return b;
  for (int x = 1; x < w - 1; ++x) {
    b.set(x, 2);
    b.set(x, h - 3);
  }
  for (int y = 2; y < h - 2; ++y) {
    b.set(1, y);
    b.set(w - 2, y);
  }
  return b;
}

}  // namespace kiosk::printer
