// CCID over libusb: finds the interface of class 0x0B (or vendor class with a 54-byte CCID
// descriptor), parses the class descriptor, claims the interface and exposes bulk OUT / bulk IN /
// interrupt IN as a CcidPort. Unplug surfaces as SsCardError(ReaderGone).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "drivers/sscard/ccid_reader.hpp"

namespace kiosk::sscard {

struct UsbCcidOptions {
  std::uint16_t vid = 0, pid = 0;  // 0 = any
  int index = 0;                   // nth matching CCID interface
  bool detach_kernel_driver = true;
};

struct UsbCcidInfo {
  std::uint16_t vid = 0, pid = 0;
  int bus = 0, address = 0, interface = 0;
  ccid::Descriptor descriptor;
};

// Lists the CCID interfaces present (does not claim them).
std::vector<UsbCcidInfo> list_usb_ccid();
// Throws SsCardError(ReaderGone) when no matching reader is present, Io on libusb failures.
std::unique_ptr<CcidPort> open_usb_ccid(const UsbCcidOptions& opts);

}  // namespace kiosk::sscard
