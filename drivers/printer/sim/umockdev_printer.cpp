#include "drivers/printer/sim/umockdev_printer.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <deque>
#include <thread>

#include "drivers/transport/loopback.hpp"
#include "drivers/usbsim/usb_device.hpp"

namespace kiosk::printer {

namespace {
constexpr const char* kSysPath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2";

std::vector<std::uint8_t> descriptors(const UmockdevPrinterConfig& c) {
  const auto lo = [](std::uint16_t v) { return static_cast<std::uint8_t>(v & 0xFF); };
  const auto hi = [](std::uint16_t v) { return static_cast<std::uint8_t>(v >> 8); };
  std::vector<std::uint8_t> d = {0x12,
                                 0x01,
                                 0x00,
                                 0x02,
                                 0x00,
                                 0x00,
                                 0x00,
                                 0x40,
                                 lo(c.vendor_id),
                                 hi(c.vendor_id),
                                 lo(c.product_id),
                                 hi(c.product_id),
                                 0x00,
                                 0x01,
                                 0x01,
                                 0x02,
                                 0x03,
                                 0x01};
  const std::vector<std::uint8_t> rest = {
      0x09, 0x02, 0x20, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,  // config, 32 bytes total
      0x09, 0x04, 0x00, 0x00, 0x02, 0x07, 0x01, 0x02, 0x00,  // interface 0: printer, bi-directional
      0x07, 0x05, 0x01, 0x02, 0x40, 0x00, 0x00,              // bulk OUT 0x01
      0x07, 0x05, 0x82, 0x02, 0x40, 0x00, 0x00};             // bulk IN 0x82
  d.insert(d.end(), rest.begin(), rest.end());
  return d;
}
}  // namespace

// The printer-class behaviour on top of the shared usbfs emulation: bulk OUT goes to the
// simulator, its answers (DLE EOT / GS a) fill bulk IN, class requests on the control pipe.
struct UmockdevUsbPrinter::Impl : usbsim::EmulatedUsbDevice {
  UmockdevPrinterConfig cfg;
  transport::LoopbackPair pair = transport::make_loopback("usb-printer");
  std::unique_ptr<PrinterSimulator> sim;
  std::deque<std::uint8_t> tx;  // printer → host bytes (DLE EOT / GS a answers)
  int resets = 0;
  std::atomic<bool> run{true};
  std::thread pump;

  ~Impl() override { detach(); }

  // Moves what the simulator answered into the IN queue (its own thread: handle-ioctl never
  // blocks). Blocks until bytes arrive; the destructor interrupts it.
  void pump_loop() {
    std::uint8_t b[256];
    const auto idle = transport::idle_read_timeout(*pair.host);
    while (run) {
      std::size_t n = 0;
      try {
        n = pair.host->read(b, idle);
      } catch (const transport::TransportError&) {
        return;
      }
      if (n == 0) continue;
      {
        auto l = lock();
        tx.insert(tx.end(), b, b + n);
      }
      wake();
    }
  }

  std::uint8_t port_status() const {
    const PrinterStatus s = sim->status();
    std::uint8_t b = 0;
    if (s.paper_end) b |= 0x20;
    if (s.online && !s.cover_open) b |= 0x10;  // selected
    if (s.can_print()) b |= 0x08;              // not error
    if (s.cover_open) b |= 0x80;               // vendor bit (PAPPL reads it)
    return b;
  }

  // Printer-class requests on the control pipe; anything else stalls.
  void control(usbsim::Urb& f) override {
    if (!f.buf || f.length() < 8) return f.finish(-EPIPE, 0);
    const std::uint8_t* s = f.data();
    const std::uint8_t type = s[0], req = s[1];
    const std::uint16_t index = static_cast<std::uint16_t>(s[4] | s[5] << 8);
    const std::uint16_t length = static_cast<std::uint16_t>(s[6] | s[7] << 8);
    std::uint8_t* data = f.data() + 8;
    const std::size_t room = std::min<std::size_t>(length, f.length() - 8);
    if (type == 0xA1 && req == 0 && (index >> 8) == 0) {  // GET_DEVICE_ID: wIndex = interface << 8 | alt
      const std::size_t total = cfg.device_id.size() + 2;
      std::vector<std::uint8_t> r = {static_cast<std::uint8_t>(total >> 8), static_cast<std::uint8_t>(total)};
      r.insert(r.end(), cfg.device_id.begin(), cfg.device_id.end());
      const std::size_t n = std::min(room, r.size());
      std::copy_n(r.begin(), n, data);
      f.finish(0, n);
    } else if (type == 0xA1 && req == 1 && index == 0 && room >= 1) {  // GET_PORT_STATUS
      data[0] = port_status();
      f.finish(0, 1);
    } else if (type == 0x21 && req == 2 && index == 0) {  // SOFT_RESET
      ++resets;
      tx.clear();
      f.finish(0, 0);
    } else {
      f.finish(-EPIPE, 0);
    }
  }

  bool accept(const usbdevfs_urb& u) const override { return u.type == USBDEVFS_URB_TYPE_BULK; }

  int out(usbsim::Urb& f) override {
    try {
      if (f.buf) pair.host->write(std::span(f.data(), f.length()), {});
      return 0;
    } catch (const transport::TransportError&) {
      return -EPROTO;
    }
  }

  bool fill_in(usbsim::Urb& f) override { return f.fill_from(tx); }
};

UmockdevUsbPrinter::UmockdevUsbPrinter(UmockdevPrinterConfig cfg) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  m.cfg = std::move(cfg);
  m.sim = std::make_unique<PrinterSimulator>(m.pair.device, m.cfg.width_dots);
  usbsim::DeviceSpec spec;
  spec.syspath = kSysPath;
  spec.devnum = 3;
  spec.vid = m.cfg.vendor_id;
  spec.pid = m.cfg.product_id;
  spec.descriptors = descriptors(m.cfg);
  spec.bound = 1;  // usblp holds the interface until detached
  spec.driver = "usblp";
  m.plug(spec);
  m.sim->start();
  m.pump = std::thread([&m] { m.pump_loop(); });
}

UmockdevUsbPrinter::~UmockdevUsbPrinter() {
  auto& m = *impl_;
  m.run = false;
  m.pair.host->interrupt();
  m.pump.join();
  m.sim->stop();
  m.detach();
}

PrinterSimulator& UmockdevUsbPrinter::sim() {
  return *impl_->sim;
}

void UmockdevUsbPrinter::unplug() {
  impl_->unplug();
}

bool UmockdevUsbPrinter::kernel_driver_bound() const {
  return impl_->any_kernel_driver_bound();
}

int UmockdevUsbPrinter::soft_resets() const {
  auto l = impl_->lock();
  return impl_->resets;
}

int UmockdevUsbPrinter::reaps_empty() const {
  return impl_->reaps_empty();
}

}  // namespace kiosk::printer
