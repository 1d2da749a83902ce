// The atlas cache file is bytes from disk: decode must reject anything malformed with AtlasCacheError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kiosk/ui/atlas_cache.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    auto c = kiosk::ui::decode_atlas_cache(in);
    // A decoded cache re-encodes to the same bytes.
    if (kiosk::ui::encode_atlas_cache(c) != in) __builtin_trap();
  } catch (const kiosk::ui::AtlasCacheError&) {
  }
  return 0;
}
