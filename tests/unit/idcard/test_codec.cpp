#include <catch2/catch.hpp>

#include "drivers/idcard/codec.hpp"

using namespace kiosk::idcard;

TEST_CASE("requests match the published frames byte for byte", "[idcard][codec]") {
  CHECK(to_hex(encode_request(cmd::kResetSam)) == "AA AA AA 96 69 00 03 10 FF EC");
  CHECK(to_hex(encode_request(cmd::kSamStatus)) == "AA AA AA 96 69 00 03 11 FF ED");
  CHECK(to_hex(encode_request(cmd::kSamId)) == "AA AA AA 96 69 00 03 12 FF EE");
  CHECK(to_hex(encode_request(cmd::kFindCard)) == "AA AA AA 96 69 00 03 20 01 22");
  CHECK(to_hex(encode_request(cmd::kSelectCard)) == "AA AA AA 96 69 00 03 20 02 21");
  CHECK(to_hex(encode_request(cmd::kReadBase)) == "AA AA AA 96 69 00 03 30 01 32");
  CHECK(to_hex(encode_request(cmd::kReadBaseFingerprint)) == "AA AA AA 96 69 00 03 30 10 23");
  CHECK(to_hex(encode_request(cmd::kReadExtraAddress)) == "AA AA AA 96 69 00 03 30 03 30");
  const std::uint8_t rf[] = {0x50};
  CHECK(to_hex(encode_request({0x61, 0xFF}, rf)) == "AA AA AA 96 69 00 04 61 FF 50 CA");
  CHECK(to_hex(encode_request({0x60, 0x04})) == "AA AA AA 96 69 00 03 60 04 67");
}

