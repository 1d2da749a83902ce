// ScannerWorker: profiles, the libusb path against the umockdev scanner end to end (events, repeat
// filter, fault on unplug, masked logs), and the --demo scanner's show().
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "drivers/scanner/sim/fake_hid_scanner.hpp"
#include "kiosk/hw/scanner_worker.hpp"

using namespace kiosk;
using namespace std::chrono_literals;

namespace {
std::string cfg(const std::string& f) {
  return std::string(KIOSK_SOURCE_DIR) + "/config/" + f;
}
core::DeviceEvent next_event(core::EventQueue& q) {
  REQUIRE(q.wait_for(3000ms));
  auto evs = q.drain();
  REQUIRE(evs.size() == 1);
  return std::get<core::DeviceEvent>(evs[0]);
}
}  // namespace

TEST_CASE("shipped scanner profiles parse") {
  auto hid = hw::load_scanner_profile(cfg("devices/scanner-hid.toml"));
  CHECK(hid.backend == hw::ScannerProfile::Backend::UsbHid);
  CHECK(hid.usb.vid == 0x0c2e);
  CHECK(hid.usb.assembler.terminator == scanner::Terminator::Enter);
  auto ev = hw::load_scanner_profile(cfg("devices/scanner-evdev.toml"));
  CHECK(ev.backend == hw::ScannerProfile::Backend::Evdev);
  CHECK(ev.evdev.grab);
  auto ser = hw::load_scanner_profile(cfg("devices/scanner-serial.toml"));
  CHECK(ser.serial.encoding == "gbk");
  CHECK(hw::load_scanner_profile(cfg("devices/scanner-demo.toml")).backend ==
        hw::ScannerProfile::Backend::Demo);
}

TEST_CASE("bad profiles are rejected with the reason") {
  auto err = [](const std::string& t) {
    try {
      hw::parse_scanner_profile(t, "p.toml");
    } catch (const hw::ProfileError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(err("[scanner]\nbackend = \"bluetooth\"\n").find("backend must be") != std::string::npos);
  CHECK(err("[scanner]\nbackend = \"usb_hid\"\n").find("needs [scanner.usb]") != std::string::npos);
  CHECK(err("[scanner]\nbackend = \"usb_hid\"\n[scanner.usb]\nvid = 0\npid = 1\n").find("vid and pid") !=
        std::string::npos);
  CHECK(err("[scanner]\nbackend = \"evdev\"\n").find("path or name_match") != std::string::npos);
  CHECK(err("[scanner]\nbackend = \"demo\"\nlayout = \"dvorak\"\n").find("layout") != std::string::npos);
  CHECK(err("[scanner]\nbackend = \"demo\"\nterminator = \"cr\"\n").find("terminator") != std::string::npos);
  CHECK(err("[scanner]\nbackend = \"demo\"\nmax_length = \"x\"\n").find("wrong type") != std::string::npos);
  CHECK(err("[scanner\n").find("p.toml:1") == 0);
}

TEST_CASE("USB HID scanner end to end: QrScanned once per scan, fault on unplug, token never logged") {
  std::ostringstream logs;
  auto prev = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "scanner-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(logs)));
  scanner::sim::FakeHidScanner dev(0x0c2e, 0x0b61);
  auto profile = hw::load_scanner_profile(cfg("devices/scanner-hid.toml"));
  profile.reconnect_min = 50ms;
  core::EventQueue q;
  {
    hw::ScannerWorker w(profile, qr::default_rules());
    w.start(q);
    const std::string token = "Vh3kQ9mZ2xPp7Lr0Ta8bYc5Wd1Ne6Fg4Hs+/Ju8aQ2zX9pL3mN7bV1c";
    dev.type(token);
    auto e = next_event(q);
    CHECK(e.kind == core::DeviceEvent::Kind::QrScanned);
    CHECK(e.device == "scanner");
    CHECK(e.identity.source == core::IdSource::QrVoucher);
    CHECK(e.identity.document == core::DocumentType::MedicalVoucher);
    CHECK(e.identity.token == token);
    CHECK_FALSE(dev.kernel_driver_bound());  // no keystrokes reach the desktop while we run
    dev.type(token);                         // the same code again right away: counted once
    CHECK_FALSE(q.wait_for(400ms));
    dev.type("20261123000123");
    auto c = next_event(q);
    CHECK(c.detail == "case_number");
    dev.unplug();
    auto f = next_event(q);
    CHECK(f.kind == core::DeviceEvent::Kind::DeviceFault);
    CHECK(f.device == "scanner");
    CHECK(w.status()["state"] == "fault");
    w.stop();
    CHECK(logs.str().find(token) == std::string::npos);
    CHECK(logs.str().find("medical_voucher via medical-voucher tok[") != std::string::npos);
  }
  spdlog::set_default_logger(prev);
}

TEST_CASE("demo scanner: show() posts classified events; unknown payloads are not posted") {
  core::EventQueue q;
  auto w = hw::make_demo_scanner_worker(qr::default_rules());
  w->start(q);
  w->show("https://zwfw.example.gov.cn/case/42");
  auto e = next_event(q);
  CHECK(e.kind == core::DeviceEvent::Kind::QrScanned);
  CHECK(e.detail == "url");
  CHECK(e.identity.token == "https://zwfw.example.gov.cn/case/42");
  w->show("bad payload with spaces");
  CHECK_FALSE(q.wait_for(200ms));
  CHECK(w->status()["rejected"] == 1);
  w->stop();
}
