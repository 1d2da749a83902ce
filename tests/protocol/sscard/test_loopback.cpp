// The real CCID driver + APDU layer + 社保卡 app against the card model behind the CCID device model,
// over the in-process loopback (bulk + interrupt endpoints).
#include <catch2/catch.hpp>
#include <thread>

#include "drivers/sscard/sim/loopback_device.hpp"
#include "drivers/sscard/sscard_app.hpp"

using namespace kiosk::sscard;
using namespace std::chrono_literals;

namespace {
struct Rig {
  std::shared_ptr<sim::CcidDeviceModel> model;
  std::unique_ptr<sim::LoopbackCcidDevice> dev;
  std::shared_ptr<sim::SsCardModel> card;
  std::shared_ptr<CcidReader> reader;
  std::unique_ptr<CcidTerminal> term;

  explicit Rig(sim::CcidDeviceConfig cfg, sim::CardFixture f, CcidOptions opts = {}) {
    model = std::make_shared<sim::CcidDeviceModel>(cfg);
    dev = std::make_unique<sim::LoopbackCcidDevice>(model);
    card = std::make_shared<sim::SsCardModel>(std::move(f));
    model->insert(0, card);
    reader = std::make_shared<CcidReader>(dev->host_port(), opts);
    term = std::make_unique<CcidTerminal>(reader, 0);
    // Drain the insertion notification queued before the host opened the interrupt pipe.
    term->wait_event(50ms);
  }
};

sim::CcidDeviceConfig level(ccid::ExchangeLevel l, int slots = 1, std::uint32_t max_msg = 271) {
  sim::CcidDeviceConfig c;
  c.level = l;
  c.slots = slots;
  c.max_message_length = max_msg;
  return c;
}

void check_gen2(const SocialSecurityCard& c) {
  CHECK(c.generation == 2);
  CHECK(c.spec_version == "2.00");
  CHECK(c.ss_number == "410101199001011234");
  CHECK(c.name == "张三丰");
  CHECK(c.gender == "男");
  CHECK(c.card_number == "A00000001");
  CHECK(c.region_code == "410100");
  CHECK(c.issue_date == "20200315");
  CHECK(c.valid_until == "20300315");
  CHECK(c.birth_date == "19900101");
  CHECK(c.birth_place == "410100");
  CHECK(c.nation == "01");
  CHECK(c.card_type == "3");
  CHECK(c.issuer_code == "410100000000000000000001");
  CHECK(c.needs_psam.empty());
}
}  // namespace

TEST_CASE("gen-2 T=0 card on a short-APDU reader: SSSE, EF05, EF06 in 5 APDUs") {
  Rig r(level(ccid::ExchangeLevel::ShortApdu), sim::load_named_fixture("gen2"));
  const Atr atr = r.term->power_on();
  CHECK(atr.t0);
  CHECK(r.term->protocol() == 0);
  SsCardApp app(*r.term);
  check_gen2(app.read());
  CHECK(app.mode_used() == ReadMode::SfiAllRecords);
  // SELECT (61xx, no Le: no GET RESPONSE) + per file READ RECORDS Le=00 → 6Cxx → re-send.
  CHECK(app.channel().apdus() == 5);
}

TEST_CASE("gen-2 T=0 card on a TPDU reader (SetParameters, case 4 → case 3 + GET RESPONSE)") {
  Rig r(level(ccid::ExchangeLevel::Tpdu), sim::load_named_fixture("gen2"));
  r.term->power_on();
  SsCardApp app(*r.term);
  check_gen2(app.read());
  // A case-4 command through T=0: GET RESPONSE fetches the data.
  Response fci = app.channel().transmit({0x00, 0xA4, 0x04, 0x00, kSsseName, 256, false});
  CHECK(fci.ok());
  REQUIRE(fci.data.size() == 0x18);
  CHECK(fci.data[0] == 0x6F);
}

TEST_CASE("cards without multi-record or SFI reads fall back to SELECT EF + read by identifier") {
  auto f = sim::load_named_fixture("gen2");
  f.read_all_records = false;
  f.sfi_read = false;
  f.ssse_under_mf = true;
  Rig r(level(ccid::ExchangeLevel::ShortApdu), f);
  r.term->power_on();
  SsCardApp app(*r.term);
  check_gen2(app.read());
  CHECK(app.mode_used() == ReadMode::SelectById);
  INFO("APDUs: " << app.channel().apdus());
  CHECK(app.channel().apdus() <= 24);
}

