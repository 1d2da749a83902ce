// CCID bulk messages, interrupt messages and class descriptors from a (hostile) reader.
#include <cstdint>

#include "drivers/sscard/ccid_codec.hpp"

using namespace kiosk::sscard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  try {
    auto m = ccid::decode(in, 271);
    (void)ccid::error_kind(m.status(), m.error());
    (void)ccid::describe_error(m.error());
    auto back = ccid::encode(m);
    if (back.size() != size) __builtin_trap();
  } catch (const SsCardError&) {
  }
  try {
    (void)ccid::decode_interrupt(in, size ? 1 + data[0] % 4 : 1);
  } catch (const SsCardError&) {
  }
  try {
    if (auto d = ccid::find_descriptor(in)) {
      (void)d->exchange_level();
      (void)d->slots();
    }
  } catch (const SsCardError&) {
  }
  return 0;
}
