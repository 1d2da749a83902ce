#include <catch2/catch.hpp>

#include "kiosk/core/mask.hpp"

using namespace kiosk::core;

TEST_CASE("names are masked keeping first and last character") {
  CHECK(mask_name("张三丰") == "张*丰");
  CHECK(mask_name("张三") == "张*");
  CHECK(mask_name("欧阳娜娜") == "欧**娜");
  CHECK(mask_name("王") == "*");
  CHECK(mask_name("") == "");
  CHECK(mask_name("ZHANG SAN") == "Z**** S**");
}

TEST_CASE("ID numbers keep the first and last four characters") {
  CHECK(mask_id("41010219900101123X") == "4101**********123X");
  CHECK(mask_id("410102199001011234") == "4101**********1234");
  CHECK(mask_id("A1234567") == "A1****67");
  CHECK(mask_token("abcdef") == "tok[6]");
}

TEST_CASE("scrub masks ID-like digit runs inside free text") {
  CHECK(scrub("read 410102199001011234 ok") == "read 4101**********1234 ok");
  CHECK(scrub("id=41010219900101123X.") == "id=4101**********123X.");
  CHECK(scrub("card 1234567890123456789") == "card 1234***********6789");
  CHECK(scrub("short 12345 numbers 2026") == "short 12345 numbers 2026");
}