TEST_CASE("gen-3 T=1 card on a TPDU reader: chaining at IFSC 16, PSAM on the second slot") {
  auto f = sim::load_named_fixture("gen3");
  Rig r(level(ccid::ExchangeLevel::Tpdu, 2), f);
  r.model->insert(1, std::make_shared<sim::PsamModel>(f.psam_key));
  const Atr atr = r.term->power_on();
  CHECK(atr.t1);
  CHECK(atr.t1_ifsc == 16);
  CHECK(r.term->protocol() == 1);
  CcidTerminal psam_slot(r.reader, 1);
  PsamOnTerminal psam(psam_slot);
  SsCardApp app(*r.term, &psam);
  auto c = app.read();
  CHECK(c.generation == 3);
  CHECK(c.name == "欧阳娜娜");
  CHECK(c.gender == "女");
  CHECK(c.birth_place == "440300");
  CHECK(c.region_code == "440300");
  CHECK(c.needs_psam.empty());
}

TEST_CASE("gen-3 without a PSAM: the protected fields are reported as needing one") {
  Rig r(level(ccid::ExchangeLevel::Tpdu), sim::load_named_fixture("gen3"));
  r.term->power_on();
  SsCardApp app(*r.term);
  auto c = app.read();
  CHECK(c.ss_number == "44030519850720246X");
  CHECK(c.gender.empty());
  CHECK(c.needs_psam == std::vector<std::uint8_t>{0x0A, 0x0B, 0x0C});
}

TEST_CASE("extended-APDU reader with a small max message: command and response chaining") {
  Rig r(level(ccid::ExchangeLevel::ExtendedApdu, 1, 40), sim::load_named_fixture("gen3"));
  r.term->power_on();
  CHECK(r.term->extended_length());
  SsCardApp app(*r.term);
  auto c = app.read();  // EF05 all-records answer (66 bytes) crosses 3 DataBlocks
  CHECK(c.card_number == "B00000002");
}

TEST_CASE("time extension and T=1 WTX outlast the base timeout; a corrupted T=1 block is repeated") {
  CcidOptions o;
  o.command_timeout = 150ms;
  Rig r(level(ccid::ExchangeLevel::Tpdu), sim::load_named_fixture("gen3"), o);
  r.term->power_on();
  sim::DeviceFaults f;
  f.time_extensions = 2;
  f.wtx_requests = 1;
  f.corrupt_t1_blocks = 1;
  r.model->set_faults(f);
  r.dev->set_extension_delay(100ms);  // answers arrive 200 ms after the command: > 150 ms base
  SsCardApp app(*r.term);
  Response sel = app.channel().transmit({0x00, 0xA4, 0x04, 0x00, kSsseName, std::nullopt, false});
  CHECK(sel.ok());
  r.dev->set_extension_delay(0ms);
  r.model->set_faults({});
  CHECK(app.read().name == "欧阳娜娜");
}

