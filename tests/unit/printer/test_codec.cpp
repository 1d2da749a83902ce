// Pure codec: status bit tables, dialect profiles, GBK text, encoder bytes, device ID.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "drivers/printer/device_id.hpp"
#include "drivers/printer/dialect.hpp"
#include "drivers/printer/encoder.hpp"
#include "drivers/printer/scan.hpp"
#include "drivers/printer/status.hpp"
#include "drivers/printer/text_codec.hpp"

using namespace kiosk::printer;
using Bytes = std::vector<std::uint8_t>;

TEST_CASE("DLE EOT replies decode with the real-time bit table") {
  PrinterStatus s;
  apply_dle_eot(s, 1, 0x12);
  apply_dle_eot(s, 2, 0x12);
  apply_dle_eot(s, 3, 0x12);
  apply_dle_eot(s, 4, 0x12);
  CHECK(s.can_print());
  CHECK(classify(s) == PrinterState::Ready);
  apply_dle_eot(s, 1, 0x1A);  // python-escpos "offline"
  CHECK_FALSE(s.online);
  apply_dle_eot(s, 4, 0x72);  // python-escpos "no paper"
  CHECK(s.paper_end);
  apply_dle_eot(s, 4, 0x1E);  // "paper near end"
  CHECK(s.paper_near_end);
  CHECK_FALSE(s.paper_end);
  apply_dle_eot(s, 2, 0x16);
  CHECK(s.cover_open);
  CHECK(classify(s) == PrinterState::CoverOpen);
  apply_dle_eot(s, 3, 0x1A);
  CHECK(s.cutter_error);
  CHECK_THROWS_AS(apply_dle_eot(s, 1, 0x10), StatusError);  // bit 1 must be set
  CHECK_THROWS_AS(apply_dle_eot(s, 5, 0x12), StatusError);
}

TEST_CASE("ASB uses a different paper bit table from DLE EOT 4") {
  // Byte 3 bits 0,1 = near end, 2,3 = paper end (DLE EOT 4 uses 2,3 and 5,6).
  std::uint8_t near[4] = {0x10, 0x00, 0x03, 0x0F};
  auto s = decode_asb(near);
  CHECK(s.paper_near_end);
  CHECK_FALSE(s.paper_end);
  std::uint8_t end[4] = {0x10, 0x00, 0x0C, 0x0F};
  CHECK(decode_asb(end).paper_end);
  std::uint8_t cover[4] = {0x30, 0x08, 0x00, 0x0F};
  auto c = decode_asb(cover);
  CHECK(c.cover_open);
  CHECK(c.cutter_error);
  std::uint8_t bad[4] = {0x12, 0, 0, 0};
  CHECK_THROWS_AS(decode_asb(bad), StatusError);
  CHECK_THROWS_AS(decode_asb(std::span(near, 3)), StatusError);
  // Round trip through the encoder the simulator uses.
  PrinterStatus all;
  all.cover_open = all.paper_end = all.cutter_error = true;
  std::uint8_t b[4];
  encode_asb(all, b);
  auto back = decode_asb(b);
  CHECK(back.cover_open);
  CHECK(back.paper_end);
  CHECK(back.cutter_error);
}

TEST_CASE("USB GET_PORT_STATUS bits") {
  CHECK(decode_port_status(0x18).can_print());
  CHECK(decode_port_status(0x38).paper_end);
  CHECK_FALSE(decode_port_status(0x08).online);
}

TEST_CASE("dialect profiles: built-ins and TOML with line-numbered errors") {
  CHECK(builtin_dialect("gprinter").qr_max_module == 9);
  CHECK_FALSE(builtin_dialect("gprinter").qr_model_select);
  CHECK_THROWS_AS(builtin_dialect("nope"), DialectError);
  auto d = parse_dialect_toml("base = \"epson\"\nid = \"t\"\nwidth_dots = 384\ncut = \"esc_i\"\n");
  CHECK(d.width_dots == 384);
  CHECK(d.cut == CutMode::EscI);
  CHECK_THROWS_WITH(parse_dialect_toml("width_dots = 100\n"), Catch::Contains("width_dots"));
  CHECK_THROWS_WITH(parse_dialect_toml("colour = 1\n"), Catch::Contains("unknown key"));
  CHECK_THROWS_WITH(parse_dialect_toml("x = = 1\n", "p.toml"), Catch::Contains("p.toml:1"));
  for (const char* id : {"epson", "gprinter", "xprinter", "snbc", "generic", "generic58"}) {
    auto p = load_dialect(std::string(KIOSK_SOURCE_DIR) + "/config/printers/" + id + ".toml");
    CHECK_FALSE(p.name.empty());
  }
}

