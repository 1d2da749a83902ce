#include "drivers/printer/usb_printer.hpp"

#include <libusb.h>

#include <thread>
#include <vector>

#include "drivers/transport/usb.hpp"

namespace kiosk::printer {

using transport::ErrorKind;
using transport::throw_usb_error;
using transport::TransportError;
using transport::usb_timeout_ms;

struct UsbPrinter::Impl {
  libusb_context* ctx = nullptr;
  libusb_device_handle* h = nullptr;
  int iface = -1, alt = 0, config_index = 0;
  unsigned char ep_out = 0, ep_in = 0;
  bool detached = false;
  bool gone = false;
  std::string desc;
};

UsbPrinter::UsbPrinter(const UsbPrinterSelector& sel) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  if (int rc = libusb_init(&m.ctx); rc != 0) throw_usb_error(rc, "libusb_init");
  libusb_device** list = nullptr;
  ssize_t n = libusb_get_device_list(m.ctx, &list);
  if (n < 0) {
    libusb_exit(m.ctx);
    throw_usb_error(static_cast<int>(n), "libusb_get_device_list");
  }
  int last_rc = LIBUSB_ERROR_NOT_FOUND;
  for (ssize_t i = 0; i < n && !m.h; ++i) {
    libusb_device_descriptor dd{};
    if (libusb_get_device_descriptor(list[i], &dd) != 0) continue;
    if (sel.vendor_id && dd.idVendor != *sel.vendor_id) continue;
    if (sel.product_id && dd.idProduct != *sel.product_id) continue;
    libusb_config_descriptor* cfg = nullptr;
    if (libusb_get_active_config_descriptor(list[i], &cfg) != 0 &&
        libusb_get_config_descriptor(list[i], 0, &cfg) != 0)
      continue;
    for (int k = 0; k < cfg->bNumInterfaces && m.iface < 0; ++k)
      for (int a = 0; a < cfg->interface[k].num_altsetting; ++a) {
        const auto& id = cfg->interface[k].altsetting[a];
        if (id.bInterfaceClass != LIBUSB_CLASS_PRINTER) continue;
        unsigned char out = 0, in = 0;
        for (int e = 0; e < id.bNumEndpoints; ++e) {
          const auto& ep = id.endpoint[e];
          if ((ep.bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK) continue;
          if (ep.bEndpointAddress & LIBUSB_ENDPOINT_IN)
            in = ep.bEndpointAddress;
          else
            out = ep.bEndpointAddress;
        }
        if (!out) continue;
        m.iface = id.bInterfaceNumber;
        m.alt = id.bAlternateSetting;
        m.ep_out = out;
        m.ep_in = id.bInterfaceProtocol >= 2 ? in : 0;
        break;
      }
    libusb_free_config_descriptor(cfg);
    if (m.iface < 0) continue;
    int rc = libusb_open(list[i], &m.h);
    if (rc != 0) {
      last_rc = rc;
      m.h = nullptr;
      m.iface = -1;
      continue;
    }
    if (!sel.serial.empty()) {
      unsigned char buf[128] = {};
      if (dd.iSerialNumber == 0 ||
          libusb_get_string_descriptor_ascii(m.h, dd.iSerialNumber, buf, sizeof buf) < 0 ||
          sel.serial != reinterpret_cast<char*>(buf)) {
        libusb_close(m.h);
        m.h = nullptr;
        m.iface = -1;
        continue;
      }
    }
    char d[64];
    std::snprintf(d, sizeof d, "usb:%04x:%04x@%d.%d", dd.idVendor, dd.idProduct,
                  libusb_get_bus_number(list[i]), libusb_get_device_address(list[i]));
    m.desc = d;
  }
  libusb_free_device_list(list, 1);
  if (!m.h) {
    libusb_exit(m.ctx);
    throw_usb_error(last_rc, "no USB printer-class device");
  }
  // usblp holds class-7 interfaces: detach it or claiming fails with BUSY.
  if (libusb_kernel_driver_active(m.h, m.iface) == 1) {
    if (int rc = libusb_detach_kernel_driver(m.h, m.iface); rc == 0) m.detached = true;
  }
  if (int rc = libusb_claim_interface(m.h, m.iface); rc != 0) {
    libusb_close(m.h);
    libusb_exit(m.ctx);
    throw_usb_error(rc, "claim printer interface");
  }
  if (m.alt != 0) libusb_set_interface_alt_setting(m.h, m.iface, m.alt);
}

UsbPrinter::~UsbPrinter() {
  auto& m = *impl_;
  if (m.h) {
    libusb_release_interface(m.h, m.iface);
    if (m.detached) libusb_attach_kernel_driver(m.h, m.iface);
    libusb_close(m.h);
  }
  if (m.ctx) libusb_exit(m.ctx);
}

void UsbPrinter::write(std::span<const std::uint8_t> data, transport::Millis timeout) {
  auto& m = *impl_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t off = 0;
  while (off < data.size()) {
    auto left = std::chrono::duration_cast<transport::Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw TransportError(ErrorKind::Timeout, "USB bulk write");
    int done = 0;
    int len = static_cast<int>(std::min<std::size_t>(data.size() - off, 16384));
    int rc = libusb_bulk_transfer(m.h, m.ep_out, const_cast<unsigned char*>(data.data() + off), len, &done,
                                  usb_timeout_ms(left));
    off += static_cast<std::size_t>(done);
    if (rc == LIBUSB_ERROR_TIMEOUT) continue;
    if (rc == LIBUSB_ERROR_NO_DEVICE) m.gone = true;
    if (rc != 0) throw_usb_error(rc, "USB bulk write");
  }
}

std::size_t UsbPrinter::read(std::span<std::uint8_t> buf, transport::Millis timeout) {
  auto& m = *impl_;
  if (!m.ep_in) {
    // Uni-directional printer: nothing ever arrives; wait out the deadline without spinning.
    std::this_thread::sleep_for(timeout);
    return 0;
  }
  int done = 0;
  int rc = libusb_bulk_transfer(m.h, m.ep_in, buf.data(), static_cast<int>(buf.size()), &done,
                                usb_timeout_ms(timeout));
  if (rc == LIBUSB_ERROR_TIMEOUT) return static_cast<std::size_t>(done);
  if (rc == LIBUSB_ERROR_NO_DEVICE) m.gone = true;
  if (rc != 0) throw_usb_error(rc, "USB bulk read");
  return static_cast<std::size_t>(done);
}

void UsbPrinter::flush_input() {
  std::uint8_t tmp[64];
  if (impl_->ep_in)
    while (read(tmp, transport::Millis(1)) > 0) {
    }
}

bool UsbPrinter::connected() const {
  return !impl_->gone;
}
std::string UsbPrinter::describe() const {
  return impl_->desc;
}
bool UsbPrinter::bidirectional() const {
  return impl_->ep_in != 0;
}

DeviceId UsbPrinter::device_id(transport::Millis timeout) {
  auto& m = *impl_;
  std::vector<std::uint8_t> buf(1024);
  int rc = libusb_control_transfer(m.h, 0xA1, 0, static_cast<std::uint16_t>(m.config_index),
                                   static_cast<std::uint16_t>((m.iface << 8) | m.alt), buf.data(),
                                   static_cast<std::uint16_t>(buf.size()), usb_timeout_ms(timeout));
  if (rc < 0) throw_usb_error(rc, "GET_DEVICE_ID");
  buf.resize(static_cast<std::size_t>(rc));
  return parse_device_id(buf);
}

std::uint8_t UsbPrinter::port_status_byte(transport::Millis timeout) {
  auto& m = *impl_;
  std::uint8_t b = 0;
  int rc = libusb_control_transfer(m.h, 0xA1, 1, 0, static_cast<std::uint16_t>(m.iface), &b, 1,
                                   usb_timeout_ms(timeout));
  if (rc < 0) throw_usb_error(rc, "GET_PORT_STATUS");
  if (rc != 1) throw TransportError(ErrorKind::Io, "GET_PORT_STATUS: short reply");
  return b;
}

void UsbPrinter::soft_reset(transport::Millis timeout) {
  auto& m = *impl_;
  int rc = libusb_control_transfer(m.h, 0x21, 2, 0, static_cast<std::uint16_t>(m.iface), nullptr, 0,
                                   usb_timeout_ms(timeout));
  if (rc < 0) throw_usb_error(rc, "SOFT_RESET");
}

}  // namespace kiosk::printer
