// Simulated cards: the 社会保障卡 (file system from JSON fixtures, PIN with try counter, T=0
// behaviour incl. 61xx / 6Cxx, gen-3 PSAM-protected records) and a PSAM. They answer C-APDUs with
// R-APDUs; the CCID device model, the umockdev device and the vpcd bridge put them behind readers.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "drivers/sscard/errors.hpp"

namespace kiosk::sscard::sim {

class SimCard {
 public:
  virtual ~SimCard() = default;
  virtual Bytes atr() const = 0;
  virtual void reset() = 0;                                       // power-on / warm reset
  virtual Bytes process(std::span<const std::uint8_t> apdu) = 0;  // C-APDU → R-APDU
};

struct CardFixture {
  Bytes atr;
  std::map<std::uint8_t, Bytes> ef05, ef06;  // tag → value
  std::string pin = "123456";
  int pin_tries = 3;
  bool ssse = true;                       // false: SELECT SSSE → 6A82 (not a social security card)
  bool ssse_under_mf = false;             // SSSE only selectable after selecting the MF
  bool read_all_records = true;           // supports READ RECORD P2 = xxxxx101
  bool sfi_read = true;                   // supports READ RECORD with SFI in P2
  bool t0_strict_le = true;               // T=0: Le ≠ length → 6Cxx
  std::set<std::uint8_t> psam_protected;  // tags answering 6982 until EXTERNAL AUTHENTICATE
  Bytes psam_key;                         // shared with the PSAM model
};

// Fixture JSON: {"atr": "3B6D…", "pin": "123456", "pin_tries": 3, "ef05": {"01": "hex:…", "03": "an:2.00"},
// "ef06": {"09": "gbk:张三"}, "read_all_records": true, "sfi_read": true, "psam_protected": ["0A"],
// "psam_key": "hex"}. "gbk:" values are right-padded with spaces to the specified record length.
CardFixture fixture_from_json(const std::string& json_text);
CardFixture load_fixture(const std::string& path);
// tests/data/sscard/<name>.json under KIOSK_SOURCE_DIR.
CardFixture load_named_fixture(const std::string& name);

// Keyed function standing in for the SM4 external-authentication cryptogram (card and PSAM share it).
Bytes psam_cryptogram(std::span<const std::uint8_t> key, std::span<const std::uint8_t> card_identifier,
                      std::span<const std::uint8_t> challenge);

class SsCardModel : public SimCard {
 public:
  explicit SsCardModel(CardFixture f);
  Bytes atr() const override;
  void reset() override;
  Bytes process(std::span<const std::uint8_t> apdu) override;

  int pin_tries_left() const;
  int apdus() const;
  bool t0() const { return t0_; }
  // Last sensitive data received (for tests: must equal what the driver sent, never logged).
  const CardFixture& fixture() const { return f_; }

 private:
  Bytes reply(Bytes data, std::uint16_t sw) const;
  Bytes with_le(Bytes data, std::optional<std::size_t> le);
  mutable std::mutex mu_;
  CardFixture f_;
  bool t0_ = true;
  int tries_;
  int apdus_ = 0;
  // volatile state (reset on power-on)
  bool in_ssse_ = false, in_mf_ = false;
  std::uint8_t current_ef_ = 0;
  Bytes pending_;  // T=0 data waiting for GET RESPONSE
  Bytes challenge_;
  bool authenticated_ = false;
  std::uint32_t challenge_counter_ = 0;
};

// PSAM: answers `80 FA 00 00 Lc card_identifier||challenge 10` with the cryptogram.
class PsamModel : public SimCard {
 public:
  explicit PsamModel(Bytes key) : key_(std::move(key)) {}
  Bytes atr() const override;
  void reset() override { pending_.clear(); }
  Bytes process(std::span<const std::uint8_t> apdu) override;

 private:
  Bytes key_;
  Bytes pending_;
};

}  // namespace kiosk::sscard::sim
