#include "drivers/printer/encoder.hpp"

#include <algorithm>

#include "drivers/printer/text_codec.hpp"

namespace kiosk::printer {

Encoder::Encoder(Dialect d) : dialect_(std::move(d)) {}

Encoder& Encoder::raw(std::initializer_list<std::uint8_t> b) {
  out_.insert(out_.end(), b.begin(), b.end());
  return *this;
}

Encoder& Encoder::init() {
  raw({0x1B, 0x40});
  if (dialect_.chinese_mode) raw({0x1C, 0x26});
  style_ = {};
  align_ = Align::Left;
  return *this;
}

Encoder& Encoder::align(Align a) {
  align_ = a;
  return raw({0x1B, 0x61, static_cast<std::uint8_t>(a)});
}

Encoder& Encoder::bold(bool on) {
  style_.bold = on;
  return raw({0x1B, 0x45, static_cast<std::uint8_t>(on ? 1 : 0)});
}

Encoder& Encoder::underline(int dots) {
  auto n = static_cast<std::uint8_t>(std::clamp(dots, 0, 2));
  raw({0x1B, 0x2D, n});
  if (dialect_.chinese_mode) raw({0x1C, 0x2D, n});
  return *this;
}

Encoder& Encoder::size(int w, int h) {
  if (w < 1 || w > 8 || h < 1 || h > 8) throw EncodeError("character size must be 1..8");
  style_.width_mag = w;
  style_.height_mag = h;
  return raw({0x1D, 0x21, static_cast<std::uint8_t>(((w - 1) << 4) | (h - 1))});
}

Encoder& Encoder::line_spacing(int dots) {
  return raw({0x1B, 0x33, static_cast<std::uint8_t>(std::clamp(dots, 0, 255))});
}

Encoder& Encoder::default_line_spacing() {
  return raw({0x1B, 0x32});
}

Encoder& Encoder::text(std::string_view utf8) {
  auto enc = encode_printer_text(utf8, dialect_.encoding);
  if (!enc) throw EncodeError("text has characters outside the printer encoding");
  put(*enc);
  return *this;
}

Encoder& Encoder::line(std::string_view utf8) {
  auto enc = encode_printer_text(utf8, dialect_.encoding);
  if (enc) {
    put(*enc);
    put(0x0A);
    return *this;
  }
  if (!rasterizer_) throw EncodeError("line has characters the printer lacks and no rasterizer is set");
  Bitmap b = rasterizer_(utf8_to_u32(utf8), style_);
  if (b.width > dialect_.width_dots) {
    Bitmap clipped(dialect_.width_dots, b.height);
    for (int y = 0; y < b.height; ++y)
      for (int x = 0; x < clipped.width; ++x) clipped.set(x, y, b.at(x, y));
    b = std::move(clipped);
  }
  ++rasterized_lines_;
  return image(b);
}

Encoder& Encoder::feed_lines(int n) {
  return raw({0x1B, 0x64, static_cast<std::uint8_t>(std::clamp(n, 0, 255))});
}
Encoder& Encoder::feed_dots(int n) {
  return raw({0x1B, 0x4A, static_cast<std::uint8_t>(std::clamp(n, 0, 255))});
}

Encoder& Encoder::qr(std::string_view data, int module, QrEc ec) {
  if (data.empty() || data.size() > 7089) throw EncodeError("QR data must be 1..7089 bytes");
  if (dialect_.qr == QrMode::Raster) return qr_raster(data, module, ec);
  module = std::clamp(module, 1, dialect_.qr_max_module);
  if (dialect_.qr_model_select) raw({0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00});
  raw({0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, static_cast<std::uint8_t>(module)});
  raw({0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, static_cast<std::uint8_t>(0x30 + static_cast<int>(ec))});
  std::size_t k = data.size() + 3;
  raw({0x1D, 0x28, 0x6B, static_cast<std::uint8_t>(k & 0xFF), static_cast<std::uint8_t>(k >> 8), 0x31, 0x50,
       0x30});
  put(data);
  raw({0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30});
  return *this;
}

Encoder& Encoder::qr_raster(std::string_view data, int module, QrEc ec) {
  Bitmap b;
  try {
    b = qr_bitmap(data, ec, std::clamp(module, 1, 16));
  } catch (const ImageError& e) {
    throw EncodeError(e.what());
  }
  return image(b);
}

Encoder& Encoder::image(const Bitmap& b) {
  if (b.width <= 0 || b.height <= 0) throw EncodeError("empty image");
  if (b.width > dialect_.width_dots) throw EncodeError("image wider than the paper");
  const int wbytes = (b.width + 7) / 8;
  for (int y0 = 0; y0 < b.height; y0 += 256) {
    int h = std::min(256, b.height - y0);
    raw({0x1D, 0x76, 0x30, 0x00, static_cast<std::uint8_t>(wbytes & 0xFF),
         static_cast<std::uint8_t>(wbytes >> 8), static_cast<std::uint8_t>(h & 0xFF),
         static_cast<std::uint8_t>(h >> 8)});
    for (int y = y0; y < y0 + h; ++y)
      for (int xb = 0; xb < wbytes; ++xb) {
        std::uint8_t v = 0;
        for (int bit = 0; bit < 8; ++bit) {
          int x = xb * 8 + bit;
          if (x < b.width && b.at(x, y)) v |= static_cast<std::uint8_t>(0x80 >> bit);
        }
        put(v);
      }
  }
  return *this;
}

Encoder& Encoder::image(const Gray& g) {
  return image(dither(fit_width(g, dialect_.width_dots)));
}

Encoder& Encoder::barcode128(std::string_view ascii, int height, int module) {
  if (ascii.empty() || ascii.size() > 250) throw EncodeError("CODE128 data must be 1..250 chars");
  std::string data = "{B";
  for (char c : ascii) {
    if (c < 0x20 || c > 0x7E) throw EncodeError("CODE128 set B takes printable ASCII only");
    data += c;
    if (c == '{') data += '{';
  }
  if (data.size() > 255) throw EncodeError("CODE128 data too long");
  raw({0x1D, 0x68, static_cast<std::uint8_t>(std::clamp(height, 1, 255))});
  raw({0x1D, 0x77, static_cast<std::uint8_t>(std::clamp(module, 1, 6))});
  raw({0x1D, 0x48, 0x02});
  raw({0x1D, 0x6B, 0x49, static_cast<std::uint8_t>(data.size())});
  put(data);
  return *this;
}

Encoder& Encoder::cut(bool partial) {
  switch (dialect_.cut) {
    case CutMode::GsVFeed:
      return raw({0x1D, 0x56, static_cast<std::uint8_t>(partial ? 0x42 : 0x41),
                  static_cast<std::uint8_t>(dialect_.cut_feed)});
    case CutMode::GsV:
      feed_lines(4);
      return raw({0x1D, 0x56, static_cast<std::uint8_t>(partial ? 0x01 : 0x00)});
    case CutMode::EscI:
      feed_lines(4);
      return raw({0x1B, static_cast<std::uint8_t>(partial ? 0x6D : 0x69)});
  }
  return *this;
}

}  // namespace kiosk::printer
