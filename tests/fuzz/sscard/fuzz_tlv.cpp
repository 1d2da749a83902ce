// EF05/EF06 record bytes and R-APDUs from a (hostile) card → the typed SocialSecurityCard.
#include <cstdint>
#include <map>

#include "drivers/sscard/apdu.hpp"
#include "drivers/sscard/records.hpp"

using namespace kiosk::sscard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  try {
    (void)parse_command(in);
  } catch (const SsCardError&) {
  }
  try {
    auto r = parse_response(in);
    (void)describe_sw(r.sw);
    auto recs = parse_simple_tlv(r.data);
    std::map<std::uint8_t, Bytes> m;
    for (auto& x : recs) m[x.tag] = x.value;
    auto card = build_card(m);
    card.wipe();
  } catch (const SsCardError&) {
  }
  return 0;
}
