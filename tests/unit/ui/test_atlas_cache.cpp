#include <imgui.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "kiosk/ui/atlas_cache.hpp"
#include "kiosk/ui/fonts.hpp"

using namespace kiosk::ui;
namespace fs = std::filesystem;

namespace {
AtlasCache sample() {
  AtlasCache c;
  c.key = 0x1234;
  c.width = 4;
  c.height = 2;
  c.uv_scale[0] = 0.25f;
  c.uv_scale[1] = 0.5f;
  c.uv_white[0] = 0.1f;
  c.uv_lines = {{0.f, 0.f, 0.5f, 0.5f}};
  CachedFont f{20.f, 16.f, -4.f, {}};
  f.glyphs.push_back({U'豫', true, false, 20.f, 0, 1, 19, 20, 0.f, 0.f, 0.5f, 1.f});
  c.fonts.push_back(f);
  c.alpha = {0, 1, 2, 3, 4, 5, 6, 255};
  return c;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}
}  // namespace

TEST_CASE("atlas cache codec round-trips and rejects damaged files with a reason") {
  std::string bytes = encode_atlas_cache(sample());
  AtlasCache d = decode_atlas_cache(bytes);
  CHECK(d.key == 0x1234);
  CHECK(d.width == 4);
  CHECK(d.height == 2);
  REQUIRE(d.fonts.size() == 1);
  REQUIRE(d.fonts[0].glyphs.size() == 1);
  CHECK(d.fonts[0].glyphs[0].codepoint == U'豫');
  CHECK(d.fonts[0].glyphs[0].u1 == 0.5f);
  CHECK(d.alpha == sample().alpha);

  std::string flipped = bytes;
  flipped[20] = static_cast<char>(flipped[20] ^ 1);
  CHECK_THROWS_WITH(decode_atlas_cache(flipped), Catch::Contains("checksum"));
  CHECK_THROWS_AS(decode_atlas_cache(bytes.substr(0, bytes.size() - 3)), AtlasCacheError);
  CHECK_THROWS_WITH(decode_atlas_cache("short"), Catch::Contains("too short"));
  AtlasCache bad = sample();
  bad.alpha.pop_back();
  CHECK_THROWS_AS(encode_atlas_cache(bad), AtlasCacheError);
}

TEST_CASE("the glyph atlas is served from the cache, holds only the base set, and matches a fresh build") {
  const fs::path dir = fs::temp_directory_path() / ("test_atlas_cache_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const fs::path file = dir / "atlas-standard.bin";
  Theme t;
  float built_adv = 0;
  int built_w = 0, built_h = 0;
  {
    ImGui::CreateContext();
    FontSet fs1(default_font_path(), {"河南省 豫"}, {"广东省 粤"});
    fs1.set_cache_dir(dir.string());
    fs1.build(t);
    CHECK_FALSE(fs1.from_cache());
    REQUIRE(fs::exists(file));
    built_adv = fs1.font(FontRole::Body)->FindGlyphNoFallback(static_cast<ImWchar>(U'豫'))->AdvanceX;
    built_w = fs1.atlas_width();
    built_h = fs1.atlas_height();
    ImGui::DestroyContext();
  }
  const std::string base_bytes = slurp(file);
  ImGui::CreateContext();
  FontSet fs2(default_font_path(), {"河南省 豫"}, {"广东省 粤"});
  fs2.set_cache_dir(dir.string());
  fs2.build(t);
  CHECK(fs2.from_cache());
  CHECK(fs2.atlas_width() == built_w);
  CHECK(fs2.atlas_height() == built_h);
  const ImFontGlyph* g = fs2.font(FontRole::Body)->FindGlyphNoFallback(static_cast<ImWchar>(U'豫'));
  REQUIRE(g != nullptr);
  CHECK(g->AdvanceX == built_adv);
  CHECK(fs2.font(FontRole::Title)->FindGlyphNoFallback(static_cast<ImWchar>(U'粤')) == nullptr);
  CHECK(fs2.font(FontRole::Body)->FindGlyphNoFallback(static_cast<ImWchar>(U'粤')) != nullptr);
  // The pixels arrive too: the RGBA texture data is available for upload.
  unsigned char* px = nullptr;
  int w = 0, h = 0;
  ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&px, &w, &h);
  CHECK(px != nullptr);
  CHECK(w == built_w);

  // A resident's rare name character: built in memory, never written to the cache.
  CHECK(fs2.request("刘䶮"));
  fs2.build(t);
  CHECK_FALSE(fs2.from_cache());
  CHECK(fs2.font(FontRole::Body)->FindGlyphNoFallback(static_cast<ImWchar>(U'䶮')) != nullptr);
  CHECK(slurp(file) == base_bytes);
  // Session end: back to the base set, from the cache again.
  fs2.reset_extra();
  fs2.build(t);
  CHECK(fs2.from_cache());
  CHECK(fs2.font(FontRole::Body)->FindGlyphNoFallback(static_cast<ImWchar>(U'䶮')) == nullptr);

  // Different texts → different key → rebuilt, not served stale.
  FontSet fs3(default_font_path(), {"河南省 豫 冀"}, {"广东省 粤"});
  fs3.set_cache_dir(dir.string());
  fs3.build(t);
  CHECK_FALSE(fs3.from_cache());
  CHECK(fs3.font(FontRole::Title)->FindGlyphNoFallback(static_cast<ImWchar>(U'冀')) != nullptr);
  // A damaged cache file is ignored (rebuilt), never trusted.
  {
    std::string b = slurp(file);
    b[b.size() / 2] = static_cast<char>(b[b.size() / 2] ^ 0x55);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << b;
  }
  fs3.build(t);
  CHECK_FALSE(fs3.from_cache());
  ImGui::DestroyContext();
  fs::remove_all(dir);
}
