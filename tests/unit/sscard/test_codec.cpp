#include <catch2/catch.hpp>

#include "drivers/sscard/apdu.hpp"
#include "drivers/sscard/atr.hpp"
#include "drivers/sscard/ccid_codec.hpp"
#include "drivers/sscard/records.hpp"
#include "drivers/sscard/t1.hpp"

using namespace kiosk::sscard;

TEST_CASE("ATR of a real 社保卡 (T=0 only, 13 historical bytes)") {
  const Atr a = parse_atr(from_hex("3B 6D 00 00 00 81 00 88 43 86 65 33 01 01 14 F1 99"));
  CHECK(a.t0);
  CHECK_FALSE(a.t1);
  CHECK_FALSE(a.ta1);
  CHECK(a.historical.size() == 13);
  CHECK(a.historical[1] == 0x81);  // chip maker 华大
  CHECK(a.preferred_protocol() == 0);
  CHECK(a.fi() == 372);
}

TEST_CASE("ATR with T=1, TA1, IFSC and TCK") {
  // 3B 96 11 81 31 10 45 "SSCARD"(no, 6 hist) — built: T0=96 → TA1 TD1, K=6
  Bytes raw = from_hex("3B961181311045");
  raw.insert(raw.end(), {'S', 'S', 'C', 'A', 'R', 'D'});
  std::uint8_t tck = 0;
  for (std::size_t i = 1; i < raw.size(); ++i) tck ^= raw[i];
  raw.push_back(tck);
  const Atr a = parse_atr(raw);
  CHECK(a.t1);
  CHECK_FALSE(a.t0);
  REQUIRE(a.ta1);
  CHECK(*a.ta1 == 0x11);
  CHECK(a.t1_ifsc == 0x10);
  CHECK(a.t1_bwi == 4);
  CHECK(a.t1_cwi == 5);
  CHECK(a.tck_present);
  raw.back() ^= 1;
  CHECK_THROWS_AS(parse_atr(raw), SsCardError);
}

TEST_CASE("bad ATRs are rejected with BadAtr") {
  for (const char* h : {"", "3B", "00 6D 00 00", "3B 6D 00 00 00", "3B 80", "3B 00 FF"}) {
    INFO(h);
    try {
      parse_atr(from_hex(h));
      FAIL("accepted");
    } catch (const SsCardError& e) {
      CHECK(e.kind() == ErrorKind::BadAtr);
    }
  }
}

TEST_CASE("CCID message round trip and dwLength checks") {
  ccid::Message m;
  m.type = ccid::PC_to_RDR_XfrBlock;
  m.slot = 1;
  m.seq = 7;
  m.param = {4, 0x10, 0};
  m.data = from_hex("00A4040000");
  const Bytes wire = ccid::encode(m);
  CHECK(hex(wire) == "6F05000000010704100000A4040000");
  const auto back = ccid::decode(wire);
  CHECK(back.type == m.type);
  CHECK(back.seq == 7);
  CHECK(back.data == m.data);
  Bytes shorter(wire.begin(), wire.end() - 1);
  CHECK_THROWS_AS(ccid::decode(shorter), SsCardError);
  CHECK_THROWS_AS(ccid::decode(wire, 12), SsCardError);
  CHECK_THROWS_AS(ccid::decode(from_hex("800000")), SsCardError);
}

TEST_CASE("bStatus / bError mapping") {
  CHECK(ccid::icc_status(0x42) == ccid::IccStatus::Absent);
  CHECK(ccid::command_status(0x80) == ccid::CommandStatus::TimeExtension);
  CHECK(ccid::error_kind(0x42, ccid::ICC_MUTE) == ErrorKind::NoCard);
  CHECK(ccid::error_kind(0x41, ccid::ICC_MUTE) == ErrorKind::Mute);
  CHECK(ccid::error_kind(0x40, ccid::BAD_ATR_TCK) == ErrorKind::BadAtr);
  CHECK(ccid::describe_error(5) == "bad header byte 5");
}

