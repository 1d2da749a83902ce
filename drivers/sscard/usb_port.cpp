#include "drivers/sscard/usb_port.hpp"

#include <libusb.h>

namespace kiosk::sscard {

namespace {

[[noreturn]] void fail(int rc, const std::string& what) {
  const ErrorKind k = rc == LIBUSB_ERROR_NO_DEVICE ? ErrorKind::ReaderGone
                      : rc == LIBUSB_ERROR_TIMEOUT ? ErrorKind::Timeout
                      : rc == LIBUSB_ERROR_PIPE    ? ErrorKind::Protocol
                                                   : ErrorKind::Io;
  throw SsCardError(k, what + ": " + libusb_error_name(rc));
}

struct Found {
  int interface = -1;
  std::uint8_t ep_out = 0, ep_in = 0, ep_int = 0;
  std::uint16_t in_packet = 64;
  ccid::Descriptor desc;
};

// Looks for a CCID interface in the active configuration.
std::optional<Found> find_ccid(libusb_device* dev) {
  libusb_config_descriptor* cfg = nullptr;
  if (libusb_get_active_config_descriptor(dev, &cfg) != 0 && libusb_get_config_descriptor(dev, 0, &cfg) != 0)
    return std::nullopt;
  std::optional<Found> out;
  for (int i = 0; i < cfg->bNumInterfaces && !out; ++i) {
    const libusb_interface& itf = cfg->interface[i];
    if (itf.num_altsetting < 1) continue;
    const libusb_interface_descriptor& alt = itf.altsetting[0];
    if (alt.bInterfaceClass != 0x0B && alt.bInterfaceClass != 0xFF) continue;
    std::optional<ccid::Descriptor> d;
    try {
      d = ccid::find_descriptor(std::span(alt.extra, static_cast<std::size_t>(alt.extra_length)));
      // Some readers put the class descriptor after the last endpoint.
      for (int e = 0; !d && e < alt.bNumEndpoints; ++e)
        d = ccid::find_descriptor(
            std::span(alt.endpoint[e].extra, static_cast<std::size_t>(alt.endpoint[e].extra_length)));
    } catch (const SsCardError&) {
      continue;  // malformed descriptor: not usable
    }
    if (!d) continue;
    Found f;
    f.interface = alt.bInterfaceNumber;
    f.desc = *d;
    for (int e = 0; e < alt.bNumEndpoints; ++e) {
      const auto& ep = alt.endpoint[e];
      const int type = ep.bmAttributes & 3;
      const bool in = (ep.bEndpointAddress & 0x80) != 0;
      if (type == LIBUSB_TRANSFER_TYPE_BULK && !in) f.ep_out = ep.bEndpointAddress;
      if (type == LIBUSB_TRANSFER_TYPE_BULK && in) {
        f.ep_in = ep.bEndpointAddress;
        f.in_packet = ep.wMaxPacketSize;
      }
      if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT && in) f.ep_int = ep.bEndpointAddress;
    }
    if (f.ep_out && f.ep_in) out = f;
  }
  libusb_free_config_descriptor(cfg);
  return out;
}

class UsbCcidPort : public CcidPort {
 public:
  UsbCcidPort(libusb_context* ctx, libusb_device_handle* h, Found f, std::string name)
      : ctx_(ctx), h_(h), f_(f), name_(std::move(name)) {}
  ~UsbCcidPort() override {
    libusb_release_interface(h_, f_.interface);
    libusb_close(h_);
    libusb_exit(ctx_);
  }
  const ccid::Descriptor& descriptor() const override { return f_.desc; }

  void send(std::span<const std::uint8_t> msg, Millis timeout) override {
    int done = 0;
    const int rc =
        libusb_bulk_transfer(h_, f_.ep_out, const_cast<std::uint8_t*>(msg.data()),
                             static_cast<int>(msg.size()), &done, static_cast<unsigned>(timeout.count()));
    if (rc != 0) fail(rc, "CCID bulk OUT");
    if (done != static_cast<int>(msg.size())) throw SsCardError(ErrorKind::Io, "CCID bulk OUT short write");
  }

