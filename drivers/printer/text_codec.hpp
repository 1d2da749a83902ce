// Chinese text for the printer: UTF-8 ⇄ GBK / GB18030 through iconv.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/printer/dialect.hpp"

namespace kiosk::printer {

// UTF-8 → printer bytes; nullopt if any character is outside the encoding (or, for GB18030, needs a
// 4-byte sequence, which printers' FS & mode does not accept) or the input is not valid UTF-8.
std::optional<std::string> encode_printer_text(std::string_view utf8, TextEncoding enc);
// One GB18030 2-byte code (lead ≥ 0x81) → code point, or 0 if unmapped.
char32_t decode_gb_pair(std::uint8_t lead, std::uint8_t trail);
// UTF-8 helpers.
std::u32string utf8_to_u32(std::string_view s);  // invalid bytes become U+FFFD
std::string u32_to_utf8(std::u32string_view s);
void append_utf8(std::string& out, char32_t cp);

}  // namespace kiosk::printer
