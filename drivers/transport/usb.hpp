// USB transport over libusb-1.0: bulk or interrupt (HID-class readers) endpoints, or a CDC-ACM
// serial bridge (line coding set over the control pipe). Kernel drivers are detached on claim.
// Every transfer has a deadline; unplug is reported as Disconnected. One libusb context per
// transport, so tests can set up an emulated bus (umockdev) before opening.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "drivers/transport/transport.hpp"

struct libusb_context;
struct libusb_device_handle;

namespace kiosk::transport {

struct UsbOptions {
  enum class Mode { Bulk, Interrupt, CdcAcm };
  std::uint16_t vid = 0, pid = 0;
  int interface = 0;
  std::uint8_t ep_out = 0x02, ep_in = 0x81;
  Mode mode = Mode::Bulk;
  bool detach_kernel_driver = true;
  int cdc_baud = 115200;          // CdcAcm only
  int cdc_control_interface = 0;  // CdcAcm: interface that takes SET_LINE_CODING
};

// "0400:C35A" → vid/pid; throws TransportError(Invalid).
std::pair<std::uint16_t, std::uint16_t> parse_vid_pid(const std::string& s);

// libusb helpers shared by every libusb user (this transport, the USB printer, the HID scanner).
// A libusb return code (LIBUSB_ERROR_*) as an ErrorKind.
ErrorKind usb_error_kind(int libusb_rc);
// Throws TransportError(usb_error_kind(rc), "<what>: <libusb error name>").
[[noreturn]] void throw_usb_error(int libusb_rc, const std::string& what);
// A deadline as a libusb timeout in ms: at least 1, since 0 means "wait forever" to libusb.
unsigned usb_timeout_ms(Millis timeout);

class UsbTransport : public Transport {
 public:
  // Finds the first device with vid:pid, opens it, detaches a bound kernel driver and claims the
  // interface. Throws TransportError (NotFound, Access, Busy, Io).
  static std::unique_ptr<UsbTransport> open(const UsbOptions& opts);
  ~UsbTransport() override;
  UsbTransport(const UsbTransport&) = delete;
  UsbTransport& operator=(const UsbTransport&) = delete;

  void write(std::span<const std::uint8_t> data, Millis timeout) override;
  std::size_t read(std::span<std::uint8_t> buf, Millis timeout) override;
  void flush_input() override;
  bool connected() const override { return !gone_; }
  std::string describe() const override { return name_; }
  bool kernel_driver_was_detached() const { return detached_; }

 private:
  UsbTransport(libusb_context* ctx, libusb_device_handle* h, UsbOptions opts);
  int transfer(std::uint8_t ep, std::uint8_t* data, int len, int* done, Millis timeout);
  [[noreturn]] void fail(int rc, const std::string& what);
  libusb_context* ctx_;
  libusb_device_handle* h_;
  UsbOptions opts_;
  std::string name_;
  bool gone_ = false;
  bool detached_ = false;
  std::vector<int> claimed_;           // CdcAcm claims the control interface too
  std::vector<int> reattach_;          // interfaces whose kernel driver was detached
  std::vector<std::uint8_t> pending_;  // bytes of the last IN packet not yet handed out
  std::size_t pending_off_ = 0;
};

// Hotplug notifications for one vid:pid on a background thread that blocks in libusb's event
// handling (no polling loop). `on_change(true)` on arrival, `(false)` on removal.
class UsbHotplug {
 public:
  UsbHotplug(std::uint16_t vid, std::uint16_t pid, std::function<void(bool arrived)> on_change);
  ~UsbHotplug();
  static bool supported();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiosk::transport
