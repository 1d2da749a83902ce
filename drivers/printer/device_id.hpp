// IEEE 1284 device ID (USB printer class GET_DEVICE_ID): "MFG:…;CMD:…;MDL:…;CLS:PRINTER;".
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <stdexcept>
#include <string>

namespace kiosk::printer {

struct DeviceId {
  std::map<std::string, std::string> fields;  // keys as sent (MFG/MANUFACTURER, MDL/MODEL, CMD, CLS…)
  std::string manufacturer() const;
  std::string model() const;
  std::string command_set() const;
};

class DeviceIdError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses the control-transfer reply: 2-byte length (big-endian, including itself; little-endian
// accepted when the big-endian value is implausible, as PAPPL does) then the key:value; string.
DeviceId parse_device_id(std::span<const std::uint8_t> reply);

}  // namespace kiosk::printer
