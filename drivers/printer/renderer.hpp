// ESC/POS bytes → image at 8 dots/mm: text with CJK glyphs, sizes, bold, alignment, native QR (the
// stored payload re-encoded), raster / column / graphics images, barcodes, cut marks. Unknown commands
// are skipped and listed. Powers the simulator, the technician preview and the tests.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "drivers/printer/bitmap.hpp"
#include "drivers/printer/glyphs.hpp"

namespace kiosk::printer {

struct RenderOptions {
  int width_dots = 576;
  bool chinese_mode = true;       // FS & state at power-on (Chinese printers: on)
  int max_height = 30000;         // dots; beyond it drawing stops and `truncated` is set
  GlyphSource* glyphs = nullptr;  // nullptr → BoxGlyphs
};

struct RenderResult {
  Bitmap image;
  std::string text;                      // decoded text, one '\n' per printed line (UTF-8)
  std::vector<std::string> qr_payloads;  // native QR symbols printed
  std::vector<std::string> barcodes;     // GS k data (HRI)
  std::vector<std::string> unknown;      // skipped commands, e.g. "ESC x", "GS ( z"
  int cuts = 0;
  int images = 0;          // raster / column / graphics images drawn
  bool truncated = false;  // input ended inside a command, or max_height reached
};

RenderResult render(std::span<const std::uint8_t> bytes, const RenderOptions& opt = {});

}  // namespace kiosk::printer
