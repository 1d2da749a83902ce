// APDU layer over a CardTerminal: status words → typed results, automatic GET RESPONSE on 61xx,
// re-send with the corrected Le on 6Cxx, extended length where the terminal allows it.
#pragma once

#include <functional>

#include "drivers/sscard/apdu.hpp"
#include "drivers/sscard/terminal.hpp"

namespace kiosk::sscard {

class ApduChannel {
 public:
  // Trace hook (tools only, never a logger): sensitive command data arrive redacted as FF bytes.
  using Trace = std::function<void(bool to_card, std::span<const std::uint8_t> bytes)>;

  explicit ApduChannel(CardTerminal& t) : t_(t) {}
  Response transmit(const Command& c);
  int apdus() const { return apdus_; }
  void reset_count() { apdus_ = 0; }
  void set_trace(Trace t) { trace_ = std::move(t); }
  CardTerminal& terminal() { return t_; }

 private:
  Response raw(const Command& c);
  CardTerminal& t_;
  int apdus_ = 0;
  Trace trace_;
};

}  // namespace kiosk::sscard
