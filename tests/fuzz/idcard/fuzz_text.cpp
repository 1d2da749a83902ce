// 256-byte text blocks (all layouts), UCS-2 conversion and ID-number checks on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "drivers/idcard/card_text.hpp"
#include "drivers/idcard/region.hpp"

using namespace kiosk::idcard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> block(data, data + std::min<std::size_t>(size, 256));
  block.resize(256, 0x20);
  try {
    IdentityDocument d = decode_text(block);
    // Whatever decodes must re-encode and decode to the same fields.
    IdentityDocument again = decode_text(encode_text(d));
    if (again.id_number != d.id_number || again.name != d.name || again.kind != d.kind) __builtin_trap();
    if (check_id_number(d.id_number) != IdCheck::Ok && d.kind != CardKind::ForeignPermanent2017)
      __builtin_trap();
  } catch (const TextError&) {
  }
  try {
    std::string s = ucs2le_to_utf8(std::span(data, size - size % 2));
    auto back = utf8_to_ucs2le(s);
    if (back.size() != size - size % 2) __builtin_trap();
  } catch (const TextError&) {
  }
  std::string id(reinterpret_cast<const char*>(data), std::min<std::size_t>(size, 20));
  (void)check_id_number(id);
  (void)id_check_char(id);
  (void)ethnicity_name(id);
  return 0;
}
