#include "drivers/printer/bitmap.hpp"

#include <algorithm>
#include <cstring>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_NO_STDIO_WRITE
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace kiosk::printer {

void Bitmap::grow_to(int h) {
  if (h <= height) return;
  px.resize(static_cast<std::size_t>(width) * h, 0);
  height = h;
}

void Bitmap::blit(const Bitmap& src, int x, int y, int sx, int sy) {
  for (int yy = 0; yy < src.height; ++yy)
    for (int xx = 0; xx < src.width; ++xx)
      if (src.at(xx, yy))
        for (int dy = 0; dy < sy; ++dy)
          for (int dx = 0; dx < sx; ++dx) set(x + xx * sx + dx, y + yy * sy + dy);
}

std::size_t Bitmap::black_count() const {
  return static_cast<std::size_t>(std::count(px.begin(), px.end(), std::uint8_t{1}));
}

Bitmap dither(const Gray& g) {
  Bitmap out(g.width, g.height);
  std::vector<int> err(static_cast<std::size_t>(g.width) * g.height);
  for (std::size_t i = 0; i < err.size(); ++i) err[i] = g.px[i];
  auto add = [&](int x, int y, int v) {
    if (x >= 0 && x < g.width && y < g.height) err[static_cast<std::size_t>(y) * g.width + x] += v;
  };
  for (int y = 0; y < g.height; ++y)
    for (int x = 0; x < g.width; ++x) {
      int old = err[static_cast<std::size_t>(y) * g.width + x];
      int nv = old < 128 ? 0 : 255;
      if (nv == 0) out.set(x, y);
      int e = old - nv;
      add(x + 1, y, e * 7 / 16);
      add(x - 1, y + 1, e * 3 / 16);
      add(x, y + 1, e * 5 / 16);
      add(x + 1, y + 1, e / 16);
    }
  return out;
}

Gray fit_width(const Gray& g, int target_width) {
  if (g.width <= target_width || g.width == 0) return g;
  Gray out;
  out.width = target_width;
  out.height = std::max(1, static_cast<int>(static_cast<long>(g.height) * target_width / g.width));
  out.px.resize(static_cast<std::size_t>(out.width) * out.height);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x) {
      int x0 = static_cast<int>(static_cast<long>(x) * g.width / out.width);
      int x1 = std::max(x0 + 1, static_cast<int>(static_cast<long>(x + 1) * g.width / out.width));
      int y0 = static_cast<int>(static_cast<long>(y) * g.height / out.height);
      int y1 = std::max(y0 + 1, static_cast<int>(static_cast<long>(y + 1) * g.height / out.height));
      long sum = 0, n = 0;
      for (int yy = y0; yy < y1 && yy < g.height; ++yy)
        for (int xx = x0; xx < x1 && xx < g.width; ++xx) {
          sum += g.px[static_cast<std::size_t>(yy) * g.width + xx];
          ++n;
        }
      out.px[static_cast<std::size_t>(y) * out.width + x] = static_cast<std::uint8_t>(n ? sum / n : 255);
    }
  return out;
}

static Gray from_stbi(unsigned char* data, int w, int h) {
  if (!data) throw ImageError(std::string("PNG decode failed: ") + stbi_failure_reason());
  Gray g;
  g.width = w;
  g.height = h;
  g.px.assign(data, data + static_cast<std::size_t>(w) * h);
  stbi_image_free(data);
  return g;
}

Gray load_png_gray(const std::string& path) {
  int w = 0, h = 0, n = 0;
  unsigned char* data = stbi_load(path.c_str(), &w, &h, &n, 1);  // before reading w, h
  return from_stbi(data, w, h);
}

Gray decode_png_gray(const std::uint8_t* data, std::size_t size) {
  int w = 0, h = 0, n = 0;
  if (size > static_cast<std::size_t>(INT32_MAX)) throw ImageError("PNG too large");
  unsigned char* px = stbi_load_from_memory(data, static_cast<int>(size), &w, &h, &n, 1);
  return from_stbi(px, w, h);
}

Gray to_gray(const Bitmap& b) {
  Gray g;
  g.width = b.width;
  g.height = b.height;
  g.px.resize(b.px.size());
  for (std::size_t i = 0; i < b.px.size(); ++i) g.px[i] = b.px[i] ? 0 : 255;
  return g;
}

static void append_cb(void* ctx, void* data, int size) {
  auto* v = static_cast<std::vector<std::uint8_t>*>(ctx);
  auto* p = static_cast<std::uint8_t*>(data);
  v->insert(v->end(), p, p + size);
}

std::vector<std::uint8_t> encode_png(const Bitmap& b) {
  Gray g = to_gray(b);
  std::vector<std::uint8_t> out;
  if (b.width <= 0 || b.height <= 0) throw ImageError("empty bitmap");
  if (!stbi_write_png_to_func(append_cb, &out, g.width, g.height, 1, g.px.data(), g.width))
    throw ImageError("PNG encode failed");
  return out;
}

void write_png(const Bitmap& b, const std::string& path) {
  auto bytes = encode_png(b);
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw ImageError("cannot open " + path);
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) throw ImageError("cannot write " + path);
}

}  // namespace kiosk::printer
