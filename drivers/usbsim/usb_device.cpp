#include "drivers/usbsim/usb_device.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "drivers/transport/transport.hpp"

namespace kiosk::usbsim {

bool Urb::fill_from(std::deque<std::uint8_t>& q) {
  if (q.empty()) return false;
  const std::size_t n = std::min(length(), q.size());
  std::copy_n(q.begin(), n, data());
  q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
  finish(0, n);
  return true;
}

void Urb::release() {
  if (buf) g_object_unref(buf);
  if (urb) g_object_unref(urb);
  buf = urb = nullptr;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    s += kDigits[b >> 4];
    s += kDigits[b & 0xF];
  }
  return s;
}

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("not a hex digit");
  };
  if (hex.size() % 2) throw std::invalid_argument("odd number of hex digits");
  std::vector<std::uint8_t> out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

EmulatedUsbDevice::EmulatedUsbDevice(UMockdevTestbed* tb)
    : tb_(tb ? tb : umockdev_testbed_new()), own_tb_(tb == nullptr) {}

EmulatedUsbDevice::~EmulatedUsbDevice() {
  detach();
  if (own_tb_) g_object_unref(tb_);
}

void EmulatedUsbDevice::plug(const DeviceSpec& s) {
  char num[8], vid[8], pid[8], product[32];
  std::snprintf(num, sizeof num, "%03d", s.devnum);
  std::snprintf(vid, sizeof vid, "%04x", s.vid);
  std::snprintf(pid, sizeof pid, "%04x", s.pid);
  std::snprintf(product, sizeof product, "%x/%x/100", s.vid, s.pid);
  const std::string node = std::string("/dev/bus/usb/001/") + num;
  handler_ = umockdev_ioctl_base_new();
  g_signal_connect(handler_, "handle-ioctl", G_CALLBACK(&EmulatedUsbDevice::on_ioctl), this);
  GError* err = nullptr;
  auto fail = [&](const char* what) {
    std::string msg = std::string("umockdev ") + what + ": " + (err ? err->message : "?");
    g_clear_error(&err);
    g_signal_handlers_disconnect_by_data(handler_, this);
    g_object_unref(handler_);
    handler_ = nullptr;
    throw transport::TransportError(transport::ErrorKind::Io, msg);
  };
  if (!umockdev_testbed_attach_ioctl(tb_, node.c_str(), handler_, &err)) fail("attach_ioctl");
  node_ = node;
  syspath_ = s.syspath;
  const std::string rec = "P: " + s.syspath.substr(4) + "\nN: " + node.substr(5) +
                          "\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\nE: DEVNAME=" + node +
                          "\nE: BUSNUM=001\nE: DEVNUM=" + num + "\nE: PRODUCT=" + product +
                          "\nA: busnum=1\\n\nA: devnum=" + std::to_string(s.devnum) +
                          "\\n\nA: speed=12\\n\nA: bConfigurationValue=1\\n\nA: idVendor=" + vid +
                          "\\n\nA: idProduct=" + pid + "\\n\nH: descriptors=" + to_hex(s.descriptors) + "\n";
  if (!umockdev_testbed_add_from_string(tb_, rec.c_str(), &err)) {
    umockdev_testbed_detach_ioctl(tb_, node.c_str(), nullptr);
    fail("add_from_string");
  }
  // FIFO wake-up (reference pitfall 1): libusb polls the node; a FIFO that is writable only while
  // a URB is reapable lets its event loop sleep instead of spinning on a regular file.
  gchar* root = umockdev_testbed_get_root_dir(tb_);
  const std::string fifo_path = std::string(root) + node;
  g_free(root);
  auto l = lock();
  if (unlink(fifo_path.c_str()) == 0 && mkfifo(fifo_path.c_str(), 0666) == 0) {
    fifo_ = open(fifo_path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fifo_ >= 0) fcntl(fifo_, F_SETPIPE_SZ, 4096);
  }
  gone_ = false;
  interfaces_ = s.interfaces;
  bound_ = s.bound;
  driver_ = s.driver;
  update_readiness();
}

void EmulatedUsbDevice::unplug(bool remove_device) {
  {
    auto l = lock();
    gone_ = true;
    for (auto& u : pending_) {
      u.finish(-ESHUTDOWN, 0);
      done_.push_back(u);
    }
    pending_.clear();
    update_readiness();
  }
  umockdev_testbed_uevent(tb_, syspath_.c_str(), "remove");
  if (remove_device) umockdev_testbed_remove_device(tb_, syspath_.c_str());
}

void EmulatedUsbDevice::detach() {
  if (!handler_) return;
  umockdev_testbed_detach_ioctl(tb_, node_.c_str(), nullptr);
  g_signal_handlers_disconnect_by_data(handler_, this);
  g_object_unref(handler_);
  handler_ = nullptr;
  auto l = lock();
  drop_urbs();
  if (fifo_ >= 0) close(fifo_);
  fifo_ = -1;
}

bool EmulatedUsbDevice::kernel_driver_bound(int itf) const {
  auto l = lock();
  return itf >= 0 && itf < 32 && ((bound_ >> itf) & 1u);
}

bool EmulatedUsbDevice::any_kernel_driver_bound() const {
  auto l = lock();
  return bound_ != 0;
}

int EmulatedUsbDevice::submitted_urbs() const {
  auto l = lock();
  return submitted_;
}

int EmulatedUsbDevice::reaps_empty() const {
  auto l = lock();
  return empty_reaps_;
}

