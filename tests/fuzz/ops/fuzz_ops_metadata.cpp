// Fuzzes every parser of outside metadata bytes: envelope JSON, minisign signatures/keys inside it,
// root and release payloads, and a threshold check against a fixed root.
#include <cstdint>
#include <string_view>

#include "kiosk/ops/metadata.hpp"

using namespace kiosk::ops;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    parse_signature(in);
  } catch (const OpsError&) {
  }
  try {
    parse_public_key(in);
  } catch (const OpsError&) {
  }
  try {
    parse_release(in);
  } catch (const OpsError&) {
  }
  try {
    parse_root(in);
  } catch (const OpsError&) {
  }
  try {
    auto env = parse_envelope(in);
    try {
      verify_root_self(env);
    } catch (const OpsError&) {
    }
    try {
      parse_release(env.signed_text);
    } catch (const OpsError&) {
    }
  } catch (const OpsError&) {
  }
  return 0;
}