  std::optional<Bytes> receive(Millis timeout) override {
    Bytes buf(f_.desc.max_message_length + f_.in_packet);
    std::size_t have = 0;
    while (true) {
      int got = 0;
      const int rc =
          libusb_bulk_transfer(h_, f_.ep_in, buf.data() + have, static_cast<int>(buf.size() - have), &got,
                               static_cast<unsigned>(timeout.count()));
      if (rc == LIBUSB_ERROR_TIMEOUT && have == 0) return std::nullopt;
      if (rc != 0) fail(rc, "CCID bulk IN");
      have += static_cast<std::size_t>(got);
      if (have < ccid::kHeaderSize) continue;
      const std::size_t want = ccid::announced_length(std::span(buf).first(have));
      if (want > f_.desc.max_message_length)
        throw SsCardError(ErrorKind::Parse, "CCID message longer than the maximum");
      if (have >= want) {
        buf.resize(want);
        return buf;
      }
    }
  }

  std::optional<Bytes> interrupt(Millis timeout) override {
    if (!f_.ep_int) return std::nullopt;
    Bytes buf(64);
    int got = 0;
    const int rc = libusb_interrupt_transfer(h_, f_.ep_int, buf.data(), static_cast<int>(buf.size()), &got,
                                             static_cast<unsigned>(timeout.count()));
    if (rc == LIBUSB_ERROR_TIMEOUT) return std::nullopt;
    if (rc != 0) fail(rc, "CCID interrupt IN");
    buf.resize(static_cast<std::size_t>(got));
    if (buf.empty()) return std::nullopt;
    return buf;
  }

  bool has_interrupt() const override { return f_.ep_int != 0; }
  std::string describe() const override { return name_; }

 private:
  libusb_context* ctx_;
  libusb_device_handle* h_;
  Found f_;
  std::string name_;
};

template <class F>
void for_each_ccid(libusb_context* ctx, F&& f) {
  libusb_device** list = nullptr;
  const ssize_t n = libusb_get_device_list(ctx, &list);
  if (n < 0) fail(static_cast<int>(n), "libusb_get_device_list");
  for (ssize_t i = 0; i < n; ++i) {
    libusb_device_descriptor dd{};
    if (libusb_get_device_descriptor(list[i], &dd) != 0) continue;
    auto found = find_ccid(list[i]);
    if (found && f(list[i], dd, *found)) break;
  }
  libusb_free_device_list(list, 1);
}

}  // namespace

std::vector<UsbCcidInfo> list_usb_ccid() {
  libusb_context* ctx = nullptr;
  if (int rc = libusb_init(&ctx); rc != 0) fail(rc, "libusb_init");
  std::vector<UsbCcidInfo> out;
  for_each_ccid(ctx, [&](libusb_device* d, const libusb_device_descriptor& dd, const Found& f) {
    out.push_back({dd.idVendor, dd.idProduct, libusb_get_bus_number(d), libusb_get_device_address(d),
                   f.interface, f.desc});
    return false;
  });
  libusb_exit(ctx);
  return out;
}

std::unique_ptr<CcidPort> open_usb_ccid(const UsbCcidOptions& o) {
  libusb_context* ctx = nullptr;
  if (int rc = libusb_init(&ctx); rc != 0) fail(rc, "libusb_init");
  libusb_device_handle* handle = nullptr;
  Found found;
  std::string name;
  int seen = 0, rc_open = 0;
  try {
    for_each_ccid(ctx, [&](libusb_device* d, const libusb_device_descriptor& dd, const Found& f) {
      if ((o.vid && dd.idVendor != o.vid) || (o.pid && dd.idProduct != o.pid)) return false;
      if (seen++ != o.index) return false;
      rc_open = libusb_open(d, &handle);
      found = f;
      char buf[64];
      std::snprintf(buf, sizeof buf, "usb:%04x:%04x@%d-%d", dd.idVendor, dd.idProduct,
                    libusb_get_bus_number(d), libusb_get_device_address(d));
      name = buf;
      return true;
    });
    if (rc_open != 0) fail(rc_open, "libusb_open");
    if (!handle) throw SsCardError(ErrorKind::ReaderGone, "no CCID reader found");
    if (o.detach_kernel_driver) libusb_set_auto_detach_kernel_driver(handle, 1);
    if (int rc = libusb_claim_interface(handle, found.interface); rc != 0) {
      libusb_close(handle);
      handle = nullptr;
      fail(rc, "claim CCID interface");
    }
  } catch (...) {
    libusb_exit(ctx);
    throw;
  }
  return std::make_unique<UsbCcidPort>(ctx, handle, found, name);
}

}  // namespace kiosk::sscard
