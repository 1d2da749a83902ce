// ATRs from a (hostile) card.
#include <cstdint>

#include "drivers/sscard/atr.hpp"

using namespace kiosk::sscard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const Atr a = parse_atr(std::span(data, size));
    (void)a.fi();
    (void)a.di();
    if (!a.t0 && !a.t1) __builtin_trap();
  } catch (const SsCardError&) {
  }
  return 0;
}
