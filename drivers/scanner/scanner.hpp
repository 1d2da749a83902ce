// A QR/barcode scanner that delivers whole scans. Implementations: USB HID keyboard wedge through
// libusb (kernel driver detached, so scans never reach the UI as keystrokes), evdev with an exclusive
// grab, and serial scanners. Errors are transport::TransportError with a kind (Timeout is never thrown:
// read_scan returns nullopt instead).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "drivers/scanner/scan_assembler.hpp"
#include "drivers/transport/transport.hpp"

namespace kiosk::scanner {

class Scanner {
 public:
  virtual ~Scanner() = default;
  // Waits up to timeout for one complete scan. The payload is personal data: never log it unmasked.
  virtual std::optional<std::string> read_scan(std::chrono::milliseconds timeout) = 0;
  virtual std::string describe() const = 0;  // log-safe endpoint, e.g. "usb-hid:0c2e:0b61"
  virtual AssemblerStats stats() const = 0;
};

}  // namespace kiosk::scanner
