#include "usb_emulator.hpp"

// clang-format off
#include <linux/ioctl.h>  // must precede usbdevice_fs.h
#include <linux/usbdevice_fs.h>
// clang-format on
#include <umockdev.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>

using namespace kiosk::idcard;

namespace idcard_test {

namespace {
struct FakeUrb {
  UMockdevIoctlData* urb = nullptr;  // owned refs from resolve()
  UMockdevIoctlData* buf = nullptr;
  usbdevfs_urb* get() const { return reinterpret_cast<usbdevfs_urb*>(urb->data); }
  void release() {
    if (buf) g_object_unref(buf);
    if (urb) g_object_unref(urb);
    buf = urb = nullptr;
  }
};

constexpr const char* kDevice =
    "12010002000000400004"
    "5ac3"
    "0001010203"
    "01";  // 0400:c35a
constexpr const char* kBulkConfig =
    "0902200001010080"
    "32"  // config, 32 bytes total
    "090400000002ff0000"
    "00"               // interface 0, vendor class, 2 endpoints
    "07050202400000"   // bulk OUT 0x02
    "07058102400000";  // bulk IN 0x81
constexpr const char* kHidConfig =
    "0902290001010080"
    "32"  // config, 41 bytes total
    "090400000002030000"
    "00"  // interface 0, HID class, 2 endpoints
    "0921110100012222"
    "00"               // HID descriptor (report descriptor not needed here)
    "07050203400001"   // interrupt OUT 0x02
    "07058103400001";  // interrupt IN 0x81
constexpr const char* kCdcConfig =
    "09023e0002010080"
    "32"                  // config, 62 bytes total, 2 interfaces
    "090400000102020100"  // interface 0: CDC comm, ACM, 1 endpoint
    "0524001001"
    "0424020205240600"
    "01"              // header, ACM, union (0 → 1) functional descriptors
    "07058303080010"  // interrupt IN 0x83 (notifications)
    "0904010002"
    "0a0000"
    "00"               // interface 1: CDC data, 2 endpoints
    "07050202400000"   // bulk OUT 0x02
    "07058102400000";  // bulk IN 0x81
}  // namespace

struct UsbReaderEmulator::Impl {
  UsbAttach attach = UsbAttach::Bulk;
  mutable std::mutex mu;
  UMockdevTestbed* tb = nullptr;
  UMockdevIoctlBase* handler = nullptr;
  std::string node, syspath;
  int devnum = 2;
  bool gone = false;
  unsigned bound = 0;  // bit per interface: a (fake) kernel driver holds it until detached
  int baud = 0, line_state = -1;
  int interfaces() const { return attach == UsbAttach::CdcAcm ? 2 : 1; }
  unsigned all_bound() const { return (1u << interfaces()) - 1; }
  const char* driver_name() const {
    return attach == UsbAttach::CdcAcm      ? "cdc_acm"
           : attach == UsbAttach::Interrupt ? "usbhid"
                                            : "idcard_vendor";
  }
  // CDC class requests on interface 0; anything else stalls.
  void control(FakeUrb& u) {
    auto* urb = u.get();
    urb->status = 0;
    urb->actual_length = 0;
    if (attach != UsbAttach::CdcAcm || !u.buf || urb->buffer_length < 8) {
      urb->status = -EPIPE;
      return;
    }
    const std::uint8_t* s = u.buf->data;
    const int value = s[2] | s[3] << 8, index = s[4] | s[5] << 8, length = s[6] | s[7] << 8;
    if (s[0] == 0x21 && s[1] == 0x20 && index == 0 && length == 7 && urb->buffer_length >= 15) {
      baud = s[8] | s[9] << 8 | s[10] << 16 | s[11] << 24;
    } else if (s[0] == 0x21 && s[1] == 0x22 && index == 0) {
      line_state = value;
    } else {
      urb->status = -EPIPE;
    }
  }
  int submitted = 0;
  sim::CardState card;
  Bytes rx;                     // host → device bytes not yet a full frame
  std::deque<std::uint8_t> tx;  // device → host bytes
  std::deque<FakeUrb> pending, done;

  void feed(const std::uint8_t* p, std::size_t n) {
    rx.insert(rx.end(), p, p + n);
    for (;;) {
      Scan s = scan_frame(rx, 3);
      rx.erase(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(s.consumed));
      if (s.kind == Scan::Kind::NeedMore) return;
      Bytes frame;
      if (s.kind == Scan::Kind::Error) {
        frame = encode_response(0, 0, 0x10);
      } else {
        Response r = card.answer(parse_request(s.body));
        frame = encode_response(r.sw1, r.sw2, r.sw3, r.data);
      }
      tx.insert(tx.end(), frame.begin(), frame.end());
    }
  }

  void satisfy_pending() {
    while (!pending.empty() && !tx.empty()) {
      FakeUrb u = pending.front();
      pending.pop_front();
      auto* urb = u.get();
      const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(urb->buffer_length), tx.size());
      std::copy_n(tx.begin(), n, u.buf->data);
      tx.erase(tx.begin(), tx.begin() + static_cast<std::ptrdiff_t>(n));
      urb->actual_length = static_cast<int>(n);
      urb->status = 0;
      done.push_back(u);
    }
  }

