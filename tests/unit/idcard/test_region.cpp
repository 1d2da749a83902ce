#include <catch2/catch.hpp>

#include "drivers/idcard/region.hpp"

using namespace kiosk::idcard;

TEST_CASE("ISO 7064 MOD 11-2 check digit", "[idcard][region]") {
  CHECK(id_check_char("41010519900307123") == 'X');
  CHECK(id_check_char("13010219851120246") == '9');
  CHECK(id_check_char("44030419780615135") == '7');
  CHECK(id_check_char("4101051990030712") == '\0');
  CHECK(check_id_number("41010519900307123X") == IdCheck::Ok);
  CHECK(check_id_number("410105199003071230") == IdCheck::BadChecksum);
  CHECK(check_id_number("41010519900307123x") == IdCheck::BadCharacter);
  CHECK(check_id_number("4101051990030712") == IdCheck::BadLength);
  CHECK(check_id_number("410105199002301232") == IdCheck::BadBirthDate);  // 30 Feb, check digit valid
  CHECK(check_id_number("410105900307123") == IdCheck::Ok);               // first generation, 15 digits
  CHECK(check_id_number("911840198001011235") == IdCheck::Ok);            // 2023 永居证
}

TEST_CASE("region table loads the union of revisions", "[idcard][region]") {
  const auto& t = RegionTable::default_table();
  CHECK(t.size() > 6000);
  auto r = t.lookup("410105");
  REQUIRE(r);
  CHECK(r->province == "河南省");
  CHECK(r->city == "郑州市");
  CHECK(r->county == "金水区");
  CHECK(r->current);
  CHECK(r->full_name() == "河南省 郑州市 金水区");
  auto bj = t.lookup("110101");
  REQUIRE(bj);
  CHECK(bj->city.empty());  // 市辖区 is not a name
  CHECK(bj->full_name() == "北京市 东城区");
  auto old = t.lookup("132100");  // 邯郸地区, abolished 1993
  REQUIRE(old);
  CHECK_FALSE(old->current);
  CHECK(t.lookup("440304")->full_name() == "广东省 深圳市 福田区");
  CHECK(t.lookup("810000")->province == "香港特别行政区");
  CHECK_FALSE(t.lookup("990000"));
  CHECK_FALSE(t.lookup("41x105"));
  CHECK(t.province_code("41010519900307123X") == "410000");
  CHECK(check_id_number("41010519900307123X", &t) == IdCheck::Ok);
  CHECK(check_id_number("580105199003071236", &t) == IdCheck::UnknownRegion);
}

TEST_CASE("region table rejects a bad file", "[idcard][region]") {
  CHECK_THROWS_WITH(RegionTable::load("/nonexistent/gb2260.tsv"), Catch::Contains("cannot open"));
}
