#include "drivers/transport/usb.hpp"

#include <libusb.h>

#include <atomic>
#include <cstdio>
#include <cstring>

namespace kiosk::transport {

ErrorKind usb_error_kind(int rc) {
  switch (rc) {
    case LIBUSB_ERROR_TIMEOUT:
      return ErrorKind::Timeout;
    case LIBUSB_ERROR_NO_DEVICE:
      return ErrorKind::Disconnected;
    case LIBUSB_ERROR_NOT_FOUND:
      return ErrorKind::NotFound;
    case LIBUSB_ERROR_ACCESS:
      return ErrorKind::Access;
    case LIBUSB_ERROR_BUSY:
      return ErrorKind::Busy;
    case LIBUSB_ERROR_INVALID_PARAM:
      return ErrorKind::Invalid;
    default:
      return ErrorKind::Io;
  }
}

[[noreturn]] void throw_usb_error(int rc, const std::string& what) {
  throw TransportError(usb_error_kind(rc), what + ": " + libusb_error_name(rc));
}

unsigned usb_timeout_ms(Millis t) {
  return t.count() <= 0 ? 1u : static_cast<unsigned>(t.count());
}

namespace {

std::string hex4(std::uint16_t v) {
  char b[8];
  std::snprintf(b, sizeof b, "%04x", v);
  return b;
}

}  // namespace

std::pair<std::uint16_t, std::uint16_t> parse_vid_pid(const std::string& s) {
  unsigned v = 0, p = 0;
  char extra = 0;
  if (std::sscanf(s.c_str(), "%x:%x%c", &v, &p, &extra) != 2 || v > 0xFFFF || p > 0xFFFF)
    throw TransportError(ErrorKind::Invalid, "expected VID:PID in hex, got '" + s + "'");
  return {static_cast<std::uint16_t>(v), static_cast<std::uint16_t>(p)};
}

std::unique_ptr<UsbTransport> UsbTransport::open(const UsbOptions& o) {
  libusb_context* ctx = nullptr;
  int rc = libusb_init(&ctx);
  if (rc != 0) throw TransportError(ErrorKind::Io, std::string("libusb_init: ") + libusb_error_name(rc));
  const std::string id = "usb:" + hex4(o.vid) + ":" + hex4(o.pid);
  libusb_device_handle* h = libusb_open_device_with_vid_pid(ctx, o.vid, o.pid);
  if (!h) {
    libusb_exit(ctx);
    throw TransportError(ErrorKind::NotFound,
                         id + ": no such device (or no permission: check the udev rule)");
  }
  bool detached = false;
  std::vector<int> claimed, reattach;
  auto fail_open = [&](int code, const std::string& what) {
    for (int itf : claimed) libusb_release_interface(h, itf);
    for (int itf : reattach) libusb_attach_kernel_driver(h, itf);
    libusb_close(h);
    libusb_exit(ctx);
    throw TransportError(usb_error_kind(code), id + ": " + what + ": " + libusb_error_name(code));
  };
  std::vector<int> ifaces{o.interface};
  if (o.mode == UsbOptions::Mode::CdcAcm && o.cdc_control_interface != o.interface)
    ifaces.insert(ifaces.begin(), o.cdc_control_interface);
  for (int itf : ifaces) {
    if (o.detach_kernel_driver && libusb_kernel_driver_active(h, itf) == 1) {
      rc = libusb_detach_kernel_driver(h, itf);
      if (rc != 0 && rc != LIBUSB_ERROR_NOT_FOUND) fail_open(rc, "detach kernel driver");
      detached = true;
      if (rc == 0) reattach.push_back(itf);
    }
    rc = libusb_claim_interface(h, itf);
    if (rc != 0) fail_open(rc, "claim interface " + std::to_string(itf));
    claimed.push_back(itf);
  }
  if (o.mode == UsbOptions::Mode::CdcAcm) {
    const auto b = static_cast<std::uint32_t>(o.cdc_baud);
    unsigned char coding[7] = {static_cast<unsigned char>(b),
                               static_cast<unsigned char>(b >> 8),
                               static_cast<unsigned char>(b >> 16),
                               static_cast<unsigned char>(b >> 24),
                               0,
                               0,
                               8};
    const auto itf = static_cast<std::uint16_t>(o.cdc_control_interface);
    rc = libusb_control_transfer(h, 0x21, 0x20 /*SET_LINE_CODING*/, 0, itf, coding, sizeof coding, 1000);
    if (rc < 0) fail_open(rc, "SET_LINE_CODING");
    rc = libusb_control_transfer(h, 0x21, 0x22 /*SET_CONTROL_LINE_STATE*/, 0x3 /*DTR|RTS*/, itf, nullptr, 0,
                                 1000);
    if (rc < 0) fail_open(rc, "SET_CONTROL_LINE_STATE");
  }
  auto t = std::unique_ptr<UsbTransport>(new UsbTransport(ctx, h, o));
  t->detached_ = detached;
  t->claimed_ = std::move(claimed);
  t->reattach_ = std::move(reattach);
  return t;
}

UsbTransport::UsbTransport(libusb_context* ctx, libusb_device_handle* h, UsbOptions opts)
    : ctx_(ctx), h_(h), opts_(opts), name_("usb:" + hex4(opts.vid) + ":" + hex4(opts.pid)) {}

UsbTransport::~UsbTransport() {
  if (h_) {
    if (!gone_) {
      for (int itf : claimed_) libusb_release_interface(h_, itf);
      for (int itf : reattach_) libusb_attach_kernel_driver(h_, itf);
    }
    libusb_close(h_);
  }
  if (ctx_) libusb_exit(ctx_);
}

void UsbTransport::fail(int rc, const std::string& what) {
  if (rc == LIBUSB_ERROR_NO_DEVICE || rc == LIBUSB_ERROR_IO) gone_ = rc == LIBUSB_ERROR_NO_DEVICE || gone_;
  ErrorKind k = usb_error_kind(rc);
  if (gone_) k = ErrorKind::Disconnected;
  throw TransportError(k, name_ + ": " + what + ": " + libusb_error_name(rc));
}

int UsbTransport::transfer(std::uint8_t ep, std::uint8_t* data, int len, int* done, Millis timeout) {
  if (opts_.mode == UsbOptions::Mode::Interrupt)
    return libusb_interrupt_transfer(h_, ep, data, len, done, usb_timeout_ms(timeout));
  return libusb_bulk_transfer(h_, ep, data, len, done, usb_timeout_ms(timeout));
}

void UsbTransport::write(std::span<const std::uint8_t> data, Millis timeout) {
  if (gone_) throw TransportError(ErrorKind::Disconnected, name_ + " gone");
  std::vector<std::uint8_t> copy(data.begin(), data.end());
  int done = 0;
  const int rc = transfer(opts_.ep_out, copy.data(), static_cast<int>(copy.size()), &done, timeout);
  if (rc == LIBUSB_ERROR_TIMEOUT)
    throw TransportError(ErrorKind::Timeout,
                         name_ + ": wrote " + std::to_string(done) + " of " + std::to_string(copy.size()));
  if (rc != 0) fail(rc, "write");
}

std::size_t UsbTransport::read(std::span<std::uint8_t> buf, Millis timeout) {
  if (gone_) throw TransportError(ErrorKind::Disconnected, name_ + " gone");
  if (pending_off_ >= pending_.size()) {
    pending_.assign(4096, 0);
    pending_off_ = 0;
    int done = 0;
    const int rc = transfer(opts_.ep_in, pending_.data(), static_cast<int>(pending_.size()), &done, timeout);
    if (rc != 0 && rc != LIBUSB_ERROR_TIMEOUT) {
      pending_.clear();
      fail(rc, "read");
    }
    pending_.resize(static_cast<std::size_t>(done));
    if (done == 0) return 0;
  }
  const std::size_t n = std::min(buf.size(), pending_.size() - pending_off_);
  std::memcpy(buf.data(), pending_.data() + pending_off_, n);
  pending_off_ += n;
  return n;
}

void UsbTransport::flush_input() {
  pending_.clear();
  pending_off_ = 0;
}

// ---- hotplug ----

struct UsbHotplug::Impl {
  libusb_context* ctx = nullptr;
  libusb_hotplug_callback_handle handle = 0;
  std::function<void(bool)> cb;
  std::atomic<bool> stop{false};
  std::thread thread;
};

bool UsbHotplug::supported() {
  return libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0;
}

UsbHotplug::UsbHotplug(std::uint16_t vid, std::uint16_t pid, std::function<void(bool)> on_change)
    : impl_(std::make_unique<Impl>()) {
  impl_->cb = std::move(on_change);
  int rc = libusb_init(&impl_->ctx);
  if (rc != 0) throw TransportError(ErrorKind::Io, std::string("libusb_init: ") + libusb_error_name(rc));
  auto fn = [](libusb_context*, libusb_device*, libusb_hotplug_event ev, void* user) -> int {
    static_cast<Impl*>(user)->cb(ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED);
    return 0;
  };
  rc = libusb_hotplug_register_callback(
      impl_->ctx,
      static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
                                        LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT),
      LIBUSB_HOTPLUG_NO_FLAGS, vid, pid, LIBUSB_HOTPLUG_MATCH_ANY, fn, impl_.get(), &impl_->handle);
  if (rc != 0) {
    libusb_exit(impl_->ctx);
    throw TransportError(ErrorKind::Io, std::string("hotplug: ") + libusb_error_name(rc));
  }
  impl_->thread = std::thread([impl = impl_.get()] {
    while (!impl->stop) {
      timeval tv{0, 500'000};  // blocks in poll(); woken by events or by libusb_interrupt on stop
      libusb_handle_events_timeout_completed(impl->ctx, &tv, nullptr);
    }
  });
}

UsbHotplug::~UsbHotplug() {
  impl_->stop = true;
  libusb_hotplug_deregister_callback(impl_->ctx, impl_->handle);  // wakes the event thread
  libusb_interrupt_event_handler(impl_->ctx);
  if (impl_->thread.joinable()) impl_->thread.join();
  libusb_exit(impl_->ctx);
}

}  // namespace kiosk::transport
