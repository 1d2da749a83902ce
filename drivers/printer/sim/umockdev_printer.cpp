#include "drivers/printer/sim/umockdev_printer.hpp"

#include <fcntl.h>
// clang-format off
#include <linux/ioctl.h>  // must precede usbdevice_fs.h
#include <linux/usbdevice_fs.h>
// clang-format on
#include <sys/stat.h>
#include <umockdev.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "drivers/transport/loopback.hpp"

namespace kiosk::printer {

namespace {
constexpr const char* kNode = "/dev/bus/usb/001/003";
constexpr const char* kSysPath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2";

std::string hex(const std::vector<std::uint8_t>& b) {
  std::string s;
  char t[3];
  for (auto c : b) {
    std::snprintf(t, sizeof t, "%02x", c);
    s += t;
  }
  return s;
}

std::string descriptors_hex(const UmockdevPrinterConfig& c) {
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
  return hex(d);
}
}  // namespace

struct UmockdevUsbPrinter::Impl {
  // Nested, not in an anonymous namespace: unity builds would trip -Wsubobject-linkage.
  struct FakeUrb {
    UMockdevIoctlData* urb = nullptr;  // owned refs from resolve()
    UMockdevIoctlData* buf = nullptr;
    usbdevfs_urb* u() const { return reinterpret_cast<usbdevfs_urb*>(urb->data); }
    void release() {
      if (buf) g_object_unref(buf);
      if (urb) g_object_unref(urb);
      buf = urb = nullptr;
    }
  };

  UmockdevPrinterConfig cfg;
  transport::LoopbackPair pair = transport::make_loopback("usb-printer");
  std::unique_ptr<PrinterSimulator> sim;
  UMockdevTestbed* tb = nullptr;
  UMockdevIoctlBase* handler = nullptr;
  int fifo = -1;
  mutable std::mutex mu;
  std::deque<FakeUrb> done, pending;
  std::deque<std::uint8_t> tx;  // printer → host bytes (DLE EOT / GS a answers)
  bool gone = false;
  bool driver_bound = true;  // usblp holds the interface until detached
  int resets = 0;
  int empty_reaps = 0;
  std::atomic<bool> run{true};
  std::thread pump;

  void satisfy() {
    while (!pending.empty() && !tx.empty()) {
      FakeUrb f = pending.front();
      pending.pop_front();
      const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(f.u()->buffer_length), tx.size());
      std::copy_n(tx.begin(), n, f.buf->data);
      tx.erase(tx.begin(), tx.begin() + static_cast<std::ptrdiff_t>(n));
      f.u()->actual_length = static_cast<int>(n);
      f.u()->status = 0;
      done.push_back(f);
    }
  }
  // FIFO wake-up (shared/reference/umockdev-libusb.md pitfall 1): drained = POLLOUT when a URB is
  // reapable, full otherwise, so libusb's event loop sleeps instead of spinning.
  void update_readiness() {
    if (fifo < 0) return;
    char b[512];
    if (!done.empty()) {
      while (read(fifo, b, sizeof b) > 0) {
      }
    } else {
      std::memset(b, 0, sizeof b);
      while (write(fifo, b, sizeof b) > 0) {
      }
    }
  }

