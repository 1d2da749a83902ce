// The real UsbTransport (libusb) + Reader/CardPoller against an emulated USB reader on umockdev.
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

#include "drivers/idcard/reader.hpp"
#include "drivers/transport/usb.hpp"
#include "usb_emulator.hpp"

using namespace kiosk;
using namespace kiosk::idcard;
using namespace std::chrono_literals;

TEST_CASE("USB: libusb bulk reader against umockdev, with unplug and recovery", "[idcard][protocol][usb]") {
  idcard_test::UsbReaderEmulator dev;  // before any libusb_init in this process
  auto cards = sim::load_fixtures(sim::default_fixture_path());
  transport::UsbOptions o;
  std::tie(o.vid, o.pid) = transport::parse_vid_pid("0400:C35A");
  CHECK_THROWS_AS(transport::parse_vid_pid("0400"), transport::TransportError);

  {
    auto t = transport::UsbTransport::open(o);
    CHECK(t->kernel_driver_was_detached());
    CHECK_FALSE(dev.kernel_driver_bound());
    CHECK(t->describe() == "usb:0400:c35a");
    ReaderOptions ro;
    ro.command_timeout = 200ms;
    ro.read_timeout = 500ms;
    Reader r(*t, ro);
    CHECK(r.sam_status() == 0x90);
    CHECK_FALSE(r.read_card());
    for (auto& c : cards) {
      dev.place_card(c);
      auto got = r.read_card();
      REQUIRE(got);
      CHECK(got->document.id_number == c.document.id_number);
      CHECK(got->photo_wlt == c.photo);
    }
    CHECK(dev.submitted_urbs() > 0);
  }
  // Releasing the device re-attaches the kernel driver it took over.
  CHECK(dev.kernel_driver_bound());

  o.vid = 0x1234;
  try {
    transport::UsbTransport::open(o);
    FAIL("no throw");
  } catch (const transport::TransportError& e) {
    CHECK(e.kind() == transport::ErrorKind::NotFound);
  }
  o.vid = 0x0400;

  PollerOptions po;
  po.reader.command_timeout = 200ms;
  po.reader.read_timeout = 500ms;
  po.reader.retries = 1;
  CardPoller p([&] { return transport::UsbTransport::open(o); }, po);
  // Hotplug notifications (blocking event thread, no polling loop).
  REQUIRE(transport::UsbHotplug::supported());
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0, left = 0;
  transport::UsbHotplug hp(0x0400, 0xC35A, [&](bool in) {
    std::lock_guard lock(mu);
    ++(in ? arrived : left);
    cv.notify_all();
  });
  auto wait_for = [&](int& counter) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 2s, [&] { return counter > 0; });
  };

  dev.place_card(cards.front());
  REQUIRE(p.step().kind == PollEvent::Kind::CardRead);
  CHECK(p.step().kind == PollEvent::Kind::None);
  dev.unplug();
  CHECK(wait_for(left));
  auto f = p.step();
  CHECK(f.kind == PollEvent::Kind::Fault);
  CHECK(f.detail.find("usb:0400:c35a") != std::string::npos);
  CHECK(p.step().kind == PollEvent::Kind::None);  // still unplugged: quiet retries
  dev.replug();
  CHECK(wait_for(arrived));
  CHECK(p.step().kind == PollEvent::Kind::Recovered);
  CHECK(p.step().kind == PollEvent::Kind::CardRead);
}

TEST_CASE("USB: HID-class (interrupt) and CDC-ACM readers carry the same find/select/read",
          "[idcard][protocol][usb]") {
  auto cards = sim::load_fixtures(sim::default_fixture_path());
  REQUIRE_FALSE(cards.empty());
  ReaderOptions ro;
  ro.command_timeout = 200ms;
  ro.read_timeout = 500ms;
  transport::UsbOptions o;
  std::tie(o.vid, o.pid) = transport::parse_vid_pid("0400:C35A");

  SECTION("interrupt endpoints (HID-class reader, usbhid detached)") {
    idcard_test::UsbReaderEmulator dev(idcard_test::UsbAttach::Interrupt);
    o.mode = transport::UsbOptions::Mode::Interrupt;
    {
      auto t = transport::UsbTransport::open(o);
      CHECK_FALSE(dev.kernel_driver_bound());
      Reader r(*t, ro);
      CHECK(r.sam_status() == 0x90);
      dev.place_card(cards.front());
      auto got = r.read_card();
      REQUIRE(got);
      CHECK(got->document.id_number == cards.front().document.id_number);
      CHECK(got->photo_wlt == cards.front().photo);
    }
    CHECK(dev.kernel_driver_bound());
    // The bulk attachment cannot talk to an interrupt-only reader: a typed error, not a hang.
    o.mode = transport::UsbOptions::Mode::Bulk;
    auto t = transport::UsbTransport::open(o);
    const std::uint8_t reset[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x10, 0xFF, 0xEC};
    CHECK_THROWS_AS(t->write(reset, 200ms), transport::TransportError);
  }

  SECTION("CDC-ACM bridge: line coding and DTR/RTS on the control interface, data on the bulk interface") {
    idcard_test::UsbReaderEmulator dev(idcard_test::UsbAttach::CdcAcm);
    o.mode = transport::UsbOptions::Mode::CdcAcm;
    o.interface = 1;
    o.cdc_control_interface = 0;
    o.cdc_baud = 115200;
    {
      auto t = transport::UsbTransport::open(o);
      CHECK_FALSE(dev.kernel_driver_bound(0));  // cdc_acm let go of both interfaces
      CHECK_FALSE(dev.kernel_driver_bound(1));
      CHECK(dev.line_coding_baud() == 115200);
      CHECK(dev.control_line_state() == 3);  // DTR | RTS
      Reader r(*t, ro);
      CHECK(r.sam_status() == 0x90);
      for (auto& c : cards) {
        dev.place_card(c);
        auto got = r.read_card();
        REQUIRE(got);
        CHECK(got->document.id_number == c.document.id_number);
      }
    }
    // Both interfaces go back to cdc_acm when the transport is closed.
    CHECK(dev.kernel_driver_bound(0));
    CHECK(dev.kernel_driver_bound(1));
  }
}
