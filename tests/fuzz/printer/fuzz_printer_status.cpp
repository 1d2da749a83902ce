// Status replies, ASB blocks, IEEE 1284 device IDs and dialect TOML from outside: typed errors only.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "drivers/printer/device_id.hpp"
#include "drivers/printer/dialect.hpp"
#include "drivers/printer/status.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kiosk::printer;
  std::span<const std::uint8_t> in(data, size);
  PrinterStatus s;
  for (std::size_t i = 0; i < size; ++i) {
    try {
      apply_dle_eot(s, static_cast<int>(i % 5), in[i]);
    } catch (const StatusError&) {
    }
  }
  if (size >= 4) {
    try {
      (void)decode_asb(in.first(4));
    } catch (const StatusError&) {
    }
  }
  try {
    (void)parse_device_id(in);
  } catch (const DeviceIdError&) {
  }
  try {
    (void)parse_dialect_toml(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const DialectError&) {
  }
  return 0;
}