TEST_CASE("published answers decode to typed statuses", "[idcard][codec]") {
  auto sam_ok = decode_response_frame(from_hex("AA AA AA 96 69 00 04 00 00 90 94"));
  CHECK(sam_ok.status() == Status::Ok);
  auto found = decode_response_frame(from_hex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"));
  CHECK(found.status() == Status::CardFound);
  CHECK(found.data.size() == 4);
  auto sel = decode_response_frame(from_hex("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C"));
  CHECK(sel.ok());
  CHECK(sel.data.size() == 8);
  CHECK(decode_response_frame(from_hex("AA AA AA 96 69 00 04 00 00 80 84")).status() ==
        Status::FindCardFailed);
  CHECK(decode_response_frame(from_hex("AA AA AA 96 69 00 04 00 00 81 85")).status() ==
        Status::SelectCardFailed);
  CHECK(decode_response_frame(from_hex("AA AA AA 96 69 00 04 00 00 41 45")).status() ==
        Status::ReadCardFailed);
  CHECK(decode_response_frame(from_hex("AA AA AA 96 69 00 04 00 00 32 36")).status() ==
        Status::SamAuthCardFailed);
}

TEST_CASE("status table is complete and bilingual", "[idcard][codec]") {
  const std::uint8_t all[] = {0x90, 0x9F, 0x91, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31,
                              0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81};
  for (auto c : all) {
    CHECK(is_known_status(c));
    CHECK(describe_status(c).find(" / ") != std::string::npos);
  }
  CHECK_FALSE(is_known_status(0x55));
  CHECK(describe_status(0x55) == "未知状态 / unknown status 0x55");
  CHECK(is_sam_fault(0x60));
  CHECK_FALSE(is_sam_fault(0x80));
}

TEST_CASE("scanner resynchronises after garbage and keeps partial frames", "[idcard][codec]") {
  // Real capture shape: AA 00 AA AA 96 69 … (garbage before the preamble).
  Bytes buf = from_hex("AA 00 AA AA AA 96 69 00 04 00 00 90 94 DE AD");
  auto s = scan_frame(buf, 4);
  REQUIRE(s.kind == Scan::Kind::Frame);
  CHECK(s.skipped == 2);
  CHECK(s.consumed == 13);
  CHECK(parse_response(s.body).sw3 == 0x90);

  Bytes frame = encode_response(0, 0, 0x9F, Bytes(4, 0));
  for (std::size_t cut = 0; cut < frame.size(); ++cut) {
    Bytes part(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(cut));
    auto p = scan_frame(part, 4);
    REQUIRE(p.kind == Scan::Kind::NeedMore);
    part.erase(part.begin(), part.begin() + static_cast<std::ptrdiff_t>(p.consumed));
    part.insert(part.end(), frame.begin() + static_cast<std::ptrdiff_t>(cut), frame.end());
    auto full = scan_frame(part, 4);
    REQUIRE(full.kind == Scan::Kind::Frame);
    CHECK(parse_response(full.body).sw3 == 0x9F);
  }
}

TEST_CASE("wrong checksum and bad lengths are clear errors", "[idcard][codec]") {
  Bytes bad = from_hex("AA AA AA 96 69 00 04 00 00 90 95");
  auto s = scan_frame(bad, 4);
  REQUIRE(s.kind == Scan::Kind::Error);
  CHECK(s.error_kind == CodecError::Kind::BadChecksum);
  CHECK(s.error == "checksum mismatch: frame has 0x95, computed 0x94 (LEN 4)");
  CHECK(s.consumed == bad.size());
  CHECK_THROWS_AS(decode_response_frame(bad), CodecError);

  auto huge = scan_frame(from_hex("AA AA AA 96 69 FF FF 00"), 4);
  CHECK(huge.kind == Scan::Kind::Error);
  CHECK(huge.error_kind == CodecError::Kind::BadLength);
  CHECK(huge.consumed == 5);
  auto tiny = scan_frame(from_hex("AA AA AA 96 69 00 01 00"), 4);
  CHECK(tiny.kind == Scan::Kind::Error);

  // Sign-extension trap (LEN byte ≥ 0x80 in a Java reader): we compute it unsigned and bound it.
  auto hi = scan_frame(from_hex("AA AA AA 96 69 00 90 00 00"), 4);
  CHECK(hi.kind == Scan::Kind::NeedMore);
  try {
    decode_response_frame(from_hex("00 11 22"));
    FAIL("no throw");
  } catch (const CodecError& e) {
    CHECK(std::string(e.what()).find("no frame preamble") != std::string::npos);
  }
}

TEST_CASE("base record lengths come from the header", "[idcard][codec]") {
  BaseRecord r;
  r.text.assign(256, 0x20);
  r.photo.assign(1024, 0x11);
  Bytes data = encode_base_record(r, false);
  CHECK(data.size() == 1284);
  Bytes frame = encode_response(0, 0, 0x90, data);
  CHECK(frame.size() == 1295);
  CHECK(to_hex(std::span(frame).first(14)) == "AA AA AA 96 69 05 08 00 00 90 01 00 04 00");
  auto back = parse_base_record(decode_response_frame(frame).data, false);
  CHECK(back.photo == r.photo);

  r.fingerprint.assign(1024, 0x22);
  Bytes fp = encode_response(0, 0, 0x90, encode_base_record(r, true));
  CHECK(fp.size() == 2321);
  CHECK(to_hex(std::span(fp).first(16)) == "AA AA AA 96 69 09 0A 00 00 90 01 00 04 00 04 00");
  r.fingerprint.clear();
  CHECK(encode_response(0, 0, 0x90, encode_base_record(r, true)).size() == 1297);

  data.pop_back();
  CHECK_THROWS_WITH(parse_base_record(data, false), Catch::Contains("header announces"));
}

TEST_CASE("hex input is tolerant of formatting but not of junk", "[idcard][codec]") {
  CHECK(from_hex("0xAA, 0x96 69\n") == Bytes{0xAA, 0x96, 0x69});
  CHECK_THROWS_AS(from_hex("AG"), std::invalid_argument);
  CHECK_THROWS_AS(from_hex("AAA"), std::invalid_argument);
}
