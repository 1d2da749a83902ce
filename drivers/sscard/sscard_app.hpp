// The 社会保障卡 application: select SSSE, read EF05 / EF06 into a SocialSecurityCard, verify the PIN,
// and (generation 3) authenticate through a PSAM for the records the card protects.
#pragma once

#include <memory>

#include "drivers/sscard/apdu_channel.hpp"
#include "drivers/sscard/records.hpp"

namespace kiosk::sscard {

// PSAM: the terminal security module that answers the user card's challenge (gen 3). The command set
// belongs to the provincial key system; PsamOnTerminal sends it as a configurable APDU.
class Psam {
 public:
  struct Auth {
    std::uint8_t key_id = 0;
    Bytes cryptogram;
  };
  virtual ~Psam() = default;
  virtual Auth authenticate(std::span<const std::uint8_t> challenge,
                            std::span<const std::uint8_t> card_identifier) = 0;
};

// A PSAM card in another CardTerminal (second CCID slot or a second reader). Sends
// `CLA INS P1 P2 Lc card_identifier||challenge Le` and takes the answer as the cryptogram.
class PsamOnTerminal : public Psam {
 public:
  struct Options {
    std::uint8_t cla = 0x80, ins = 0xFA, p1 = 0x00, p2 = 0x00;
    std::uint8_t key_id = 0x0A;
  };
  PsamOnTerminal(CardTerminal& t, Options o);
  explicit PsamOnTerminal(CardTerminal& t) : PsamOnTerminal(t, Options{}) {}
  Auth authenticate(std::span<const std::uint8_t> challenge,
                    std::span<const std::uint8_t> card_identifier) override;

 private:
  ApduChannel ch_;
  Options o_;
  bool powered_ = false;
};

struct PinResult {
  enum class Kind { Ok, Wrong, Blocked, Invalid, NoCard, Error };
  Kind kind = Kind::Error;
  int tries_left = -1;  // Wrong: from 63Cx
  std::string detail;   // log-safe
};
const char* to_string(PinResult::Kind k);

// How EF05 / EF06 are addressed; the app starts at the first and falls back when the card refuses.
enum class ReadMode {
  SfiAllRecords,  // 00 B2 01 (SFI<<3|5) 00: every record of the file in one APDU
  SfiById,        // 00 B2 tag (SFI<<3) Le
  SelectById,     // 00 A4 02 00 02 EFxx (or P1 = 00), then 00 B2 tag 00 Le
};
const char* to_string(ReadMode m);

class SsCardApp {
 public:
  explicit SsCardApp(CardTerminal& t, Psam* psam = nullptr) : ch_(t), psam_(psam) {}
  ApduChannel& channel() { return ch_; }

  // Selects SSSE by DF name; falls back to MF then SSSE. Throws NotSsCard on 6A82.
  void select_ssse();
  // select_ssse + EF05 + EF06. Throws SsCardError; personal data only in the returned value.
  SocialSecurityCard read();
  // 00 20 00 00 03 <BCD>. `digits` is wiped (overwritten, cleared) whatever happens.
  PinResult verify_pin(std::string& digits);

  ReadMode mode_used() const { return mode_; }

 private:
  std::optional<Bytes> read_record(std::uint8_t tag, std::uint8_t sfi, std::uint8_t len);
  bool read_all(std::uint8_t sfi, std::map<std::uint8_t, Bytes>& out);
  bool external_authenticate(const Bytes& card_identifier);
  void select_ef(std::uint8_t sfi);

  ApduChannel ch_;
  Psam* psam_;
  ReadMode mode_ = ReadMode::SfiAllRecords;
  std::uint8_t selected_ef_ = 0;
  bool authenticated_ = false;
};

}  // namespace kiosk::sscard
