#include "kiosk/ui/atlas_cache.hpp"

#include <cmath>
#include <cstring>

namespace kiosk::ui {

namespace {
constexpr char kMagic[8] = {'K', 'A', 'T', 'L', 'A', 'S', '0', '1'};
constexpr int kMaxSide = 16384;
constexpr std::uint32_t kMaxLines = 256, kMaxFonts = 16, kMaxGlyphs = 0x10000;

class Writer {
 public:
  void raw(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
  void u8(std::uint8_t v) { raw(&v, 1); }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void f32(float f) {
    std::uint32_t v;
    std::memcpy(&v, &f, 4);
    u32(v);
  }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  void need(std::size_t n) const {
    if (b_.size() - pos_ < n) throw AtlasCacheError("atlas cache: truncated at byte " + std::to_string(pos_));
  }
  std::uint8_t u8() {
    need(1);
    return static_cast<std::uint8_t>(b_[pos_++]);
  }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(u8()) << (8 * i);
    return v;
  }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(u8()) << (8 * i);
    return v;
  }
  float f32(const char* what, float lo, float hi) {
    std::uint32_t v = u32();
    float f;
    std::memcpy(&f, &v, 4);
    if (!std::isfinite(f) || f < lo || f > hi)
      throw AtlasCacheError(std::string("atlas cache: ") + what + " out of range");
    return f;
  }
  std::string_view take(std::size_t n) {
    need(n);
    auto s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::size_t pos() const { return pos_; }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
};
}  // namespace

KeyHasher& KeyHasher::add(std::string_view s) {
  add(static_cast<std::uint64_t>(s.size()));
  for (unsigned char c : s) {
    h_ ^= c;
    h_ *= 1099511628211ull;
  }
  return *this;
}

KeyHasher& KeyHasher::add(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    h_ ^= static_cast<unsigned char>(v >> (8 * i));
    h_ *= 1099511628211ull;
  }
  return *this;
}

std::string encode_atlas_cache(const AtlasCache& c) {
  if (c.alpha.size() != static_cast<std::size_t>(c.width) * static_cast<std::size_t>(c.height))
    throw AtlasCacheError("atlas cache: alpha size does not match width*height");
  Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.u64(c.key);
  w.u32(static_cast<std::uint32_t>(c.width));
  w.u32(static_cast<std::uint32_t>(c.height));
  for (float f : {c.uv_scale[0], c.uv_scale[1], c.uv_white[0], c.uv_white[1]}) w.f32(f);
  w.u32(static_cast<std::uint32_t>(c.uv_lines.size()));
  for (auto& l : c.uv_lines)
    for (float f : l) w.f32(f);
  w.u32(static_cast<std::uint32_t>(c.fonts.size()));
  for (auto& f : c.fonts) {
    w.f32(f.size);
    w.f32(f.ascent);
    w.f32(f.descent);
    w.u32(static_cast<std::uint32_t>(f.glyphs.size()));
    for (auto& g : f.glyphs) {
      w.u32(g.codepoint);
      w.u8(static_cast<std::uint8_t>((g.visible ? 1 : 0) | (g.colored ? 2 : 0)));
      for (float v : {g.advance_x, g.x0, g.y0, g.x1, g.y1, g.u0, g.v0, g.u1, g.v1}) w.f32(v);
    }
  }
  w.raw(c.alpha.data(), c.alpha.size());
  w.u64(KeyHasher{}.add(w.str()).value());
  return std::move(w.str());
}

AtlasCache decode_atlas_cache(std::string_view bytes) {
  if (bytes.size() < sizeof kMagic + 8) throw AtlasCacheError("atlas cache: too short");
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  {
    Reader tail(bytes.substr(bytes.size() - 8));
    if (tail.u64() != KeyHasher{}.add(body).value()) throw AtlasCacheError("atlas cache: checksum mismatch");
  }
  Reader r(body);
  if (r.take(sizeof kMagic) != std::string_view(kMagic, sizeof kMagic))
    throw AtlasCacheError("atlas cache: bad magic or version");
  AtlasCache c;
  c.key = r.u64();
  std::uint32_t w = r.u32(), h = r.u32();
  if (w == 0 || h == 0 || w > kMaxSide || h > kMaxSide)
    throw AtlasCacheError("atlas cache: bad texture size");
  c.width = static_cast<int>(w);
  c.height = static_cast<int>(h);
  c.uv_scale[0] = r.f32("uv scale", 0, 1);
  c.uv_scale[1] = r.f32("uv scale", 0, 1);
  c.uv_white[0] = r.f32("white pixel", 0, 1);
  c.uv_white[1] = r.f32("white pixel", 0, 1);
  std::uint32_t nl = r.u32();
  if (nl > kMaxLines) throw AtlasCacheError("atlas cache: too many line entries");
  r.need(std::size_t{nl} * 16);
  c.uv_lines.resize(nl);
  for (auto& l : c.uv_lines)
    for (float& f : l) f = r.f32("line uv", 0, 1);
  std::uint32_t nf = r.u32();
  if (nf == 0 || nf > kMaxFonts) throw AtlasCacheError("atlas cache: bad font count");
  c.fonts.resize(nf);
  for (auto& f : c.fonts) {
    f.size = r.f32("font size", 1, 1000);
    f.ascent = r.f32("ascent", -1000, 1000);
    f.descent = r.f32("descent", -1000, 1000);
    std::uint32_t ng = r.u32();
    if (ng == 0 || ng > kMaxGlyphs) throw AtlasCacheError("atlas cache: bad glyph count");
    r.need(std::size_t{ng} * 41);
    f.glyphs.resize(ng);
    for (auto& g : f.glyphs) {
      g.codepoint = r.u32();
      if (g.codepoint > 0xFFFF) throw AtlasCacheError("atlas cache: code point beyond U+FFFF");
      std::uint8_t flags = r.u8();
      if (flags > 3) throw AtlasCacheError("atlas cache: bad glyph flags");
      g.visible = flags & 1;
      g.colored = flags & 2;
      g.advance_x = r.f32("advance", -1000, 10000);
      g.x0 = r.f32("glyph box", -10000, 10000);
      g.y0 = r.f32("glyph box", -10000, 10000);
      g.x1 = r.f32("glyph box", -10000, 10000);
      g.y1 = r.f32("glyph box", -10000, 10000);
      g.u0 = r.f32("glyph uv", 0, 1);
      g.v0 = r.f32("glyph uv", 0, 1);
      g.u1 = r.f32("glyph uv", 0, 1);
      g.v1 = r.f32("glyph uv", 0, 1);
    }
  }
  std::size_t n = std::size_t{w} * h;
  auto px = r.take(n);
  c.alpha.assign(px.begin(), px.end());
  if (r.pos() != body.size()) throw AtlasCacheError("atlas cache: trailing bytes");
  return c;
}

}  // namespace kiosk::ui
