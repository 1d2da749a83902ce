#include <catch2/catch.hpp>

#include "drivers/idcard/photo.hpp"

using namespace kiosk::idcard;

TEST_CASE("photo plugin: missing decoder is reported cleanly", "[idcard][photo]") {
  try {
    PhotoDecoder::load({});
    FAIL("no throw");
  } catch (const PhotoError& e) {
    CHECK(e.kind() == PhotoError::Kind::NoDecoder);
  }
  CHECK_THROWS_WITH(PhotoDecoder::load({"/nonexistent/libwlt.so"}), Catch::Contains("photo: no decoder"));
  CHECK_THROWS_WITH(PhotoDecoder::load({FAKE_WLT_PATH, "GetBmp"}), Catch::Contains("symbol GetBmp missing"));
}

TEST_CASE("photo plugin: unpack() is called with the vendor signature", "[idcard][photo]") {
  auto dec = PhotoDecoder::load({FAKE_WLT_PATH, "unpack", 311});
  std::vector<std::uint8_t> wlt(1024, 0x01);
  auto rgb = dec->decode(wlt);
  REQUIRE(rgb.size() == kPhotoRgbSize);
  CHECK(rgb[0] == 0x01);
  CHECK(rgb[5] == 0x06);
  wlt[0] = 0xFF;  // the fake decoder fails on this input
  CHECK_THROWS_WITH(dec->decode(wlt), Catch::Contains("decoder returned -1"));
  CHECK_THROWS_WITH(dec->decode(std::vector<std::uint8_t>(10)), Catch::Contains("expected 1024"));
  auto wrong_flag = PhotoDecoder::load({FAKE_WLT_PATH, "unpack", 310});
  CHECK_THROWS_AS(wrong_flag->decode(std::vector<std::uint8_t>(1024)), PhotoError);
}
