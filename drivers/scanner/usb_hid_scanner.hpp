// USB HID keyboard-wedge scanner read through libusb: the interface is claimed (kernel hid driver
// detached while we hold it), interrupt-IN boot reports are decoded with the configured layout.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>

#include "drivers/scanner/scanner.hpp"

struct libusb_context;
struct libusb_device_handle;

namespace kiosk::scanner {

struct UsbHidConfig {
  std::uint16_t vid = 0;
  std::uint16_t pid = 0;
  int interface = -1;  // -1: first HID interface with an interrupt-IN endpoint
  int report_id = -1;  // -1: reports have no report-ID byte
  bool set_boot_protocol = true;
  Layout layout = Layout::Us;
  AssemblerConfig assembler;
};

class UsbHidScanner : public Scanner {
 public:
  // Opens and claims the device. Throws transport::TransportError (NotFound, Access, Busy, Io).
  explicit UsbHidScanner(UsbHidConfig cfg);
  ~UsbHidScanner() override;
  UsbHidScanner(const UsbHidScanner&) = delete;
  UsbHidScanner& operator=(const UsbHidScanner&) = delete;

  std::optional<std::string> read_scan(std::chrono::milliseconds timeout) override;
  std::string describe() const override;
  AssemblerStats stats() const override { return assembler_.stats(); }
  std::uint64_t bad_reports() const { return bad_reports_; }

 private:
  UsbHidConfig cfg_;
  libusb_context* ctx_ = nullptr;
  libusb_device_handle* handle_ = nullptr;
  int interface_ = 0;
  std::uint8_t endpoint_ = 0;
  int max_packet_ = 8;
  HidReportDecoder decoder_;
  ScanAssembler assembler_;
  std::deque<std::string> ready_;  // scans completed by one read beyond the first
  std::uint64_t bad_reports_ = 0;
};

}  // namespace kiosk::scanner
