// The CCID device model behind umockdev: a fake USB device (class 0x0B interface, 54-byte CCID
// descriptor, bulk OUT/IN + interrupt IN) whose usbfs ioctls are answered in-process, so the real
// libusb path (UsbCcidPort) runs unchanged. The process must link libumockdev-preload (or run under
// umockdev-wrapper), and create this object before libusb_init.
#pragma once

#include <memory>

#include "drivers/sscard/sim/ccid_device.hpp"

namespace kiosk::sscard::sim {

class UmockdevCcid {
 public:
  explicit UmockdevCcid(std::shared_ptr<CcidDeviceModel> model);
  ~UmockdevCcid();
  UmockdevCcid(const UmockdevCcid&) = delete;
  UmockdevCcid& operator=(const UmockdevCcid&) = delete;
  // From now on usbfs calls fail with ENODEV and a "remove" uevent is sent.
  void unplug();
  int reaps_empty() const;  // diagnostics: empty REAPURBNDELAY answers (busy-loop check)

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiosk::sscard::sim
