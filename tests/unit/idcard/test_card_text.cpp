#include <catch2/catch.hpp>

#include "drivers/idcard/card_text.hpp"
#include "drivers/idcard/sim/simulator.hpp"

using namespace kiosk::idcard;

namespace {
Bytes field(std::string_view utf8, std::size_t len) {
  Bytes b = utf8_to_ucs2le(utf8);
  while (b.size() < len) {
    b.push_back(0x20);
    b.push_back(0);
  }
  return b;
}
void put(Bytes& block, std::size_t off, std::string_view s, std::size_t len) {
  auto f = field(s, len);
  REQUIRE(f.size() == len);
  std::copy(f.begin(), f.end(), block.begin() + static_cast<std::ptrdiff_t>(off));
}
}  // namespace

TEST_CASE("resident block built by hand from the GA/T 490 offsets", "[idcard][text]") {
  Bytes b = field("", 256);
  put(b, 0, "张文三", 30);
  put(b, 30, "1", 2);
  put(b, 32, "01", 4);
  put(b, 36, "19900307", 16);
  put(b, 52, "河南省郑州市金水区经三路１２号", 70);
  put(b, 122, "41010519900307123X", 36);
  put(b, 158, "郑州市公安局金水分局", 30);
  put(b, 188, "20150610", 16);
  // 长期 = 7F 95 1F 67 + six spaces
  const std::uint8_t longterm[] = {0x7F, 0x95, 0x1F, 0x67};
  std::copy(std::begin(longterm), std::end(longterm), b.begin() + 204);
  auto d = decode_text(b);
  CHECK(d.kind == CardKind::Resident);
  CHECK(d.name == "张文三");
  CHECK(d.gender == "男");
  CHECK(d.ethnicity == "汉");
  CHECK(d.birth_date == "19900307");
  CHECK(d.address == "河南省郑州市金水区经三路１２号");
  CHECK(d.id_number == "41010519900307123X");
  CHECK(d.issuing_authority == "郑州市公安局金水分局");
  CHECK(d.valid_from == "20150610");
  CHECK(d.valid_until == "长期");
  CHECK(d.long_term());
  CHECK(d.region_code == "410105");
  CHECK(encode_text(d) == b);
}

TEST_CASE("card type marker selects the layout", "[idcard][text]") {
  auto cards = sim::load_fixtures(sim::default_fixture_path());
  REQUIRE(cards.size() >= 6);
  int kinds[4] = {};
  for (auto& c : cards) {
    Bytes block = encode_text(c.document);
    REQUIRE(block.size() == 256);
    auto d = decode_text(block);
    CHECK(d.kind == c.document.kind);
    CHECK(d.id_number == c.document.id_number);
    CHECK(d.name == c.document.name);
    CHECK(d.name_en == c.document.name_en);
    ++kinds[static_cast<int>(d.kind)];
    switch (d.kind) {
      case CardKind::Resident:
        CHECK(block[248] == 0x20);
        break;
      case CardKind::ForeignPermanent2017:
        CHECK(block[248] == 'I');
        CHECK(d.nationality == "USA");
        break;
      case CardKind::HkMacauTaiwan:
        CHECK(block[248] == 'J');
        CHECK(d.pass_number == "H12345678");
        CHECK(d.issue_count == "02");
        CHECK(d.region_code == "810000");
        break;
      case CardKind::ForeignPermanent2023:
        CHECK(block[248] == 'Y');
        CHECK(d.name_en == "SMITH JOHN WILLIAM EXAMPLE TESTCASE");
        break;
    }
  }
  for (int k : kinds) CHECK(k > 0);
}

TEST_CASE("2023 card splits a long English name over two fields", "[idcard][text]") {
  IdentityDocument d;
  d.kind = CardKind::ForeignPermanent2023;
  d.name_en = "ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJKLMNOPQRS";  // 46 chars
  d.gender_code = "2";
  d.id_number = "911840198001011235";
  d.birth_date = "19800101";
  d.valid_until = "20331201";
  Bytes b = encode_text(d);
  CHECK(b[52] == 'A');
  CHECK(b[220] == 'I');  // char 36 is the 'I' of the second alphabet
  CHECK(decode_text(b).name_en == d.name_en);
}

TEST_CASE("bad text blocks give clear errors", "[idcard][text]") {
  CHECK_THROWS_WITH(decode_text(Bytes(100)), Catch::Contains("expected 256"));
  Bytes b = field("", 256);
  CHECK_THROWS_WITH(decode_text(b), Catch::Contains("empty ID number"));
  put(b, 0, "张文三", 30);
  put(b, 30, "1", 2);
  put(b, 36, "19900307", 16);
  put(b, 122, "410105199003071230", 36);
  put(b, 204, "20350610", 16);
  CHECK_THROWS_WITH(decode_text(b), Catch::Contains("bad check digit"));
  put(b, 122, "41010519900307123X", 36);
  CHECK_NOTHROW(decode_text(b));
  put(b, 30, "7", 2);
  CHECK_THROWS_WITH(decode_text(b), Catch::Contains("unknown gender"));
  put(b, 30, "1", 2);
  b[0] = 0x00;
  b[1] = 0xD8;  // lone high surrogate
  CHECK_THROWS_WITH(decode_text(b), Catch::Contains("surrogate"));
}

TEST_CASE("code tables", "[idcard][text]") {
  CHECK(std::string(ethnicity_name("01")) == "汉");
  CHECK(std::string(ethnicity_name("08")) == "壮");
  CHECK(std::string(ethnicity_name("46")) == "德昂");
  CHECK(std::string(ethnicity_name("56")) == "基诺");
  CHECK(std::string(ethnicity_name("97")) == "其他");
  CHECK(std::string(ethnicity_name("98")) == "外国血统中国籍人士");
  CHECK(std::string(ethnicity_name("57")).empty());
  CHECK(gender_bilingual("2") == "女 / female");
  CHECK(std::string(gender_name("9")) == "未说明");
}
