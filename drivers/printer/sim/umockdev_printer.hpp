// A USB printer-class receipt printer (interface class 7, protocol 2: bulk OUT + bulk IN) emulated
// through umockdev, so the real libusb path (UsbPrinter: usblp detach, claim, bulk, GET_DEVICE_ID,
// GET_PORT_STATUS, SOFT_RESET) runs unchanged against the PrinterSimulator. The process must link
// libumockdev-preload (or run under umockdev-wrapper) and create this object before libusb_init.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "drivers/printer/sim/simulator.hpp"

namespace kiosk::printer {

struct UmockdevPrinterConfig {
  std::uint16_t vendor_id = 0x0416;  // Winbond VID seen on many Gprinter/Xprinter boards
  std::uint16_t product_id = 0x5011;
  std::string device_id = "MFG:Gprinter;MDL:GP-L80160;CMD:ESC/POS;CLS:PRINTER;";
  int width_dots = 576;
};

class UmockdevUsbPrinter {
 public:
  explicit UmockdevUsbPrinter(UmockdevPrinterConfig cfg = {});
  ~UmockdevUsbPrinter();
  UmockdevUsbPrinter(const UmockdevUsbPrinter&) = delete;
  UmockdevUsbPrinter& operator=(const UmockdevUsbPrinter&) = delete;

  PrinterSimulator& sim();
  // From now on usbfs calls fail with ENODEV, pending transfers end, and a "remove" uevent is sent.
  void unplug();
  bool kernel_driver_bound() const;  // the fake usblp binding
  int soft_resets() const;
  int reaps_empty() const;  // diagnostics: empty REAPURBNDELAY answers (busy-loop check)

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiosk::printer
