// The one masking helper. Every log line, journal row, receipt and screenshot fixture that mentions a
// person goes through these functions (DOMAIN.md: rules that never bend).
#pragma once

#include <string>
#include <string_view>

namespace kiosk::core {

// 张三丰 → 张*丰, 张三 → 张*, 欧阳娜娜 → 欧**娜; Latin names: "ZHANG SAN" → "Z**** S**".
std::string mask_name(std::string_view utf8_name);
// 18-char ID number → 4101**********1234 (first 4, last 4); shorter numbers keep first and last 2.
std::string mask_id(std::string_view id_number);
// Opaque QR tokens are never shown: "tok[64]".
std::string mask_token(std::string_view token);
// Defence in depth for free text (log sinks): replaces anything that looks like an ID or card number
// (runs of ≥ 15 digits, with optional trailing X) by its masked form.
std::string scrub(std::string_view text);

}  // namespace kiosk::core
