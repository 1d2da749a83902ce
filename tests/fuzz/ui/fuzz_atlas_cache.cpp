// The atlas cache file is bytes from disk: decode must reject anything malformed with AtlasCacheError.
// Half the inputs get a valid checksum appended so the structure parser behind it is exercised too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "kiosk/ui/atlas_cache.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  if (size > 0 && (data[0] & 1)) {
    std::uint64_t h = kiosk::ui::KeyHasher{}.add(std::string_view(in)).value();
    for (int i = 0; i < 8; ++i) in.push_back(static_cast<char>(h >> (8 * i)));
  }
  try {
    auto c = kiosk::ui::decode_atlas_cache(in);
    // A decoded cache re-encodes to the same bytes.
    if (kiosk::ui::encode_atlas_cache(c) != in) __builtin_trap();
  } catch (const kiosk::ui::AtlasCacheError&) {
  }
  return 0;
}
