// UsbHidScanner (real libusb code) against a HID boot-keyboard scanner emulated by umockdev.
#include <catch2/catch.hpp>
#include <thread>

#include "drivers/scanner/sim/fake_hid_scanner.hpp"
#include "drivers/scanner/usb_hid_scanner.hpp"

using namespace kiosk::scanner;
using namespace std::chrono_literals;

namespace {
UsbHidConfig cfg(Layout layout = Layout::Us) {
  UsbHidConfig c;
  c.vid = 0x0c2e;
  c.pid = 0x0b61;
  c.layout = layout;
  return c;
}
}  // namespace

TEST_CASE("a scan typed by the emulated scanner arrives whole through libusb") {
  sim::FakeHidScanner dev(0x0c2e, 0x0b61);
  REQUIRE(dev.kernel_driver_bound());
  UsbHidScanner scanner(cfg());
  // The kernel keyboard driver is detached while we hold the interface: no keystrokes leak.
  CHECK(dev.claimed());
  CHECK_FALSE(dev.kernel_driver_bound());
  CHECK(dev.boot_protocol_requested());
  CHECK(scanner.describe() == "usb-hid:0c2e:0b61");

  const std::string token = "AbC123+/=xyz-_.QRtoken";
  dev.type(token);
  auto s = scanner.read_scan(2000ms);
  REQUIRE(s);
  CHECK(*s == token);
  CHECK(scanner.stats().scans == 1);
}

TEST_CASE("read_scan times out without a scan, then gets two scans in order") {
  sim::FakeHidScanner dev(0x0c2e, 0x0b61);
  UsbHidScanner scanner(cfg());
  auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(scanner.read_scan(80ms));
  auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(waited >= 70ms);
  CHECK(waited < 1000ms);
  dev.type("https://zwfw.example.gov.cn/a?b=1");
  dev.type("202611230001234567");
  auto a = scanner.read_scan(2000ms);
  auto b = scanner.read_scan(2000ms);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a == "https://zwfw.example.gov.cn/a?b=1");
  CHECK(*b == "202611230001234567");
}

TEST_CASE("German-layout scanner with Alt+numpad Chinese characters") {
  sim::FakeHidScanner dev(0x0c2e, 0x0b61);
  UsbHidScanner scanner(cfg(Layout::De));
  dev.type("Zahl:y/z 提交", Layout::De);
  auto s = scanner.read_scan(3000ms);
  REQUIRE(s);
  CHECK(*s == "Zahl:y/z 提交");
}

TEST_CASE("releasing the scanner re-attaches the kernel driver") {
  sim::FakeHidScanner dev(0x0c2e, 0x0b61);
  {
    UsbHidScanner scanner(cfg());
    CHECK_FALSE(dev.kernel_driver_bound());
  }
  CHECK(dev.kernel_driver_bound());
  CHECK_FALSE(dev.claimed());
}

TEST_CASE("a missing device is NotFound; an unplug mid-read is Disconnected") {
  sim::FakeHidScanner dev(0x0c2e, 0x0b61);
  UsbHidConfig other = cfg();
  other.pid = 0x1234;
  try {
    UsbHidScanner s(other);
    FAIL("opened a device that does not exist");
  } catch (const kiosk::transport::TransportError& e) {
    CHECK(e.kind() == kiosk::transport::ErrorKind::NotFound);
  }
  UsbHidScanner scanner(cfg());
  std::thread unplug([&] {
    std::this_thread::sleep_for(50ms);
    dev.unplug();
  });
  try {
    scanner.read_scan(2000ms);
    FAIL("read survived an unplug");
  } catch (const kiosk::transport::TransportError& e) {
    CHECK(e.kind() == kiosk::transport::ErrorKind::Disconnected);
  }
  unplug.join();
}
