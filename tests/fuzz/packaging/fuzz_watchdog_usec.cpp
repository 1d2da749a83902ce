// Fuzzes Watchdog::parse_usec and the Watchdog constructor's handling of WATCHDOG_USEC: any input is
// either a duration within bounds or rejected; a rejected value disables keep-alives.
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "kiosk/core/watchdog.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  spdlog::set_level(spdlog::level::off);
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto parsed = kiosk::core::Watchdog::parse_usec(text);
  if (parsed && (parsed->count() < 0 || parsed->count() > 365LL * 24 * 3600 * 1000000)) std::abort();

  if (text.find('\0') != std::string::npos) return 0;  // not representable in the environment
  ::setenv("WATCHDOG_USEC", text.c_str(), 1);
  kiosk::core::WatchdogOptions o;
  o.notify_socket = "";  // never send anything
  kiosk::core::Watchdog wd(o);
  if (parsed ? wd.interval() != *parsed / 2 : wd.interval().count() != 0) std::abort();
  if (wd.next_due().count() < 0 || wd.stale_after().count() <= 0) std::abort();
  ::unsetenv("WATCHDOG_USEC");
  return 0;
}