  static gboolean on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* c, gpointer self) {
    static_cast<Impl*>(self)->handle(c);
    return TRUE;
  }

  void handle(UMockdevIoctlClient* c) {
    std::lock_guard lock(mu);
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(c);
    const gulong req = umockdev_ioctl_client_get_request(c);
    auto complete = [&](long res, int err) { umockdev_ioctl_client_complete(c, res, err); };
    if (gone && req != USBDEVFS_REAPURBNDELAY && req != USBDEVFS_DISCARDURB &&
        req != USBDEVFS_RELEASEINTERFACE)
      return complete(-1, ENODEV);
    switch (req) {
      case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), nullptr);
        const guint32 caps = USBDEVFS_CAP_BULK_SCATTER_GATHER | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                             USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_ZERO_PACKET |
                             USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
        std::memcpy(d->data, &caps, sizeof caps);
        g_object_unref(d);
        return complete(0, 0);
      }
      case USBDEVFS_GETDRIVER: {
        UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_getdriver), nullptr);
        auto* gd = reinterpret_cast<usbdevfs_getdriver*>(d->data);
        if (gd->interface >= 32 || !(bound & (1u << gd->interface))) {
          g_object_unref(d);
          return complete(-1, ENODATA);
        }
        std::snprintf(gd->driver, sizeof gd->driver, "%s", driver_name());
        g_object_unref(d);
        return complete(0, 0);
      }
      case USBDEVFS_IOCTL: {
        UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_ioctl), nullptr);
        const int code = reinterpret_cast<usbdevfs_ioctl*>(d->data)->ioctl_code;
        const int ifno = reinterpret_cast<usbdevfs_ioctl*>(d->data)->ifno;
        g_object_unref(d);
        if (ifno < 0 || ifno >= interfaces()) return complete(-1, EINVAL);
        if (code == static_cast<int>(USBDEVFS_DISCONNECT)) {
          bound &= ~(1u << ifno);
          return complete(0, 0);
        }
        if (code == static_cast<int>(USBDEVFS_CONNECT)) {
          bound |= 1u << ifno;
          return complete(1, 0);
        }
        return complete(-1, ENOTTY);
      }
      case USBDEVFS_CLAIMINTERFACE: {
        UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned), nullptr);
        const unsigned ifno = *reinterpret_cast<unsigned*>(d->data);
        g_object_unref(d);
        if (ifno >= static_cast<unsigned>(interfaces())) return complete(-1, ENOENT);
        return (bound & (1u << ifno)) ? complete(-1, EBUSY) : complete(0, 0);
      }
      case USBDEVFS_DISCONNECT_CLAIM:
        bound = 0;
        return complete(0, 0);
      case USBDEVFS_RELEASEINTERFACE:
      case USBDEVFS_SETINTERFACE:
      case USBDEVFS_CLEAR_HALT:
      case USBDEVFS_RESET:
      case USBDEVFS_SETCONFIGURATION:
        return complete(0, 0);
      case USBDEVFS_SUBMITURB: {
        FakeUrb u;
        u.urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_urb), nullptr);
        auto* urb = u.get();
        if (urb->buffer_length > 0)
          u.buf = umockdev_ioctl_data_resolve(u.urb, G_STRUCT_OFFSET(usbdevfs_urb, buffer),
                                              static_cast<gsize>(urb->buffer_length), nullptr);
        ++submitted;
        if (urb->type == USBDEVFS_URB_TYPE_CONTROL) {
          control(u);
          done.push_back(u);
          return complete(0, 0);
        }
        const unsigned char want =
            attach == UsbAttach::Interrupt ? USBDEVFS_URB_TYPE_INTERRUPT : USBDEVFS_URB_TYPE_BULK;
        if (urb->type != want || (urb->endpoint != 0x02 && urb->endpoint != 0x81)) {
          u.release();
          return complete(-1, EINVAL);
        }
        if (urb->endpoint & 0x80) {
          pending.push_back(u);
        } else {
          if (u.buf) feed(u.buf->data, static_cast<std::size_t>(urb->buffer_length));
          urb->actual_length = urb->buffer_length;
          urb->status = 0;
          done.push_back(u);
        }
        satisfy_pending();
        return complete(0, 0);
      }
      case USBDEVFS_REAPURBNDELAY:
      case USBDEVFS_REAPURB: {
        satisfy_pending();
        if (done.empty() && gone && !pending.empty()) {  // after unplug: pending URBs end with ESHUTDOWN
          FakeUrb u = pending.front();
          pending.pop_front();
          u.get()->status = -ESHUTDOWN;
          u.get()->actual_length = 0;
          done.push_back(u);
        }
        if (done.empty()) return complete(-1, gone ? ENODEV : EAGAIN);
        FakeUrb u = done.front();
        done.pop_front();
        UMockdevIoctlData* p = umockdev_ioctl_data_resolve(arg, 0, sizeof(void*), nullptr);
        umockdev_ioctl_data_set_ptr(p, 0, u.urb);
        complete(0, 0);
        g_object_unref(p);
        u.release();
        return;
      }
      case USBDEVFS_DISCARDURB: {
        const gulong addr = *reinterpret_cast<gulong*>(arg->data);
        for (auto it = pending.begin(); it != pending.end(); ++it) {
          if (it->urb->client_addr == addr) {
            it->get()->status = -ENOENT;
            done.push_back(*it);
            pending.erase(it);
            return complete(0, 0);
          }
        }
        return complete(-1, EINVAL);
      }
      default:
        return complete(-1, ENOTTY);
    }
  }

  void plug() {
    char num[8];
    std::snprintf(num, sizeof num, "%03d", devnum);
    node = std::string("/dev/bus/usb/001/") + num;
    syspath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1";
    handler = umockdev_ioctl_base_new();
    g_signal_connect(handler, "handle-ioctl", G_CALLBACK(&Impl::on_ioctl), this);
    GError* err = nullptr;
    if (!umockdev_testbed_attach_ioctl(tb, node.c_str(), handler, &err))
      throw std::runtime_error(std::string("umockdev attach: ") + (err ? err->message : "?"));
    const std::string rec =
        "P: /devices/pci0000:00/0000:00:14.0/usb1/1-1\n"
        "N: bus/usb/001/" +
        std::string(num) +
        "\n"
        "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
        "E: DEVNAME=" +
        node + "\nE: BUSNUM=001\nE: DEVNUM=" + num +
        "\n"
        "E: PRODUCT=400/c35a/100\n"
        "A: busnum=1\\n\nA: devnum=" +
        std::to_string(devnum) +
        "\\n\nA: speed=12\\n\n"
        "A: bConfigurationValue=1\\n\nA: idVendor=0400\\n\nA: idProduct=c35a\\n\n"
        "H: descriptors=" +
        std::string(kDevice) +
        (attach == UsbAttach::CdcAcm      ? kCdcConfig
         : attach == UsbAttach::Interrupt ? kHidConfig
                                          : kBulkConfig) +
        "\n";
    if (!umockdev_testbed_add_from_string(tb, rec.c_str(), &err))
      throw std::runtime_error(std::string("umockdev add: ") + (err ? err->message : "?"));
    std::lock_guard lock(mu);
    gone = false;
    bound = all_bound();
    rx.clear();
    tx.clear();
  }

  void drop_urbs() {
    for (auto& u : pending) u.release();
    for (auto& u : done) u.release();
    pending.clear();
    done.clear();
  }

  void unplug() {
    {
      std::lock_guard lock(mu);
      gone = true;
    }
    umockdev_testbed_uevent(tb, syspath.c_str(), "remove");
    umockdev_testbed_remove_device(tb, syspath.c_str());
  }

  void detach() {
    if (!handler) return;
    umockdev_testbed_detach_ioctl(tb, node.c_str(), nullptr);
    g_signal_handlers_disconnect_by_data(handler, this);
    g_object_unref(handler);
    handler = nullptr;
    std::lock_guard lock(mu);
    drop_urbs();
  }
};

