// One card slot as the application layer sees it, whatever the backend (CCID over libusb, CCID over
// an in-process loopback, PC/SC). Not thread-safe: one owner at a time (the worker serialises).
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>

#include "drivers/sscard/atr.hpp"
#include "drivers/sscard/errors.hpp"

namespace kiosk::sscard {

using Millis = std::chrono::milliseconds;

enum class SlotEvent { None, CardInserted, CardRemoved };

class CardTerminal {
 public:
  virtual ~CardTerminal() = default;
  // Blocks up to timeout for a presence change (interrupt endpoint / SCardGetStatusChange).
  // Throws SsCardError(ReaderGone) when the reader disappears.
  virtual SlotEvent wait_event(Millis timeout) = 0;
  virtual bool card_present() = 0;
  // Activates the card and returns its parsed ATR. Throws NoCard / Mute / BadAtr / ReaderGone.
  virtual Atr power_on() = 0;
  virtual void power_off() = 0;
  // Sends one C-APDU (already encoded) and returns the raw R-APDU (data + SW). The terminal maps it
  // onto the exchange level / protocol; it does not do GET RESPONSE (the APDU layer does).
  virtual Bytes transmit(std::span<const std::uint8_t> capdu) = 0;
  virtual bool extended_length() const = 0;
  // Protocol in use after power_on: 0 or 1.
  virtual int protocol() const = 0;
  virtual std::string describe() const = 0;
};

}  // namespace kiosk::sscard