TEST_CASE("GBK text: escpos-php textChinese bytes, rare characters rejected") {
  auto t = encode_printer_text("示例文本打印机!", TextEncoding::Gbk);
  REQUIRE(t);
  Bytes got(t->begin(), t->end());
  CHECK(got ==
        Bytes{0xCA, 0xBE, 0xC0, 0xFD, 0xCE, 0xC4, 0xB1, 0xBE, 0xB4, 0xF2, 0xD3, 0xA1, 0xBB, 0xFA, 0x21});
  CHECK(*encode_printer_text("测试", TextEncoding::Gbk) == "\xB2\xE2\xCA\xD4");
  CHECK_FALSE(encode_printer_text("吉\U00020BB7", TextEncoding::Gbk));    // CJK Ext-B
  CHECK_FALSE(encode_printer_text("\U00020BB7", TextEncoding::Gb18030));  // would need 4 bytes
  CHECK(decode_gb_pair(0xB2, 0xE2) == U'测');
}

TEST_CASE("encoder: init, Chinese text, cut and the Gprinter QR example") {
  Encoder e(builtin_dialect("gprinter"));
  e.init().line("测试").cut();
  CHECK(e.bytes() == Bytes{0x1B, 0x40, 0x1C, 0x26, 0xB2, 0xE2, 0xCA, 0xD4, 0x0A, 0x1D, 0x56, 0x41, 0x03});

  Encoder q(builtin_dialect("gprinter"));
  q.qr("Gprinter", 5, QrEc::L);
  // GP p.46 worked example, with our fn 169 (EC level) between size and store.
  Bytes want{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x05, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31,
             0x45, 0x30, 0x1D, 0x28, 0x6B, 0x0B, 0x00, 0x31, 0x50, 0x30, 'G',  'p',  'r',  'i',
             'n',  't',  'e',  'r',  0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30};
  CHECK(q.bytes() == want);
  // Gprinter's module size range is 1..9.
  Encoder big(builtin_dialect("gprinter"));
  big.qr("x", 16);
  CHECK(big.bytes()[7] == 9);
  // Epson sends fn 165 (model 2) first.
  Encoder ep(builtin_dialect("epson"));
  ep.qr("x");
  CHECK(Bytes(ep.bytes().begin(), ep.bytes().begin() + 9) ==
        Bytes{0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00});

  Encoder k(builtin_dialect("epson"));
  CHECK_THROWS_AS(k.line("吉\U00020BB7"), EncodeError);  // no rasterizer set
  CHECK_THROWS_AS(k.size(9, 1), EncodeError);
}

TEST_CASE("encoder: cuts per dialect, GS v 0 layout, raster QR fallback") {
  auto d = builtin_dialect("generic");
  d.cut = CutMode::EscI;
  Encoder c(d);
  c.cut();
  CHECK(c.bytes() == Bytes{0x1B, 0x64, 0x04, 0x1B, 0x69});

  Bitmap b(10, 2);
  b.set(0, 0);
  b.set(9, 1);
  Encoder r(builtin_dialect("generic"));
  r.image(b);
  CHECK(r.bytes() == Bytes{0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00, 0x80, 0x00, 0x00, 0x40});

  d = builtin_dialect("generic");
  d.qr = QrMode::Raster;
  Encoder qr(d);
  qr.qr("https://example.cn/v?t=1", 4);
  CHECK(qr.bytes()[0] == 0x1D);
  CHECK(qr.bytes()[1] == 0x76);
  Bitmap wide(600, 1);
  CHECK_THROWS_AS(Encoder(builtin_dialect("generic")).image(wide), EncodeError);
}

TEST_CASE("tokenizer lengths cover data blocks") {
  Bytes gsv{0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00, 1, 2, 3, 4, 0x0A};
  CHECK(element_length(gsv) == 12);
  CHECK(element_length(std::span(gsv).first(10)) == 0);
  Bytes dle{0x10, 0x04, 0x02};
  CHECK(element_length(dle) == 3);
  Bytes unk{0x1B, 0x7F, 0x00};
  bool known = true;
  CHECK(element_length(unk, &known) == 2);
  CHECK_FALSE(known);
}

TEST_CASE("IEEE 1284 device ID") {
  std::string body = "MFG:EPSON;CMD:ESCP9,PRPII9,BDC;MDL:DFX-9000;CLS:PRINTER;DES:EPSON DFX-9000;";
  Bytes r{0x00, static_cast<std::uint8_t>(body.size() + 2)};
  r.insert(r.end(), body.begin(), body.end());
  auto id = parse_device_id(r);
  CHECK(id.manufacturer() == "EPSON");
  CHECK(id.model() == "DFX-9000");
  CHECK(id.fields.at("CLS") == "PRINTER");
  // Little-endian length (some printers) still parses.
  Bytes le{static_cast<std::uint8_t>(body.size() + 2), 0x00};
  le.insert(le.end(), body.begin(), body.end());
  CHECK(parse_device_id(le).model() == "DFX-9000");
  CHECK_THROWS_AS(parse_device_id(Bytes{0x00}), DeviceIdError);
  CHECK_THROWS_AS(parse_device_id(Bytes{0x00, 0x05, 'x', 'y', 'z'}), DeviceIdError);
}