  // Moves what the simulator answered into the IN queue (its own thread: handle-ioctl never blocks).
  void pump_loop() {
    std::uint8_t b[256];
    while (run) {
      std::size_t n = 0;
      try {
        n = pair.host->read(b, std::chrono::milliseconds(50));
      } catch (const transport::TransportError&) {
        return;
      }
      if (n == 0) continue;
      std::lock_guard l(mu);
      tx.insert(tx.end(), b, b + n);
      satisfy();
      update_readiness();
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

  // Class requests on the control pipe; anything else stalls.
  void control(FakeUrb& f) {
    auto* u = f.u();
    u->status = 0;
    u->actual_length = 0;
    if (!f.buf || u->buffer_length < 8) {
      u->status = -EPIPE;
      return;
    }
    const std::uint8_t* s = f.buf->data;
    const std::uint8_t type = s[0], req = s[1];
    const std::uint16_t index = static_cast<std::uint16_t>(s[4] | s[5] << 8);
    const std::uint16_t length = static_cast<std::uint16_t>(s[6] | s[7] << 8);
    std::uint8_t* data = f.buf->data + 8;
    const std::size_t room = std::min<std::size_t>(length, static_cast<std::size_t>(u->buffer_length - 8));
    if (type == 0xA1 && req == 0 && (index >> 8) == 0) {  // GET_DEVICE_ID: wIndex = interface << 8 | alt
      const std::size_t total = cfg.device_id.size() + 2;
      std::vector<std::uint8_t> r = {static_cast<std::uint8_t>(total >> 8), static_cast<std::uint8_t>(total)};
      r.insert(r.end(), cfg.device_id.begin(), cfg.device_id.end());
      const std::size_t n = std::min(room, r.size());
      std::copy_n(r.begin(), n, data);
      u->actual_length = static_cast<int>(n);
    } else if (type == 0xA1 && req == 1 && index == 0 && room >= 1) {  // GET_PORT_STATUS
      data[0] = port_status();
      u->actual_length = 1;
    } else if (type == 0x21 && req == 2 && index == 0) {  // SOFT_RESET
      ++resets;
      tx.clear();
    } else {
      u->status = -EPIPE;
    }
  }

  gboolean handle(UMockdevIoctlClient* c) {
    std::lock_guard l(mu);
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(c);
    const gulong req = umockdev_ioctl_client_get_request(c);
    auto complete = [&](long res, int err) { umockdev_ioctl_client_complete(c, res, err); };
    if (gone && req != USBDEVFS_REAPURBNDELAY && req != USBDEVFS_DISCARDURB &&
        req != USBDEVFS_RELEASEINTERFACE) {
      complete(-1, ENODEV);
      update_readiness();
      return TRUE;
    }
    switch (req) {
      case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), nullptr);
        const guint32 caps = USBDEVFS_CAP_BULK_SCATTER_GATHER | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                             USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_ZERO_PACKET |
                             USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
        std::memcpy(d->data, &caps, sizeof caps);
        g_object_unref(d);
        complete(0, 0);
        break;
      }
      case USBDEVFS_GETDRIVER: {
        if (!driver_bound) {
          complete(-1, ENODATA);
          break;
        }
        UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_getdriver), nullptr);
        auto* gd = reinterpret_cast<usbdevfs_getdriver*>(d->data);
        std::snprintf(gd->driver, sizeof gd->driver, "%s", "usblp");
        g_object_unref(d);
        complete(0, 0);
        break;
      }
      case USBDEVFS_IOCTL: {
        UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_ioctl), nullptr);
        const int code = reinterpret_cast<usbdevfs_ioctl*>(d->data)->ioctl_code;
        g_object_unref(d);
        if (code == static_cast<int>(USBDEVFS_DISCONNECT)) {
          driver_bound = false;
          complete(0, 0);
        } else if (code == static_cast<int>(USBDEVFS_CONNECT)) {
          driver_bound = true;
          complete(1, 0);  // libusb treats 0 as "not found"
        } else {
          complete(-1, ENOTTY);
        }
        break;
      }
      case USBDEVFS_CLAIMINTERFACE:
        driver_bound ? complete(-1, EBUSY) : complete(0, 0);
        break;
      case USBDEVFS_DISCONNECT_CLAIM:
        driver_bound = false;
        complete(0, 0);
        break;
      case USBDEVFS_RELEASEINTERFACE:
      case USBDEVFS_SETINTERFACE:
      case USBDEVFS_CLEAR_HALT:
      case USBDEVFS_RESET:
      case USBDEVFS_SETCONFIGURATION:
        complete(0, 0);
        break;
      case USBDEVFS_SUBMITURB: {
        FakeUrb f;
        f.urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_urb), nullptr);
        if (f.u()->buffer_length > 0)
          f.buf = umockdev_ioctl_data_resolve(f.urb, G_STRUCT_OFFSET(usbdevfs_urb, buffer),
                                              static_cast<gsize>(f.u()->buffer_length), nullptr);
        if (f.u()->type == USBDEVFS_URB_TYPE_CONTROL) {
          control(f);
          done.push_back(f);
        } else if (f.u()->type != USBDEVFS_URB_TYPE_BULK) {
          f.release();
          complete(-1, EINVAL);
          break;
        } else if (f.u()->endpoint & 0x80) {
          pending.push_back(f);
        } else {
          try {
            if (f.buf)
              pair.host->write(std::span(f.buf->data, static_cast<std::size_t>(f.u()->buffer_length)), {});
            f.u()->status = 0;
            f.u()->actual_length = f.u()->buffer_length;
          } catch (const transport::TransportError&) {
            f.u()->status = -EPROTO;
          }
          done.push_back(f);
        }
        satisfy();
        complete(0, 0);
        break;
      }
      case USBDEVFS_REAPURBNDELAY: {
        satisfy();
        if (done.empty()) {
          ++empty_reaps;
          complete(-1, gone ? ENODEV : EAGAIN);
          break;
        }
        FakeUrb f = done.front();
        done.pop_front();
        UMockdevIoctlData* p = umockdev_ioctl_data_resolve(arg, 0, sizeof(void*), nullptr);
        umockdev_ioctl_data_set_ptr(p, 0, f.urb);
        complete(0, 0);
        g_object_unref(p);
        f.release();
        break;
      }
      case USBDEVFS_DISCARDURB: {
        const gulong addr = *reinterpret_cast<gulong*>(arg->data);
        bool found = false;
        for (auto it = pending.begin(); it != pending.end(); ++it)
          if (it->urb->client_addr == addr) {
            it->u()->status = -ENOENT;
            it->u()->actual_length = 0;
            done.push_back(*it);
            pending.erase(it);
            found = true;
            break;
          }
        found ? complete(0, 0) : complete(-1, EINVAL);
        break;
      }
      default:
        complete(-1, ENOTTY);
        break;
    }
    update_readiness();
    return TRUE;
  }

  static gboolean on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* c, gpointer self) {
    return static_cast<Impl*>(self)->handle(c);
  }
};

