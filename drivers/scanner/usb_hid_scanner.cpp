#include "drivers/scanner/usb_hid_scanner.hpp"

#include <libusb.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "drivers/transport/usb.hpp"

namespace kiosk::scanner {

using transport::ErrorKind;
using transport::throw_usb_error;
using transport::TransportError;

UsbHidScanner::UsbHidScanner(UsbHidConfig cfg)
    : cfg_(std::move(cfg)), decoder_(cfg_.layout, cfg_.report_id), assembler_(cfg_.assembler) {
  if (int rc = libusb_init(&ctx_); rc != 0) throw_usb_error(rc, "libusb_init");
  handle_ = libusb_open_device_with_vid_pid(ctx_, cfg_.vid, cfg_.pid);
  if (!handle_) {
    libusb_exit(ctx_);
    throw TransportError(ErrorKind::NotFound, "no USB device " + describe());
  }
  try {
    libusb_device* dev = libusb_get_device(handle_);
    libusb_config_descriptor* conf = nullptr;
    if (int rc = libusb_get_active_config_descriptor(dev, &conf); rc != 0)
      throw_usb_error(rc, "config descriptor");
    bool found = false;
    for (int i = 0; i < conf->bNumInterfaces && !found; ++i) {
      const libusb_interface& itf = conf->interface[i];
      if (itf.num_altsetting < 1) continue;
      const libusb_interface_descriptor& alt = itf.altsetting[0];
      if (cfg_.interface >= 0 && alt.bInterfaceNumber != cfg_.interface) continue;
      if (cfg_.interface < 0 && alt.bInterfaceClass != LIBUSB_CLASS_HID) continue;
      for (int e = 0; e < alt.bNumEndpoints; ++e) {
        const libusb_endpoint_descriptor& ep = alt.endpoint[e];
        if ((ep.bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
            (ep.bmAttributes & 0x03) == LIBUSB_TRANSFER_TYPE_INTERRUPT) {
          interface_ = alt.bInterfaceNumber;
          endpoint_ = ep.bEndpointAddress;
          max_packet_ = std::max<int>(8, ep.wMaxPacketSize);
          found = true;
          break;
        }
      }
    }
    libusb_free_config_descriptor(conf);
    if (!found) throw TransportError(ErrorKind::NotFound, "no HID interrupt-IN endpoint on " + describe());
    // Detach the kernel's keyboard driver while we own the interface: scans never become keystrokes.
    libusb_set_auto_detach_kernel_driver(handle_, 1);
    if (int rc = libusb_claim_interface(handle_, interface_); rc != 0) throw_usb_error(rc, "claim interface");
    if (cfg_.set_boot_protocol) {
      // HID SET_PROTOCOL(boot) and SET_IDLE(0); optional for a boot keyboard, so a STALL is fine.
      libusb_control_transfer(handle_, 0x21, 0x0B, 0, static_cast<std::uint16_t>(interface_), nullptr, 0,
                              200);
      libusb_control_transfer(handle_, 0x21, 0x0A, 0, static_cast<std::uint16_t>(interface_), nullptr, 0,
                              200);
    }
  } catch (...) {
    libusb_close(handle_);
    libusb_exit(ctx_);
    throw;
  }
}

UsbHidScanner::~UsbHidScanner() {
  if (handle_) {
    libusb_release_interface(handle_, interface_);  // re-attaches the kernel driver
    libusb_close(handle_);
  }
  if (ctx_) libusb_exit(ctx_);
}

std::string UsbHidScanner::describe() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "usb-hid:%04x:%04x", cfg_.vid, cfg_.pid);
  return buf;
}

std::optional<std::string> UsbHidScanner::read_scan(std::chrono::milliseconds timeout) {
  const auto end = Clock::now() + timeout;
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(max_packet_));
  std::vector<Keystroke> keys;
  for (;;) {
    if (!ready_.empty()) {
      std::string s = std::move(ready_.front());
      ready_.pop_front();
      return s;
    }
    auto now = Clock::now();
    if (auto s = assembler_.poll(now)) return s;
    if (now >= end) return std::nullopt;
    auto until = end;
    if (auto d = assembler_.deadline()) until = std::min(until, *d);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    int got = 0;
    int rc = libusb_interrupt_transfer(handle_, endpoint_, buf.data(), static_cast<int>(buf.size()), &got,
                                       static_cast<unsigned>(std::max<long long>(1, wait)));
    if (rc == LIBUSB_ERROR_TIMEOUT && got == 0) continue;
    if (rc != 0 && rc != LIBUSB_ERROR_TIMEOUT) throw_usb_error(rc, "interrupt read " + describe());
    keys.clear();
    if (!decoder_.feed(std::span(buf.data(), static_cast<std::size_t>(got)), keys).empty()) {
      ++bad_reports_;
      continue;
    }
    auto scans = assembler_.push(keys, Clock::now());
    for (auto& s : scans) ready_.push_back(std::move(s));
  }
}

}  // namespace kiosk::scanner
