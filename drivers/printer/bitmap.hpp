// 1-bit images as printed by a thermal head (1 = black dot), PNG I/O and dithering.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiosk::printer {

struct Bitmap {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> px;  // row-major, one byte per dot: 1 black, 0 white

  Bitmap() = default;
  Bitmap(int w, int h) : width(w), height(h), px(static_cast<std::size_t>(w) * h, 0) {}
  std::uint8_t at(int x, int y) const { return px[static_cast<std::size_t>(y) * width + x]; }
  void set(int x, int y, std::uint8_t v = 1) {
    if (x >= 0 && y >= 0 && x < width && y < height) px[static_cast<std::size_t>(y) * width + x] = v;
  }
  // Grows the canvas downwards (new rows white).
  void grow_to(int h);
  // Copies src's black dots onto this at (x, y), scaled by (sx, sy).
  void blit(const Bitmap& src, int x, int y, int sx = 1, int sy = 1);
  std::size_t black_count() const;
};

struct Gray {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> px;  // 0 black .. 255 white
};

class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Floyd–Steinberg dithering of a grayscale image to printer dots.
Bitmap dither(const Gray& g);
// Scales to target_width (keeping aspect) with box filtering; no-op if already narrower.
Gray fit_width(const Gray& g, int target_width);

Gray load_png_gray(const std::string& path);                       // throws ImageError
Gray decode_png_gray(const std::uint8_t* data, std::size_t size);  // throws ImageError
void write_png(const Bitmap& b, const std::string& path);          // throws ImageError
std::vector<std::uint8_t> encode_png(const Bitmap& b);
Gray to_gray(const Bitmap& b);  // 0/255 for decoders

}  // namespace kiosk::printer
