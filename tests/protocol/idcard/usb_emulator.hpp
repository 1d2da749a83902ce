// Test-only: an emulated GA 467 USB reader (0400:C35A) on a umockdev testbed, answering usbdevfs
// ioctls as libusb 1.0.26 issues them (see shared/reference/umockdev-libusb.md). Card answers come
// from the simulator's CardState. Three attachments seen on real readers:
//   Bulk      vendor interface 0, bulk 0x02 OUT / 0x81 IN (kernel driver "idcard_vendor")
//   Interrupt HID-class interface 0, interrupt 0x02 OUT / 0x81 IN (kernel driver "usbhid")
//   CdcAcm    CDC comm interface 0 (interrupt 0x83) + CDC data interface 1, bulk 0x02 / 0x81;
//             SET_LINE_CODING / SET_CONTROL_LINE_STATE on interface 0 (kernel driver "cdc_acm")
#pragma once

#include <memory>
#include <string>

#include "drivers/idcard/sim/simulator.hpp"

namespace idcard_test {

enum class UsbAttach { Bulk, Interrupt, CdcAcm };

class UsbReaderEmulator {
 public:
  // Creates the testbed (sets $UMOCKDEV_DIR) and plugs the device; call before any libusb_init.
  explicit UsbReaderEmulator(UsbAttach attach = UsbAttach::Bulk);
  ~UsbReaderEmulator();
  void place_card(kiosk::idcard::sim::CardFixture card);
  void remove_card();
  void unplug();                     // ENODEV from now on + "remove" uevent
  void replug();                     // a new device node (next devnum), like a real re-enumeration
  bool kernel_driver_bound() const;  // on any interface
  bool kernel_driver_bound(int itf) const;
  int submitted_urbs() const;
  int line_coding_baud() const;    // CdcAcm: last SET_LINE_CODING rate, 0 if none
  int control_line_state() const;  // CdcAcm: last SET_CONTROL_LINE_STATE value, -1 if none

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace idcard_test
