// A reader's device profile (config/devices/idcard.toml): which transport, where, and its tuning.
#pragma once

#include <cstdint>
#include <string>

namespace kiosk::idcard {

struct DeviceProfile {
  std::string name;       // "usb-0400-c35a"
  std::string transport;  // "serial" | "usb" | "sim"
  // serial
  std::string port;  // /dev/ttyUSB0
  int baud = 115200;
  // usb
  std::uint16_t vid = 0, pid = 0;
  int interface = 0;
  std::uint8_t ep_out = 0x02, ep_in = 0x81;
  std::string usb_mode = "bulk";  // bulk | interrupt
  bool detach_kernel_driver = true;
};

}  // namespace kiosk::idcard
