// ESC/POS encoder (pure): builds the bytes of one job for a dialect (reference/escpos.md §1–2).
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/printer/bitmap.hpp"
#include "drivers/printer/dialect.hpp"
#include "drivers/printer/qr.hpp"

namespace kiosk::printer {

enum class Align { Left = 0, Center = 1, Right = 2 };

class EncodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TextStyle {
  int width_mag = 1;   // 1..8
  int height_mag = 1;  // 1..8
  bool bold = false;
};

// Draws a line of UTF-8 text (e.g. a rare name character the printer's font lacks) into dots.
// Provided by the caller (FreeType in drivers/printer/font.hpp); the encoder itself stays pure.
using LineRasterizer = std::function<Bitmap(std::u32string_view text, const TextStyle& style)>;

class Encoder {
 public:
  explicit Encoder(Dialect d);

  Encoder& init();  // ESC @ (+ FS & in Chinese mode)
  Encoder& align(Align a);
  Encoder& bold(bool on);
  Encoder& underline(int dots);  // 0, 1, 2
  Encoder& size(int width_mag, int height_mag);
  Encoder& line_spacing(int dots);
  Encoder& default_line_spacing();
  // Text without LF; throws EncodeError if a character is outside the printer encoding.
  Encoder& text(std::string_view utf8);
  // Text + LF. A line with characters the font lacks is printed as a raster image of the whole line
  // when a rasterizer is set; otherwise EncodeError.
  Encoder& line(std::string_view utf8 = {});
  Encoder& feed_lines(int n);
  Encoder& feed_dots(int n);
  // Native GS ( k for Native dialects (module clamped to the dialect's range), raster otherwise.
  Encoder& qr(std::string_view data, int module_dots = 6, QrEc ec = QrEc::M);
  Encoder& qr_raster(std::string_view data, int module_dots = 6, QrEc ec = QrEc::M);
  // GS v 0 in bands of at most 256 rows; wider than the paper → EncodeError.
  Encoder& image(const Bitmap& b);
  // Grayscale image (e.g. a PNG logo), scaled to fit and dithered.
  Encoder& image(const Gray& g);
  // CODE128 (code set B) with HRI below.
  Encoder& barcode128(std::string_view ascii, int height = 60, int module = 2);
  Encoder& cut(bool partial = false);
  Encoder& raw(std::initializer_list<std::uint8_t> b);

  void set_rasterizer(LineRasterizer r) { rasterizer_ = std::move(r); }
  const Dialect& dialect() const { return dialect_; }
  const std::vector<std::uint8_t>& bytes() const { return out_; }
  std::vector<std::uint8_t> take() { return std::move(out_); }
  // Lines that went out as images because of missing glyphs (diagnostics, tests).
  int rasterized_lines() const { return rasterized_lines_; }

 private:
  void put(std::uint8_t b) { out_.push_back(b); }
  void put(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }
  Dialect dialect_;
  std::vector<std::uint8_t> out_;
  TextStyle style_;
  Align align_ = Align::Left;
  LineRasterizer rasterizer_;
  int rasterized_lines_ = 0;
};

}  // namespace kiosk::printer