UmockdevUsbPrinter::UmockdevUsbPrinter(UmockdevPrinterConfig cfg) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  m.cfg = std::move(cfg);
  m.sim = std::make_unique<PrinterSimulator>(m.pair.device, m.cfg.width_dots);
  m.tb = umockdev_testbed_new();
  m.handler = umockdev_ioctl_base_new();
  g_signal_connect(m.handler, "handle-ioctl", G_CALLBACK(&Impl::on_ioctl), &m);
  GError* err = nullptr;
  auto fail = [&](const char* what) {
    std::string msg = std::string("umockdev ") + what + ": " + (err ? err->message : "?");
    g_clear_error(&err);
    g_signal_handlers_disconnect_by_data(m.handler, &m);
    g_object_unref(m.handler);
    g_object_unref(m.tb);
    throw transport::TransportError(transport::ErrorKind::Io, msg);
  };
  if (!umockdev_testbed_attach_ioctl(m.tb, kNode, m.handler, &err)) fail("attach_ioctl");
  char ids[32];
  std::snprintf(ids, sizeof ids, "%x/%x/100", m.cfg.vendor_id, m.cfg.product_id);
  char vid[8], pid[8];
  std::snprintf(vid, sizeof vid, "%04x", m.cfg.vendor_id);
  std::snprintf(pid, sizeof pid, "%04x", m.cfg.product_id);
  const std::string rec = std::string("P: ") + (kSysPath + 4) +
                          "\nN: bus/usb/001/003\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
                          "E: DEVNAME=/dev/bus/usb/001/003\nE: BUSNUM=001\nE: DEVNUM=003\nE: PRODUCT=" +
                          ids +
                          "\nA: busnum=1\\n\nA: devnum=3\\n\nA: speed=12\\n\nA: bConfigurationValue=1\\n\n" +
                          "A: idVendor=" + vid + "\\n\nA: idProduct=" + pid +
                          "\\n\nH: descriptors=" + descriptors_hex(m.cfg) + "\n";
  if (!umockdev_testbed_add_from_string(m.tb, rec.c_str(), &err)) fail("add_from_string");
  gchar* root = umockdev_testbed_get_root_dir(m.tb);
  const std::string fifo_path = std::string(root) + kNode;
  g_free(root);
  if (unlink(fifo_path.c_str()) == 0 && mkfifo(fifo_path.c_str(), 0666) == 0) {
    m.fifo = open(fifo_path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (m.fifo >= 0) fcntl(m.fifo, F_SETPIPE_SZ, 4096);
  }
  {
    std::lock_guard l(m.mu);
    m.update_readiness();
  }
  m.sim->start();
  m.pump = std::thread([&m] { m.pump_loop(); });
}

UmockdevUsbPrinter::~UmockdevUsbPrinter() {
  auto& m = *impl_;
  m.run = false;
  m.pump.join();
  m.sim->stop();
  umockdev_testbed_detach_ioctl(m.tb, kNode, nullptr);
  g_signal_handlers_disconnect_by_data(m.handler, &m);
  g_object_unref(m.handler);
  {
    std::lock_guard l(m.mu);
    for (auto* q : {&m.done, &m.pending})
      for (auto& f : *q) f.release();
  }
  if (m.fifo >= 0) close(m.fifo);
  g_object_unref(m.tb);
}

PrinterSimulator& UmockdevUsbPrinter::sim() {
  return *impl_->sim;
}

void UmockdevUsbPrinter::unplug() {
  auto& m = *impl_;
  {
    std::lock_guard l(m.mu);
    m.gone = true;
    for (auto& f : m.pending) {
      f.u()->status = -ESHUTDOWN;
      f.u()->actual_length = 0;
      m.done.push_back(f);
    }
    m.pending.clear();
    m.update_readiness();
  }
  umockdev_testbed_uevent(m.tb, kSysPath, "remove");
}

bool UmockdevUsbPrinter::kernel_driver_bound() const {
  std::lock_guard l(impl_->mu);
  return impl_->driver_bound;
}

int UmockdevUsbPrinter::soft_resets() const {
  std::lock_guard l(impl_->mu);
  return impl_->resets;
}

int UmockdevUsbPrinter::reaps_empty() const {
  std::lock_guard l(impl_->mu);
  return impl_->empty_reaps;
}

}  // namespace kiosk::printer