TEST_CASE("class descriptor: exchange level, slots, voltages, max message") {
  ccid::Descriptor d;
  d.max_slot_index = 1;
  d.voltage_support = 7;
  d.protocols = 3;
  d.features = 0x000404BA;  // extended APDU
  d.max_message_length = 271;
  const Bytes enc = ccid::encode_descriptor(d);
  REQUIRE(enc.size() == 54);
  // As found after endpoint descriptors in the interface "extra" bytes.
  Bytes extra = from_hex("0705810240000007058202080004");
  extra.insert(extra.end(), enc.begin(), enc.end());
  auto p = ccid::find_descriptor(extra);
  REQUIRE(p);
  CHECK(p->slots() == 2);
  CHECK(p->exchange_level() == ccid::ExchangeLevel::ExtendedApdu);
  CHECK(p->max_message_length == 271);
  CHECK(p->voltage_support == 7);
  d.features = 0x00010000;
  CHECK(ccid::parse_descriptor(ccid::encode_descriptor(d)).exchange_level() == ccid::ExchangeLevel::Tpdu);
  Bytes bad = enc;
  bad[1] = 0x22;
  CHECK_THROWS_AS(ccid::parse_descriptor(bad), SsCardError);
}

TEST_CASE("NotifySlotChange for two slots") {
  std::vector<ccid::SlotChange> ch{{0, false, true}, {1, true, false}};
  const Bytes b = ccid::encode_slot_change(ch, 2);
  CHECK(hex(b) == "5006");
  const auto m = ccid::decode_interrupt(b, 2);
  REQUIRE(m.slots.size() == 2);
  CHECK_FALSE(m.slots[0].present);
  CHECK(m.slots[0].changed);
  CHECK(m.slots[1].present);
  CHECK_FALSE(m.slots[1].changed);
  CHECK(hex(ccid::encode_slot_change(std::vector<ccid::SlotChange>{{0, true, true}}, 1)) == "5003");
  CHECK_THROWS_AS(ccid::decode_interrupt(from_hex("50"), 1), SsCardError);
  CHECK_THROWS_AS(ccid::decode_interrupt(from_hex("77"), 1), SsCardError);
}

TEST_CASE("APDU encode / parse, short and extended") {
  Command sel{0x00, 0xA4, 0x04, 0x00, kSsseName, std::nullopt, false};
  CHECK(hex(sel.encode()) == "00A404000F7378312E73682EC9E7BBE1B1A3D5CF");
  Command rr{0x00, 0xB2, 0x08, 0x30, {}, 20, false};
  CHECK(hex(rr.encode()) == "00B2083014");
  Command big{0x00, 0xB0, 0, 0, {}, 1000, false};
  CHECK_THROWS_AS(big.encode(false), SsCardError);
  CHECK(hex(big.encode(true)) == "00B000000003E8");
  auto p = parse_command(big.encode(true));
  CHECK(p.le == 1000u);
  Command c4{0x80, 0xFA, 0, 0, Bytes(300, 0xAB), 256, false};
  auto q = parse_command(c4.encode(true));
  CHECK(q.data.size() == 300);
  CHECK(q.le == 256u);
  CHECK(parse_command(from_hex("00B2010400")).le == 256u);
  CHECK_THROWS_AS(parse_command(from_hex("00A4040005AABB")), SsCardError);
  CHECK_THROWS_AS(parse_response(from_hex("90")), SsCardError);
}

TEST_CASE("status words as typed results") {
  CHECK(classify(0x9000) == Status::Ok);
  CHECK(classify(0x6118) == Status::BytesAvailable);
  CHECK(classify(0x6C0B) == Status::WrongLe);
  CHECK(classify(0x63C2) == Status::VerifyFailed);
  CHECK(classify(0x6983) == Status::Blocked);
  CHECK(classify(0x6A82) == Status::FileNotFound);
  CHECK(classify(0x6A83) == Status::RecordNotFound);
  CHECK(describe_sw(0x6A82) == "6A82 (file not found)");
}

TEST_CASE("T=1 blocks: codec and LRC") {
  auto i = t1::Block::i_block(true, true, from_hex("00A40400"));
  const Bytes w = t1::encode(i);
  CHECK(hex(w) ==
        "006004"
        "00A40400"
        "C4");
  auto d = t1::decode(w);
  CHECK(d.type() == t1::BlockType::I);
  CHECK(d.ns());
  CHECK(d.more());
  CHECK(t1::decode(t1::encode(t1::Block::r_block(true))).nr());
  auto s = t1::decode(t1::encode(t1::Block::s_block(t1::Wtx, false, {3})));
  CHECK(s.type() == t1::BlockType::S);
  CHECK(s.s_type() == t1::Wtx);
  Bytes bad = w;
  bad[3] ^= 1;
  CHECK_THROWS_AS(t1::decode(bad), SsCardError);
  CHECK_THROWS_AS(t1::decode(from_hex("0000")), SsCardError);
}

