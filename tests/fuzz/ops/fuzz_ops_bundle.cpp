// Fuzzes the bundle reader (tar.zst via libarchive, path rules, caps) and the content schema.
#include <cstdint>
#include <string_view>

#include "kiosk/ops/bundle.hpp"

using namespace kiosk::ops;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  BundleLimits lim;
  lim.max_file_bytes = 1 << 20;
  lim.max_total_bytes = 4 << 20;
  lim.max_files = 256;
  try {
    auto files = read_tar(in, lim);
    validate_content(files);
    diff(files, FileSet{{"settings.toml", "a = 1\n"}});
  } catch (const OpsError&) {
  }
  return 0;
}
