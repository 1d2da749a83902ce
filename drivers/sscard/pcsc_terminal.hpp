// PC/SC backend (libpcsclite → pcscd) for sites that run pcscd: the reader driver (libccid or a
// vendor driver) does the CCID layer, we keep the APDU layer and the 社保卡 app.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "drivers/sscard/terminal.hpp"

namespace kiosk::sscard {

struct PcscOptions {
  std::string reader;  // substring of the reader name; empty = first reader
};

// Reader names known to pcscd (empty when pcscd runs but has no reader). Throws ReaderGone when
// pcscd is not reachable.
std::vector<std::string> pcsc_list_readers();

class PcscTerminal : public CardTerminal {
 public:
  explicit PcscTerminal(PcscOptions o);  // throws ReaderGone if pcscd or the reader is missing
  ~PcscTerminal() override;
  SlotEvent wait_event(Millis timeout) override;
  bool card_present() override;
  Atr power_on() override;
  void power_off() override;
  Bytes transmit(std::span<const std::uint8_t> capdu) override;
  bool extended_length() const override { return false; }
  int protocol() const override { return protocol_; }
  std::string describe() const override { return "pcsc:" + reader_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string reader_;
  int protocol_ = 0;
};

}  // namespace kiosk::sscard
