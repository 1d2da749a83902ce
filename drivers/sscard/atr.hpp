// ISO 7816-3 Answer-To-Reset parsing (pure).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "drivers/sscard/errors.hpp"

namespace kiosk::sscard {

struct Atr {
  Bytes raw;
  bool inverse_convention = false;  // TS = 3F
  bool t0 = false;                  // T=0 offered (also implied when no TD1)
  bool t1 = false;                  // T=1 offered
  std::optional<std::uint8_t> ta1;  // Fi/Di
  bool specific_mode = false;       // TA2 present
  std::uint8_t t1_ifsc = 32;        // first TA for T=1 (TA3 usually); default 32
  std::uint8_t t1_bwi = 4, t1_cwi = 13;
  bool t1_crc = false;          // TC for T=1 bit 0
  std::uint8_t guard_time = 0;  // TC1 (extra guard time N)
  std::uint8_t wi = 10;         // TC2 for T=0 (work waiting integer)
  Bytes historical;
  bool tck_present = false;

  // Clock rate conversion / baud adjustment factors from TA1 (defaults 372 / 1).
  int fi() const;
  int di() const;
  // Protocol the host should use: T=0 if offered first / only, else T=1.
  int preferred_protocol() const;
};

// Throws SsCardError(BadAtr) on a bad TS, truncated or over-long ATR, or a wrong TCK.
Atr parse_atr(std::span<const std::uint8_t> raw);

}  // namespace kiosk::sscard
