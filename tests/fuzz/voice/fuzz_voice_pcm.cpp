// The voice cache decoder (files under the data dir can be damaged) and the speakable-text guard.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "kiosk/voice/guard.hpp"
#include "kiosk/voice/pcm_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = kiosk::voice::decode_pcm(in);
  if (auto* p = std::get_if<kiosk::voice::Pcm>(&r)) {
    // A valid entry re-encodes to the same bytes.
    if (kiosk::voice::encode_pcm(*p) != in) __builtin_trap();
  }
  (void)kiosk::voice::longest_digit_run(in);
  return 0;
}
