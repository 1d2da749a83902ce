// ISO 7816-4 command / response APDUs and status words (pure).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "drivers/sscard/errors.hpp"

namespace kiosk::sscard {

struct Command {
  std::uint8_t cla = 0, ins = 0, p1 = 0, p2 = 0;
  Bytes data;
  std::optional<std::size_t> le;  // expected response length; 256 (short) / 65536 (extended) = "all"
  bool sensitive = false;         // carries a PIN: never logged, wiped after sending

  // Short encoding (Lc ≤ 255, Le ≤ 256) unless extended is forced or needed.
  Bytes encode(bool allow_extended = false) const;
  bool needs_extended() const { return data.size() > 255 || (le && *le > 256); }
  // ISO case: 1 (no data, no Le), 2 (Le), 3 (data), 4 (data + Le).
  int iso_case() const { return (data.empty() ? 1 : 3) + (le ? 1 : 0); }
};

// Parses a C-APDU (short or extended). Throws SsCardError(Parse).
Command parse_command(std::span<const std::uint8_t> bytes);

struct Response {
  Bytes data;
  std::uint16_t sw = 0;
  std::uint8_t sw1() const { return static_cast<std::uint8_t>(sw >> 8); }
  std::uint8_t sw2() const { return static_cast<std::uint8_t>(sw); }
  bool ok() const { return sw == 0x9000; }
};

// Splits data + SW1 SW2. Throws SsCardError(Parse) on fewer than 2 bytes.
Response parse_response(std::span<const std::uint8_t> bytes);
Bytes encode_response(const Response& r);

// Status words as typed results.
enum class Status {
  Ok,                      // 9000
  BytesAvailable,          // 61xx
  WrongLe,                 // 6Cxx
  VerifyFailed,            // 63Cx (x tries left)
  Blocked,                 // 6983
  SecurityNotSatisfied,    // 6982
  ConditionsNotSatisfied,  // 6985
  FileNotFound,            // 6A82
  RecordNotFound,          // 6A83
  WrongP1P2,               // 6A86 / 6B00
  FunctionNotSupported,    // 6A81
  WrongLength,             // 6700
  InsNotSupported,         // 6D00
  ClaNotSupported,         // 6E00
  Warning,                 // 62xx / 63xx other
  Other,
};
Status classify(std::uint16_t sw);
const char* to_string(Status s);
std::string describe_sw(std::uint16_t sw);

}  // namespace kiosk::sscard
