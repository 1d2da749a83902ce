// A USB HID keyboard-wedge scanner emulated with umockdev: libusb in this process sees a real
// usbfs device (sysfs descriptors, ioctls) and receives boot-keyboard interrupt reports typed by
// type(). Test use only; construct it BEFORE any libusb_init in the process (see
// shared/reference/umockdev-libusb.md). Needs libumockdev-preload linked in or LD_PRELOADed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/scanner/keymap.hpp"

namespace kiosk::scanner::sim {

// Reports (8-byte boot keyboard: mods, 0, key, 0...) that type `text` on `layout`: press, release per
// character; characters the layout cannot type are sent as Alt+numpad codes (GBK for 汉字).
std::vector<std::vector<std::uint8_t>> reports_for_text(std::string_view text, Layout layout);
std::vector<std::uint8_t> enter_press();
std::vector<std::uint8_t> release_all();

class FakeHidScanner {
 public:
  FakeHidScanner(std::uint16_t vid, std::uint16_t pid);
  ~FakeHidScanner();
  FakeHidScanner(const FakeHidScanner&) = delete;
  FakeHidScanner& operator=(const FakeHidScanner&) = delete;

  // Queues the reports for one scan: text then Enter (unless terminate=false).
  void type(std::string_view text, Layout layout = Layout::Us, bool terminate = true);
  void queue_report(std::vector<std::uint8_t> report);
  // Unplugs the device: pending and future transfers fail with NO_DEVICE.
  void unplug();

  bool claimed() const;
  bool kernel_driver_bound() const;  // the emulated usbhid driver ("keystrokes reach the desktop")
  bool boot_protocol_requested() const;
  std::size_t reports_pending() const;

  struct State;

 private:
  std::unique_ptr<State> s_;
};

}  // namespace kiosk::scanner::sim
