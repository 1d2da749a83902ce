// The 256-byte text block of a card (UCS-2LE, space padded) → one typed IdentityDocument, for the
// resident card, the 2017 ('I') and 2023 ('Y') foreign permanent resident cards and the 港澳台居民
// 居住证 ('J'). Layouts: shared/reference/idcard-ga467.md §4. Pure.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiosk::idcard {

enum class CardKind {
  Resident,              // 居民身份证 (marker space)
  ForeignPermanent2017,  // 外国人永久居留身份证 2017 ('I')
  HkMacauTaiwan,         // 港澳台居民居住证 ('J')
  ForeignPermanent2023,  // 外国人永久居留身份证 2023 ('Y')
};
const char* to_string(CardKind k);  // "resident", "foreign_2017", "hk_macau_taiwan", "foreign_2023"

class TextError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Personal data: never log a field except through kiosk/core/mask.hpp.
struct IdentityDocument {
  CardKind kind = CardKind::Resident;
  std::string name;               // 姓名 / 中文姓名 (may be empty on an 'I' card without Chinese name)
  std::string name_en;            // 英文姓名 (I, Y)
  std::string gender_code;        // GB/T 2261.1: 0 1 2 9
  std::string gender;             // 男 / 女 / 未知 / 未说明
  std::string ethnicity_code;     // 民族 GB 3304 (resident only)
  std::string ethnicity;          // 汉 ...
  std::string birth_date;         // YYYYMMDD
  std::string address;            // 住址 (resident, J)
  std::string id_number;          // 公民身份号码 / 永久居留证号码
  std::string issuing_authority;  // 签发机关
  std::string valid_from;         // YYYYMMDD
  std::string valid_until;        // YYYYMMDD or "长期"
  std::string nationality;        // GB/T 2659 3-letter code (I, Y)
  std::string card_version;       // 证件版本号 (I)
  std::string authority_code;     // 当次申请受理机关代码 (I)
  std::string pass_number;        // 通行证号码 (J)
  std::string issue_count;        // 签发次数 (J) / 换证次数 (Y)
  std::string old_permit_ref;     // 既往版本永居证号码关联项 (Y)
  std::string region_code;        // first 6 digits of a resident/J ID number, empty otherwise

  bool long_term() const { return valid_until == "长期"; }
};

// Throws TextError with a clear message (size, invalid UTF-16, bad date, bad ID number format).
IdentityDocument decode_text(std::span<const std::uint8_t> block);
// The inverse (used by the simulator and tests); throws TextError if a field does not fit.
std::vector<std::uint8_t> encode_text(const IdentityDocument& doc);

const char* gender_name(std::string_view code);     // "" for unknown codes
const char* ethnicity_name(std::string_view code);  // "" for unknown codes
// Gender code → name, English alongside: "男 / male".
std::string gender_bilingual(std::string_view code);

// UCS-2LE ↔ UTF-8 (surrogate pairs accepted; lone surrogates are an error).
std::string ucs2le_to_utf8(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> utf8_to_ucs2le(std::string_view utf8);

}  // namespace kiosk::idcard