TEST_CASE("faults: pulled mid-APDU, mute card, bad ATR, 6A82, reader unplug") {
  SECTION("card pulled mid-APDU → NoCard, and the interrupt pipe reports the removal") {
    Rig r(level(ccid::ExchangeLevel::ShortApdu), sim::load_named_fixture("gen2"));
    r.term->power_on();
    sim::DeviceFaults f;
    f.pull_on_xfr = r.model->xfr_count() + 2;
    r.model->set_faults(f);
    SsCardApp app(*r.term);
    try {
      app.read();
      FAIL("read succeeded");
    } catch (const SsCardError& e) {
      CHECK(e.kind() == ErrorKind::NoCard);
    }
    CHECK(r.term->wait_event(1s) == SlotEvent::CardRemoved);
    CHECK_FALSE(r.term->card_present());
  }
  SECTION("mute card") {
    Rig r(level(ccid::ExchangeLevel::Tpdu), sim::load_named_fixture("gen2"));
    sim::DeviceFaults f;
    f.mute = true;
    r.model->set_faults(f);
    try {
      r.term->power_on();
      FAIL("powered");
    } catch (const SsCardError& e) {
      CHECK(e.kind() == ErrorKind::Mute);
    }
  }
  SECTION("bad ATR") {
    auto fx = sim::load_named_fixture("gen2");
    fx.atr = from_hex("3B6D0000008100");  // truncated historical bytes
    Rig r(level(ccid::ExchangeLevel::ShortApdu), fx);
    try {
      r.term->power_on();
      FAIL("accepted");
    } catch (const SsCardError& e) {
      CHECK(e.kind() == ErrorKind::BadAtr);
    }
  }
  SECTION("not a social security card (6A82)") {
    auto fx = sim::load_named_fixture("gen2");
    fx.ssse = false;
    Rig r(level(ccid::ExchangeLevel::ShortApdu), fx);
    r.term->power_on();
    SsCardApp app(*r.term);
    try {
      app.read();
      FAIL("read");
    } catch (const SsCardError& e) {
      CHECK(e.kind() == ErrorKind::NotSsCard);
    }
  }
  SECTION("reader unplugged") {
    Rig r(level(ccid::ExchangeLevel::ShortApdu), sim::load_named_fixture("gen2"));
    r.term->power_on();
    r.dev->unplug();
    SsCardApp app(*r.term);
    try {
      app.read();
      FAIL("read");
    } catch (const SsCardError& e) {
      CHECK(e.kind() == ErrorKind::ReaderGone);
    }
    CHECK_THROWS_AS(r.term->wait_event(100ms), SsCardError);
  }
}

TEST_CASE("NotifySlotChange delivers insert and remove without polling") {
  Rig r(level(ccid::ExchangeLevel::ShortApdu), sim::load_named_fixture("gen2"));
  CHECK(r.term->wait_event(50ms) == SlotEvent::None);
  r.model->remove(0);
  CHECK(r.term->wait_event(1s) == SlotEvent::CardRemoved);
  r.model->insert(0, r.card);
  CHECK(r.term->wait_event(1s) == SlotEvent::CardInserted);
  CHECK(r.term->card_present());
}

TEST_CASE("PIN verify: wrong (63Cx), right, blocked (6983); the digits are wiped") {
  Rig r(level(ccid::ExchangeLevel::Tpdu), sim::load_named_fixture("gen2"));
  r.term->power_on();
  SsCardApp app(*r.term);
  app.select_ssse();
  std::string pin = "111111";
  auto res = app.verify_pin(pin);
  CHECK(pin.empty());
  CHECK(res.kind == PinResult::Kind::Wrong);
  CHECK(res.tries_left == 2);
  pin = "123456";
  CHECK(app.verify_pin(pin).kind == PinResult::Kind::Ok);
  CHECK(r.card->pin_tries_left() == 3);
  pin = "12a";
  CHECK(app.verify_pin(pin).kind == PinResult::Kind::Invalid);
  CHECK(pin.empty());
  for (int i = 0; i < 2; ++i) {
    pin = "000000";
    CHECK(app.verify_pin(pin).kind == PinResult::Kind::Wrong);
  }
  pin = "000000";
  auto last = app.verify_pin(pin);
  CHECK(last.kind == PinResult::Kind::Blocked);
  pin = "123456";
  CHECK(app.verify_pin(pin).kind == PinResult::Kind::Blocked);
}

TEST_CASE("an idle CCID device does not wake up; unplugged it sleeps; destruction is prompt", "[idle]") {
  Rig r(level(ccid::ExchangeLevel::ShortApdu), sim::load_named_fixture("gen2"));
  CHECK(r.term->card_present());  // the device thread is serving
  auto before = r.dev->wakeups();
  std::this_thread::sleep_for(1100ms);
  CHECK(r.dev->wakeups() == before);
  CHECK(r.term->card_present());

  r.dev->unplug();
  std::this_thread::sleep_for(100ms);  // the thread sees the unplug and goes to sleep
  before = r.dev->wakeups();
  std::this_thread::sleep_for(500ms);
  CHECK(r.dev->wakeups() == before);  // no 20 ms retry loop while unplugged
  r.dev->replug();
  r.reader = std::make_shared<CcidReader>(r.dev->host_port(), CcidOptions{});
  r.term = std::make_unique<CcidTerminal>(r.reader, 0);
  CHECK(r.term->card_present());

  r.term.reset();
  r.reader.reset();
  const auto t0 = std::chrono::steady_clock::now();
  r.dev.reset();
  CHECK(std::chrono::steady_clock::now() - t0 < 50ms);
}