void EmulatedUsbDevice::control(Urb& u) {
  u.finish(-EPIPE, 0);
}

void EmulatedUsbDevice::wake() {
  auto l = lock();
  satisfy();
  update_readiness();
}

void EmulatedUsbDevice::satisfy() {
  refresh();
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (fill_in(*it)) {
      done_.push_back(*it);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
}

void EmulatedUsbDevice::update_readiness() {
  if (fifo_ < 0) return;
  char b[512];
  if (!done_.empty()) {
    while (read(fifo_, b, sizeof b) > 0) {
    }
  } else {
    std::memset(b, 0, sizeof b);
    while (write(fifo_, b, sizeof b) > 0) {
    }
  }
}

void EmulatedUsbDevice::drop_urbs() {
  for (auto* q : {&pending_, &done_}) {
    for (auto& u : *q) u.release();
    q->clear();
  }
}

gboolean EmulatedUsbDevice::on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* c, gpointer self) {
  auto* d = static_cast<EmulatedUsbDevice*>(self);
  auto l = d->lock();
  d->handle(c);
  d->update_readiness();
  return TRUE;
}

// The usbfs ioctls libusb 1.0.26 issues (reference: "ioctl table").
void EmulatedUsbDevice::handle(UMockdevIoctlClient* c) {
  UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(c);
  const gulong req = umockdev_ioctl_client_get_request(c);
  auto complete = [&](long res, int err) { umockdev_ioctl_client_complete(c, res, err); };
  if (gone_ && req != USBDEVFS_REAPURBNDELAY && req != USBDEVFS_REAPURB && req != USBDEVFS_DISCARDURB &&
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
      if (gd->interface >= 32 || !(bound_ & (1u << gd->interface))) {
        g_object_unref(d);
        return complete(-1, ENODATA);
      }
      std::snprintf(gd->driver, sizeof gd->driver, "%s", driver_.c_str());
      g_object_unref(d);
      return complete(0, 0);
    }
    case USBDEVFS_IOCTL: {  // kernel driver detach / attach
      UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_ioctl), nullptr);
      const int code = reinterpret_cast<usbdevfs_ioctl*>(d->data)->ioctl_code;
      const int ifno = reinterpret_cast<usbdevfs_ioctl*>(d->data)->ifno;
      g_object_unref(d);
      if (ifno < 0 || ifno >= interfaces_) return complete(-1, EINVAL);
      if (code == static_cast<int>(USBDEVFS_DISCONNECT)) {
        bound_ &= ~(1u << ifno);
        return complete(0, 0);
      }
      if (code == static_cast<int>(USBDEVFS_CONNECT)) {
        bound_ |= 1u << ifno;
        return complete(1, 0);  // libusb treats 0 as "not found"
      }
      return complete(-1, ENOTTY);
    }
    case USBDEVFS_CLAIMINTERFACE: {
      UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned), nullptr);
      const unsigned ifno = *reinterpret_cast<unsigned*>(d->data);
      g_object_unref(d);
      if (ifno >= static_cast<unsigned>(interfaces_)) return complete(-1, ENOENT);
      return (bound_ & (1u << ifno)) ? complete(-1, EBUSY) : complete(0, 0);
    }
    case USBDEVFS_DISCONNECT_CLAIM:
      bound_ = 0;
      return complete(0, 0);
    case USBDEVFS_RELEASEINTERFACE:
    case USBDEVFS_SETINTERFACE:
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESET:
    case USBDEVFS_SETCONFIGURATION:
      return complete(0, 0);
    case USBDEVFS_SUBMITURB: {
      Urb u;
      u.urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_urb), nullptr);
      if (u.u()->buffer_length > 0)
        u.buf = umockdev_ioctl_data_resolve(u.urb, G_STRUCT_OFFSET(usbdevfs_urb, buffer),
                                            static_cast<gsize>(u.u()->buffer_length), nullptr);
      ++submitted_;
      if (u.u()->type == USBDEVFS_URB_TYPE_CONTROL) {
        control(u);
        done_.push_back(u);
      } else if (!accept(*u.u())) {
        u.release();
        return complete(-1, EINVAL);
      } else if (u.in()) {
        pending_.push_back(u);
      } else {
        const int status = out(u);
        u.finish(status, status == 0 ? u.length() : 0);
        done_.push_back(u);
      }
      satisfy();
      return complete(0, 0);
    }
    case USBDEVFS_REAPURBNDELAY:
    case USBDEVFS_REAPURB: {
      satisfy();
      if (done_.empty()) {
        ++empty_reaps_;
        return complete(-1, gone_ ? ENODEV : EAGAIN);
      }
      Urb u = done_.front();
      done_.pop_front();
      UMockdevIoctlData* p = umockdev_ioctl_data_resolve(arg, 0, sizeof(void*), nullptr);
      umockdev_ioctl_data_set_ptr(p, 0, u.urb);
      complete(0, 0);
      g_object_unref(p);
      u.release();
      return;
    }
    case USBDEVFS_DISCARDURB: {
      const gulong addr = *reinterpret_cast<gulong*>(arg->data);
      for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (it->urb->client_addr == addr) {
          it->finish(-ENOENT, 0);
          done_.push_back(*it);
          pending_.erase(it);
          return complete(0, 0);
        }
      }
      return complete(-1, EINVAL);
    }
    default:
      return complete(-1, ENOTTY);
  }
}

}  // namespace kiosk::usbsim