TEST_CASE("T=1 host: chaining both ways, WTX and a corrupted block") {
  // Scripted card: IFSC 4, replies in two chained blocks, asks WTX once, corrupts one block.
  t1::HostProtocol host(4);
  std::vector<Bytes> seen;
  int step = 0;
  bool card_ns = false;
  auto card = [&](const Bytes& block, int wtx) -> Bytes {
    seen.push_back(block);
    const auto b = t1::decode(block);
    ++step;
    if (b.type() == t1::BlockType::I && b.more()) return t1::encode(t1::Block::r_block(!b.ns()));
    if (b.type() == t1::BlockType::I) return t1::encode(t1::Block::s_block(t1::Wtx, false, {5}));
    if (b.type() == t1::BlockType::S) {
      CHECK(wtx == 5);
      Bytes corrupt = t1::encode(t1::Block::i_block(card_ns, true, {0x01, 0x02}));
      corrupt.back() ^= 0xFF;
      return corrupt;
    }
    // R-blocks: first an error (re-send), then acks for the chained response.
    if (b.r_error()) return t1::encode(t1::Block::i_block(card_ns, true, {0x01, 0x02}));
    card_ns = !card_ns;
    return t1::encode(t1::Block::i_block(card_ns, false, {0x90, 0x00}));
  };
  const Bytes apdu = from_hex("00B2083014AABB");  // 7 bytes → 2 I-blocks at IFSC 4
  const Bytes r = host.transceive(apdu, card);
  CHECK(hex(r) == "01029000");
  CHECK(step == 5);  // I(more), I(last), S(WTX resp), R(err), R(ack)
}

TEST_CASE("SIMPLE-TLV records and the typed card") {
  auto rec = [](std::uint8_t t, Bytes v) { return encode_simple_tlv({t, std::move(v)}); };
  std::map<std::uint8_t, Bytes> m;
  m[0x01] = from_hex("330100D15600000501000000000000A1");
  m[0x03] = Bytes{'3', '.', '0', '0'};
  m[0x05] = from_hex("20200315");
  m[0x06] = from_hex("2030FFFF");
  m[0x07] = Bytes{'A', '0', '0', '0', '0', '0', '0', '0', '1'};
  m[0x08] = Bytes{'4', '1', '0', '1', '0', '1', '1', '9', '9', '0', '0', '1', '0', '1', '1', '2', '3', '4'};
  Bytes name = utf8_to_gbk("张三");
  name.resize(30, 0x20);
  m[0x09] = name;
  m[0x0A] = Bytes{'2'};
  m[0x0C] = from_hex("4101FF");
  Bytes all;
  for (auto& [t, v] : m) {
    auto e = rec(t, v);
    all.insert(all.end(), e.begin(), e.end());
  }
  all.insert(all.end(), {0xFF, 0xFF});  // padding
  const auto parsed = parse_simple_tlv(all);
  REQUIRE(parsed.size() == m.size());
  std::map<std::uint8_t, Bytes> back;
  for (auto& r : parsed) back[r.tag] = r.value;
  back[0x06] = from_hex("20300315");
  auto c = build_card(back);
  CHECK(c.generation == 3);
  CHECK(c.region_code == "330100");
  CHECK(c.name == "张三");
  CHECK(c.gender == "女");
  CHECK(c.card_number == "A00000001");
  CHECK(c.birth_place == "4101");
  CHECK(c.valid_until == "20300315");
  c.wipe();
  CHECK(c.name.empty());
  CHECK(c.ss_number.empty());
  back.erase(0x08);
  CHECK_THROWS_AS(build_card(back), SsCardError);
  CHECK_NOTHROW(build_card(back, {0x08}));
  CHECK_THROWS_AS(parse_simple_tlv(from_hex("0110AABB")), SsCardError);
  CHECK_THROWS_AS(decode_cn(from_hex("2A")), SsCardError);
}
