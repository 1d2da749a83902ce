// Minimal UTF-8 helpers (decoding is lenient: invalid bytes become U+FFFD, never a crash).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::core {

std::vector<char32_t> utf8_decode(std::string_view s);
std::string utf8_encode(char32_t cp);
std::string utf8_encode(const std::u32string& s);
// Splits into one string per code point.
std::vector<std::string> utf8_split(std::string_view s);

}  // namespace kiosk::core