UsbReaderEmulator::UsbReaderEmulator(UsbAttach attach) : impl_(std::make_unique<Impl>()) {
  impl_->attach = attach;
  impl_->tb = umockdev_testbed_new();
  impl_->plug();
}

UsbReaderEmulator::~UsbReaderEmulator() {
  impl_->detach();
  g_object_unref(impl_->tb);
}

void UsbReaderEmulator::place_card(sim::CardFixture card) {
  std::lock_guard lock(impl_->mu);
  impl_->card.card = std::move(card);
  impl_->card.found = impl_->card.selected = impl_->card.read_since_placed = false;
}

void UsbReaderEmulator::remove_card() {
  std::lock_guard lock(impl_->mu);
  impl_->card.card.reset();
  impl_->card.found = impl_->card.selected = false;
}

void UsbReaderEmulator::unplug() {
  impl_->unplug();
}

void UsbReaderEmulator::replug() {
  impl_->detach();
  ++impl_->devnum;
  impl_->plug();
}

bool UsbReaderEmulator::kernel_driver_bound() const {
  std::lock_guard lock(impl_->mu);
  return impl_->bound != 0;
}

bool UsbReaderEmulator::kernel_driver_bound(int itf) const {
  std::lock_guard lock(impl_->mu);
  return (impl_->bound >> itf) & 1u;
}

int UsbReaderEmulator::line_coding_baud() const {
  std::lock_guard lock(impl_->mu);
  return impl_->baud;
}

int UsbReaderEmulator::control_line_state() const {
  std::lock_guard lock(impl_->mu);
  return impl_->line_state;
}

int UsbReaderEmulator::submitted_urbs() const {
  std::lock_guard lock(impl_->mu);
  return impl_->submitted;
}

}  // namespace idcard_test
