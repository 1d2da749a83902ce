// Renderer: round trips from our encoder (QR decoded from the PNG with ZXing-cpp, Chinese text
// present) and ESC/POS written by other software.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "drivers/printer/encoder.hpp"
#include "drivers/printer/renderer.hpp"
#include "tests/unit/printer/qr_decode.hpp"

using namespace kiosk::printer;
using kiosk::printer::test::decode_qr;
using Bytes = std::vector<std::uint8_t>;

namespace {

GlyphSource& font() {
  static auto g = make_freetype_glyphs();
  return *g;
}

Bytes read_file(const std::string& rel) {
  std::ifstream in(std::string(KIOSK_SOURCE_DIR) + "/" + rel, std::ios::binary);
  REQUIRE(in);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

// Ink in the rows [y0, y1): used to check that text/QR actually printed.
std::size_t ink(const Bitmap& b, int y0, int y1) {
  std::size_t n = 0;
  for (int y = std::max(0, y0); y < std::min(b.height, y1); ++y)
    for (int x = 0; x < b.width; ++x) n += b.at(x, y);
  return n;
}

// Set KIOSK_PRINTER_PNG_DIR to keep the rendered receipts for a human look.
void keep(const Bitmap& b, const std::string& name) {
  if (const char* dir = std::getenv("KIOSK_PRINTER_PNG_DIR"))
    write_png(b, std::string(dir) + "/" + name + ".png");
}

}  // namespace

TEST_CASE("encode → render → decode: native QR and Chinese text survive the round trip") {
  for (const char* id : {"epson", "gprinter", "xprinter"}) {
    auto d = builtin_dialect(id);
    Encoder e(d);
    const std::string url = "https://zwfw.example.gov.cn/v/20261123-000123?c=9f3a";
    e.init().align(Align::Center).size(2, 2).bold(true).line("社保业务回执").size(1, 1).bold(false);
    e.align(Align::Left).line("业务 Service: 参保证明打印").line("流水号 No.: 20261123-000123");
    e.align(Align::Center).qr(url, 6, QrEc::M).line("扫码验证 Scan to verify").cut();
    RenderOptions o;
    o.width_dots = d.width_dots;
    o.glyphs = &font();
    auto r = render(e.bytes(), o);
    INFO(id);
    keep(r.image, std::string("roundtrip_") + id);
    CHECK(r.unknown.empty());
    CHECK(r.cuts == 1);
    REQUIRE(r.qr_payloads.size() == 1);
    CHECK(r.qr_payloads[0] == url);
    auto decoded = decode_qr(r.image);
    REQUIRE(decoded.size() == 1);
    CHECK(decoded[0] == url);
    CHECK(r.text.find("社保业务回执") != std::string::npos);
    CHECK(r.text.find("参保证明打印") != std::string::npos);
    CHECK(r.image.width == d.width_dots);
    CHECK(ink(r.image, 0, 48) > 400);  // the double-size title has real glyph strokes
  }
}

TEST_CASE("raster QR fallback decodes the same") {
  auto d = builtin_dialect("generic");
  d.qr = QrMode::Raster;
  Encoder e(d);
  e.init().align(Align::Center).qr("KIOSK-RASTER-QR-1", 5).cut();
  auto r = render(e.bytes(), RenderOptions{});
  CHECK(r.qr_payloads.empty());
  CHECK(r.images == 1);
  auto decoded = decode_qr(r.image);
  REQUIRE(decoded.size() == 1);
  CHECK(decoded[0] == "KIOSK-RASTER-QR-1");
}

TEST_CASE("a rare name character outside GBK prints as an image of the line") {
  auto g = make_freetype_glyphs();
  Encoder e(builtin_dialect("epson"));
  e.set_rasterizer([&](std::u32string_view text, const TextStyle& st) {
    Bitmap line(static_cast<int>(text.size()) * 24 * st.width_mag, 24 * st.height_mag);
    int x = 0;
    for (char32_t c : text) {
      bool wide = c >= 0x2E80;
      Bitmap gl = g->glyph(c, wide ? 24 : 12, 24);
      line.blit(gl, x, 0, st.width_mag, st.height_mag);
      x += (wide ? 24 : 12) * st.width_mag;
    }
    return line;
  });
  e.init().line("姓名: \U00020BB7*丰").line("普通行");
  CHECK(e.rasterized_lines() == 1);
  auto r = render(e.bytes(), RenderOptions{.glyphs = g.get()});
  keep(r.image, "rare_char");
  CHECK(r.images == 1);
  CHECK(r.text.find("普通行") != std::string::npos);
  CHECK(ink(r.image, 0, 24) > 50);
}

TEST_CASE("sizes, bold and alignment move ink where expected") {
  Encoder e(builtin_dialect("epson"));
  e.init().align(Align::Right).line("R").align(Align::Left).line("L");
  auto r = render(e.bytes(), RenderOptions{.glyphs = &font()});
  // "R" sits at the right edge on the first line, "L" at the left edge on the second.
  auto col_ink = [&](int x0, int x1, int y0, int y1) {
    std::size_t n = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) n += r.image.at(x, y);
    return n;
  };
  CHECK(col_ink(552, 576, 0, 24) > 10);
  CHECK(col_ink(0, 24, 0, 24) == 0);
  CHECK(col_ink(0, 24, 30, 60) > 10);

