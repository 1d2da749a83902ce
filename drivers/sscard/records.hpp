// 社会保障卡 SSSE records (pure): SIMPLE-TLV records of EF05 / EF06 (tag = record identifier) and the
// typed card they describe.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "drivers/sscard/errors.hpp"

namespace kiosk::sscard {

// DF name "sx1.sh.社会保障" (last 8 bytes GBK).
extern const Bytes kSsseName;

enum Tag : std::uint8_t {
  TagCardIdentifier = 0x01,  // 卡识别码 (16, binary; first 3 bytes BCD issuing region)
  TagCardType = 0x02,        // 卡的类别 (1, an)
  TagSpecVersion = 0x03,     // 规范版本 (4, an "2.00")
  TagIssuerCode = 0x04,      // 初始化机构编号 (12, binary)
  TagIssueDate = 0x05,       // 发卡日期 (4, cn YYYYMMDD)
  TagValidUntil = 0x06,      // 卡有效期 (4, cn)
  TagCardNumber = 0x07,      // 卡号 (9, an)
  TagSsNumber = 0x08,        // 社会保障号码 (18, an)
  TagName = 0x09,            // 姓名 (30, GBK)
  TagGender = 0x0A,          // 性别 (1, an '1'/'2')
  TagNation = 0x0B,          // 民族 (1, cn)
  TagBirthPlace = 0x0C,      // 出生地 (3, cn)
  TagBirthDate = 0x0D,       // 出生日期 (4, cn)
  TagNameExtension = 0x4E,   // 姓名扩展 (gen 3, GBK)
};

struct RecordSpec {
  std::uint8_t tag;
  std::uint8_t sfi;     // 5 = EF05, 6 = EF06
  std::uint8_t length;  // value length per the card specification
  const char* field;    // English field name for diagnostics
};
// The 13 records of EF05 + EF06 in file order.
std::span<const RecordSpec> record_specs();

struct TlvRecord {
  std::uint8_t tag = 0;
  Bytes value;
};
// Parses one or more concatenated SIMPLE-TLV records (tag 01..FE, length 1 byte or FF + 2 bytes).
// Trailing FF / 00 padding is ignored. Throws SsCardError(Parse) on truncation or a bad tag.
std::vector<TlvRecord> parse_simple_tlv(std::span<const std::uint8_t> bytes);
Bytes encode_simple_tlv(const TlvRecord& r);

// GBK → UTF-8 (iconv). Throws SsCardError(Parse) on invalid GBK.
std::string gbk_to_utf8(std::span<const std::uint8_t> gbk);
Bytes utf8_to_gbk(const std::string& utf8);

struct SocialSecurityCard {
  // EF05
  Bytes card_identifier;     // 卡识别码
  std::string card_type;     // 卡的类别
  std::string spec_version;  // 规范版本, e.g. "3.00"
  int generation = 0;        // first digit of spec_version
  std::string issuer_code;   // 初始化机构编号 (hex)
  std::string issue_date;    // YYYYMMDD
  std::string valid_until;   // YYYYMMDD (may be empty on gen 3)
  std::string card_number;   // 卡号
  // EF06
  std::string ss_number;    // 社会保障号码
  std::string name;         // 姓名 (UTF-8, with 姓名扩展 appended when present)
  std::string gender;       // "男" / "女" / "" (unknown)
  std::string nation;       // 民族 code, two digits
  std::string birth_place;  // region code
  std::string birth_date;   // YYYYMMDD
  // Derived
  std::string region_code;               // insured / issuing region (6 digits, from 卡识别码)
  std::vector<std::uint8_t> needs_psam;  // tags the card refused without PSAM authentication

  // Overwrites every personal field before clearing.
  void wipe();
};

// Builds the card from the records read (by tag). Requires tags 03, 07 and 08 unless they are in
// needs_psam; validates lengths and encodings. Throws SsCardError(Parse).
SocialSecurityCard build_card(const std::map<std::uint8_t, Bytes>& records,
                              std::vector<std::uint8_t> needs_psam = {});

// cn (BCD, F-padded) → digits; throws on a non-BCD nibble.
std::string decode_cn(std::span<const std::uint8_t> v);
// an → ASCII with trailing 00 / 20 padding removed; throws on non-printable bytes.
std::string decode_an(std::span<const std::uint8_t> v);

}  // namespace kiosk::sscard
