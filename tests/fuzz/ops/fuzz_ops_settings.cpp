// ops.toml arrives on terminals inside signed bundles too: its parser must turn any bytes into either
// settings or a ConfigLoadError naming file:line, never a crash or another exception.
#include <cstdint>
#include <string>

#include "kiosk/core/config.hpp"
#include "kiosk/ops/settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  try {
    auto s = kiosk::ops::parse_ops_settings(in, "ops.toml");
    // Accepted settings respect the documented ranges.
    if (s.poll_interval_s < 10 || s.broker_port < 1 || s.broker_port > 65535 || s.jitter < 0 ||
        s.jitter > 0.9)
      __builtin_trap();
  } catch (const kiosk::core::ConfigLoadError& e) {
    if (e.errors().empty()) __builtin_trap();
  }
  return 0;
}
