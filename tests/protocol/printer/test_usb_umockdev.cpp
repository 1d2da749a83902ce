// The real USB printer-class path (UsbPrinter over libusb: usblp detach, claim, bulk OUT/IN,
// GET_DEVICE_ID, GET_PORT_STATUS, SOFT_RESET) against the simulated receipt printer emulated through
// umockdev (linked libumockdev-preload: no root, no hardware, no wrapper).
#include <catch2/catch.hpp>
#include <thread>

#include "drivers/printer/encoder.hpp"
#include "drivers/printer/printer.hpp"
#include "drivers/printer/sim/umockdev_printer.hpp"
#include "drivers/printer/usb_printer.hpp"
#include "tests/unit/printer/qr_decode.hpp"

using namespace kiosk;
using namespace kiosk::printer;
using namespace std::chrono_literals;

namespace {

std::vector<std::uint8_t> sample_job(const Dialect& d, int body_lines = 3) {
  Encoder e(d);
  e.init().align(Align::Center).size(2, 2).line("回执 Receipt").size(1, 1).align(Align::Left);
  for (int i = 0; i < body_lines; ++i)
    e.line("第" + std::to_string(i + 1) + "行 line " + std::to_string(i + 1));
  e.align(Align::Center).qr("https://v.example.cn/t/42", 6).cut();
  return e.take();
}

UsbPrinterSelector selector() {
  UsbPrinterSelector s;
  s.vendor_id = 0x0416;
  s.product_id = 0x5011;
  return s;
}

PrintErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const PrintError& e) {
    return e.kind();
  }
  FAIL("no PrintError");
  return PrintErrorKind::Io;
}

}  // namespace

TEST_CASE(
    "USB printer class: usblp detached and re-attached, device ID, port status, receipt printed and "
    "rendered") {
  UmockdevUsbPrinter dev;
  CHECK(dev.kernel_driver_bound());
  {
    UsbPrinter usb(selector());
    CHECK_FALSE(dev.kernel_driver_bound());  // usblp detached so the interface could be claimed
    CHECK(usb.bidirectional());
    CHECK(usb.describe().rfind("usb:0416:5011@", 0) == 0);
    const DeviceId id = usb.device_id();
    CHECK(id.manufacturer() == "Gprinter");
    CHECK(id.model() == "GP-L80160");
    CHECK(id.command_set() == "ESC/POS");
    CHECK(usb.port_status().can_print());

    const Dialect d = builtin_dialect("gprinter");
    ReceiptPrinter p(usb, d, 500ms);
    CHECK(p.query_status().can_print());  // DLE EOT answered over bulk IN
    const auto job = sample_job(d);
    CHECK(p.print(job).bytes == job.size());
    REQUIRE(dev.sim().wait_for_cuts(1, 2s));
    CHECK(dev.sim().printed() == job);
    const auto img = dev.sim().render();
    CHECK(img.text.find("回执 Receipt") != std::string::npos);
    CHECK(test::decode_qr(img.image) == std::vector<std::string>{"https://v.example.cn/t/42"});

    usb.soft_reset();
    CHECK(dev.soft_resets() == 1);

    // An idle read with nothing to receive sleeps in poll() (FIFO wake-up) and times out cleanly.
    const int before = dev.reaps_empty();
    std::uint8_t b[8];
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(usb.read(b, 300ms) == 0);
    CHECK(std::chrono::steady_clock::now() - t0 >= 250ms);
    CHECK(dev.reaps_empty() - before < 50);
  }
  CHECK(dev.kernel_driver_bound());  // released: usblp gets the printer back
}

TEST_CASE("USB printer class: paper out before and during a job, cover open, unplug") {
  UmockdevUsbPrinter dev;
  UsbPrinter usb(selector());
  const Dialect d = builtin_dialect("gprinter");
  ReceiptPrinter p(usb, d, 500ms);
  const auto job = sample_job(d);

  // Paper out before the job: seen by GET_PORT_STATUS and DLE EOT; nothing is sent.
  dev.sim().set_paper_out(true);
  CHECK(usb.port_status().paper_end);
  CHECK_FALSE(usb.port_status().can_print());
  try {
    p.print(job);
    FAIL("printed without paper");
  } catch (const PrintError& e) {
    CHECK(e.kind() == PrintErrorKind::PaperOut);
    CHECK_FALSE(e.partial());
  }
  CHECK(dev.sim().printed().empty());

  // Paper runs out during a job: partial, no cut; after a reload the whole job prints.
  dev.sim().set_paper_out(false);
  p.chunk_size = 256;
  const auto long_job = sample_job(d, 40);
  dev.sim().paper_out_after(300);
  try {
    p.print(long_job);
    FAIL("long job survived paper out");
  } catch (const PrintError& e) {
    CHECK(e.kind() == PrintErrorKind::PaperOut);
    CHECK(e.partial());
  }
  CHECK(dev.sim().cuts() == 0);
  dev.sim().set_paper_out(false);
  dev.sim().set_paper_near_end(false);
  dev.sim().clear_printed();
  p.print(long_job);
  REQUIRE(dev.sim().wait_for_cuts(1, 2s));
  CHECK(dev.sim().printed() == long_job);

  // Cover open.
  dev.sim().set_cover_open(true);
  CHECK(usb.port_status().cover_open);
  CHECK(kind_of([&] { p.print(job); }) == PrintErrorKind::CoverOpen);
  dev.sim().set_cover_open(false);
  CHECK(p.query_status().can_print());

  // Unplug: typed Disconnected from every path.
  dev.unplug();
  CHECK(kind_of([&] { p.query_status(); }) == PrintErrorKind::Disconnected);
  CHECK_FALSE(usb.connected());
  try {
    usb.port_status();
    FAIL("port status after unplug");
  } catch (const transport::TransportError& e) {
    CHECK(e.kind() == transport::ErrorKind::Disconnected);
  }
}
