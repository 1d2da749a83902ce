// Test-only: an emulated GA 467 USB reader (vendor bulk device 0400:C35A, EP 0x02 OUT / 0x81 IN) on a
// umockdev testbed, answering usbdevfs ioctls as libusb 1.0.26 issues them (see
// shared/reference/umockdev-libusb.md). Card answers come from the simulator's CardState.
#pragma once

#include <memory>
#include <string>

#include "drivers/idcard/sim/simulator.hpp"

namespace idcard_test {

class UsbReaderEmulator {
 public:
  // Creates the testbed (sets $UMOCKDEV_DIR) and plugs the device; call before any libusb_init.
  UsbReaderEmulator();
  ~UsbReaderEmulator();
  void place_card(kiosk::idcard::sim::CardFixture card);
  void remove_card();
  void unplug();  // ENODEV from now on + "remove" uevent
  void replug();  // a new device node (next devnum), like a real re-enumeration
  bool kernel_driver_bound() const;
  int submitted_urbs() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace idcard_test
