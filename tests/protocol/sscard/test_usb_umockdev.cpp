// The real libusb CCID path (UsbCcidPort: descriptor discovery, claim, bulk, interrupt) against the
// CCID device model emulated through umockdev (linked libumockdev-preload, no root, no hardware).
#include <catch2/catch.hpp>

#include "drivers/sscard/sim/umockdev_ccid.hpp"
#include "drivers/sscard/sscard_app.hpp"
#include "drivers/sscard/usb_port.hpp"

using namespace kiosk::sscard;
using namespace std::chrono_literals;

namespace {
std::shared_ptr<sim::CcidDeviceModel> make_model(ccid::ExchangeLevel l, int slots) {
  sim::CcidDeviceConfig c;
  c.level = l;
  c.slots = slots;
  return std::make_shared<sim::CcidDeviceModel>(c);
}
}  // namespace

TEST_CASE("libusb + umockdev: discovery, gen-2 T=0 read, slot change interrupts, card pulled, unplug") {
  auto model = make_model(ccid::ExchangeLevel::Tpdu, 1);
  auto card = std::make_shared<sim::SsCardModel>(sim::load_named_fixture("gen2"));
  sim::UmockdevCcid usb(model);

  auto found = list_usb_ccid();
  REQUIRE(found.size() == 1);
  CHECK(found[0].vid == 0x08E6);
  CHECK(found[0].descriptor.exchange_level() == ccid::ExchangeLevel::Tpdu);
  CHECK(found[0].descriptor.max_message_length == 271);

  auto reader = std::make_shared<CcidReader>(open_usb_ccid({}));
  CHECK(reader->port().has_interrupt());
  CcidTerminal term(reader, 0);
  CHECK_FALSE(term.card_present());
  CHECK(term.wait_event(100ms) == SlotEvent::None);

  model->insert(0, card);
  CHECK(term.wait_event(2s) == SlotEvent::CardInserted);
  CHECK(term.power_on().t0);
  SsCardApp app(term);
  auto c = app.read();
  CHECK(c.name == "张三丰");
  CHECK(c.ss_number == "410101199001011234");
  CHECK(c.region_code == "410100");
  CHECK(app.channel().apdus() == 5);
  std::string pin = "123456";
  CHECK(app.verify_pin(pin).kind == PinResult::Kind::Ok);

  // Time extension over real bulk transfers.
  sim::DeviceFaults f;
  f.time_extensions = 3;
  model->set_faults(f);
  CHECK(app.read().card_number == "A00000001");

  // Card pulled mid-APDU.
  f = {};
  f.pull_on_xfr = model->xfr_count() + 1;
  model->set_faults(f);
  try {
    app.read();
    FAIL("read survived the card being pulled");
  } catch (const SsCardError& e) {
    CHECK(e.kind() == ErrorKind::NoCard);
  }
  CHECK(term.wait_event(2s) == SlotEvent::CardRemoved);
  model->set_faults({});

  // An idle wait on the interrupt pipe sleeps in poll() (FIFO wake-up), it does not spin.
  const int before = usb.reaps_empty();
  CHECK(term.wait_event(300ms) == SlotEvent::None);
  CHECK(usb.reaps_empty() - before < 50);

  // Reader unplugged.
  usb.unplug();
  try {
    term.card_present();
    FAIL("reader still answers");
  } catch (const SsCardError& e) {
    CHECK((e.kind() == ErrorKind::ReaderGone || e.kind() == ErrorKind::Io));
  }
}

TEST_CASE("libusb + umockdev: gen-3 T=1 TPDU reader with chaining, WTX and a PSAM slot; mute card") {
  auto model = make_model(ccid::ExchangeLevel::Tpdu, 2);
  auto fx = sim::load_named_fixture("gen3");
  model->insert(0, std::make_shared<sim::SsCardModel>(fx));
  model->insert(1, std::make_shared<sim::PsamModel>(fx.psam_key));
  sim::UmockdevCcid usb(model);
  auto reader = std::make_shared<CcidReader>(open_usb_ccid({}));
  CcidTerminal term(reader, 0), psam_term(reader, 1);
  CHECK(term.power_on().t1);
  sim::DeviceFaults f;
  f.wtx_requests = 1;
  model->set_faults(f);
  PsamOnTerminal psam(psam_term);
  SsCardApp app(term, &psam);
  auto c = app.read();
  CHECK(c.generation == 3);
  CHECK(c.name == "欧阳娜娜");
  CHECK(c.gender == "女");
  CHECK(c.needs_psam.empty());

  f = {};
  f.mute = true;
  model->set_faults(f);
  try {
    term.power_on();
    FAIL("mute card powered");
  } catch (const SsCardError& e) {
    CHECK(e.kind() == ErrorKind::Mute);
  }
}

TEST_CASE(
    "libusb + umockdev: short-APDU reader — bad ATR rejected, a card without SSSE (6A82) is NotSsCard") {
  auto model = make_model(ccid::ExchangeLevel::ShortApdu, 1);
  sim::UmockdevCcid usb(model);
  auto reader = std::make_shared<CcidReader>(open_usb_ccid({}));
  CcidTerminal term(reader, 0);

  auto bad = sim::load_named_fixture("gen2");
  bad.atr = from_hex("3B6D0000008100");  // historical bytes cut short
  model->insert(0, std::make_shared<sim::SsCardModel>(bad));
  CHECK(term.wait_event(2s) == SlotEvent::CardInserted);
  try {
    term.power_on();
    FAIL("bad ATR accepted");
  } catch (const SsCardError& e) {
    CHECK(e.kind() == ErrorKind::BadAtr);
  }
  model->remove(0);
  CHECK(term.wait_event(2s) == SlotEvent::CardRemoved);

  auto other = sim::load_named_fixture("gen2");
  other.ssse = false;
  model->insert(0, std::make_shared<sim::SsCardModel>(other));
  CHECK(term.wait_event(2s) == SlotEvent::CardInserted);
  CHECK(term.power_on().t0);
  SsCardApp app(term);
  try {
    app.read();
    FAIL("read a card without SSSE");
  } catch (const SsCardError& e) {
    CHECK(e.kind() == ErrorKind::NotSsCard);
  }
}
