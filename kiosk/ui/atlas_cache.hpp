// On-disk cache of the built glyph atlas (issue 2: cold start). Building the CJK atlas with FreeType
// costs ~350 ms at start-up; loading the cached alpha bitmap and glyph table costs a few ms.
// The cache holds only the base set (texts we ship), never run-time additions such as a resident's rare
// name characters (issue 9 privacy): FontSet writes it only when no extra code points are loaded.
//
// Pure codec (no ImGui/SDL): the file is bytes from disk, so decode() validates everything and throws
// AtlasCacheError with a reason instead of trusting it (fuzzed by fuzz_atlas_cache).
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::ui {

struct AtlasCacheError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CachedGlyph {
  std::uint32_t codepoint = 0;
  bool visible = false;
  bool colored = false;
  float advance_x = 0;
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float u0 = 0, v0 = 0, u1 = 0, v1 = 0;
};

struct CachedFont {
  float size = 0, ascent = 0, descent = 0;
  std::vector<CachedGlyph> glyphs;
};

struct AtlasCache {
  std::uint64_t key = 0;  // hash of everything the atlas depends on (see atlas_key)
  int width = 0, height = 0;
  float uv_scale[2] = {0, 0};
  float uv_white[2] = {0, 0};
  std::vector<std::array<float, 4>> uv_lines;  // baked anti-aliased line UVs
  std::vector<CachedFont> fonts;
  std::vector<std::uint8_t> alpha;  // width * height
};

// FNV-1a 64, stable across builds and machines (std::hash is not).
class KeyHasher {
 public:
  KeyHasher& add(std::string_view s);
  KeyHasher& add(std::uint64_t v);
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 14695981039346656037ull;
};

std::string encode_atlas_cache(const AtlasCache& c);
// Throws AtlasCacheError (bad magic/version, truncation, sizes out of range, checksum mismatch).
AtlasCache decode_atlas_cache(std::string_view bytes);

}  // namespace kiosk::ui
