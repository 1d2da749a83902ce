// Typed errors of the social security card stack. Messages never contain personal data.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiosk::sscard {

using Bytes = std::vector<std::uint8_t>;

enum class ErrorKind {
  Parse,        // malformed bytes from the reader or card (CCID message, ATR, TLV, T=1 block)
  Timeout,      // reader or card did not answer in time
  NoCard,       // slot empty / card pulled
  Mute,         // card present but does not answer (ICC_MUTE)
  BadAtr,       // ATR invalid (TS, TCK)
  ReaderGone,   // reader unplugged / transport closed
  Protocol,     // unexpected answer (wrong bSeq, wrong message type, T=1 failure)
  Card,         // card returned an error status word where the flow cannot continue
  NotSsCard,    // no SSSE application
  Unsupported,  // reader feature missing (exchange level, extended length)
  Io,           // other host / library failure
};

const char* to_string(ErrorKind k);

class SsCardError : public std::runtime_error {
 public:
  SsCardError(ErrorKind kind, const std::string& detail)
      : std::runtime_error(std::string(to_string(kind)) + ": " + detail), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

std::string hex(std::span<const std::uint8_t> b, bool spaced = false);
// Parses "00 A4 04 00" / "00a40400" (spaces and colons ignored). Throws SsCardError(Parse).
Bytes from_hex(std::string_view s);

}  // namespace kiosk::sscard