  Encoder s(builtin_dialect("epson"));
  s.init().line("测").size(2, 2).line("测").size(1, 1).bold(true).line("测");
  auto rs = render(s.bytes(), RenderOptions{.glyphs = &font()});
  std::size_t normal = ink(rs.image, 0, 30), dbl = ink(rs.image, 30, 84), bold = ink(rs.image, 84, 120);
  CHECK(dbl > normal * 3);
  CHECK(bold > normal);
}

TEST_CASE("ESC/POS from other software: escpos-php textChinese and the Gprinter manual QR") {
  // escpos-php test/unit/EscposTest.php testTextChinese (reference/escpos.md §2).
  Bytes php{0x1B, 0x40, 0x1C, 0x26, 0xCA, 0xBE, 0xC0, 0xFD, 0xCE, 0xC4, 0xB1,
            0xBE, 0xB4, 0xF2, 0xD3, 0xA1, 0xBB, 0xFA, 0x21, 0x0A, 0x1C, 0x2E};
  auto r = render(php, RenderOptions{.glyphs = &font()});
  CHECK(r.text == "示例文本打印机!\n");
  CHECK(r.unknown.empty());
  // GP p.46: "Gprinter", module 5.
  Bytes gp{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x05, 0x1D, 0x28, 0x6B, 0x0B, 0x00, 0x31, 0x50, 0x30,
           'G',  'p',  'r',  'i',  'n',  't',  'e',  'r',  0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30};
  auto q = render(gp, RenderOptions{});
  REQUIRE(q.qr_payloads == std::vector<std::string>{"Gprinter"});
  CHECK(decode_qr(q.image) == std::vector<std::string>{"Gprinter"});
}

TEST_CASE("captured receipt files render; unknown commands are listed, not fatal") {
  auto bytes = read_file("tests/data/printer/receiptline_zh.bin");
  auto r = render(bytes, RenderOptions{.glyphs = &font()});
  keep(r.image, "receiptline_zh");
  CHECK(r.text.find("收据") != std::string::npos);
  CHECK(r.cuts == 1);
  CHECK(r.qr_payloads.size() == 1);
  CHECK(decode_qr(r.image) == r.qr_payloads);
  CHECK(std::find(r.unknown.begin(), r.unknown.end(), "FS ( A") == r.unknown.end());

  Bytes odd{0x1B, 0x40, 0x1B, 0x7F, 'A', 0x0A, 0x1D, 0x28, 0x7A, 0x01, 0x00, 0x00, 'B', 0x0A};
  auto u = render(odd, RenderOptions{});
  CHECK(u.text == "A\nB\n");
  CHECK(u.unknown.size() == 2);
  CHECK(u.unknown[0] == "ESC 7F");
}

TEST_CASE("column images, GS ( L graphics and barcodes render") {
  Bytes col{0x1B, 0x2A, 0x21, 0x02, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0A};
  auto c = render(col, RenderOptions{});
  CHECK(c.images == 1);
  CHECK(c.image.black_count() == 2 * 24);
  // GS ( L fn 112 store 8x2 all black, fn 50 print.
  Bytes gl{0x1D, 0x28, 0x4C, 0x0C, 0x00, 0x30, 0x70, 0x30, 0x01, 0x01, 0x31, 0x08,
           0x00, 0x02, 0x00, 0xFF, 0xFF, 0x1D, 0x28, 0x4C, 0x02, 0x00, 0x30, 0x32};
  auto g = render(gl, RenderOptions{});
  CHECK(g.images == 1);
  CHECK(g.image.black_count() == 16);
  Encoder e(builtin_dialect("epson"));
  e.barcode128("No.123456");
  auto b = render(e.bytes(), RenderOptions{});
  CHECK(b.barcodes == std::vector<std::string>{"No.123456"});
  CHECK(b.text.find("No.123456") != std::string::npos);  // HRI below
}

TEST_CASE("truncated input and huge declared sizes are bounded") {
  Bytes t{0x1D, 0x76, 0x30, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
  auto r = render(t, RenderOptions{});
  CHECK(r.truncated);
  Bytes feed;
  for (int i = 0; i < 2000; ++i) feed.insert(feed.end(), {0x1B, 0x64, 0xFF});
  auto f = render(feed, RenderOptions{.max_height = 5000});
  CHECK(f.truncated);
  CHECK(f.image.height <= 5008);
}
