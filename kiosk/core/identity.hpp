// The person in front of the terminal, as read from a card or resolved from a QR e-voucher.
// Personal data: lives only inside SessionData, never logged except through kiosk/core/mask.hpp.
#pragma once

#include <string>

namespace kiosk::core {

enum class IdSource { IdCard, SsCard, QrVoucher };

enum class DocumentType {
  ResidentIdCard,            // 居民身份证
  ForeignPermanentResident,  // 外国人永久居留身份证 ('I' 2017 / 'Y' 2023)
  HkMacauTaiwanResidence,    // 港澳台居民居住证 ('J')
  SocialSecurityCard,        // 社会保障卡
  MedicalVoucher,            // 医保电子凭证
  ESsCard,                   // 电子社保卡
};

const char* to_string(IdSource s);
const char* to_string(DocumentType d);

struct Identity {
  IdSource source = IdSource::IdCard;
  DocumentType document = DocumentType::ResidentIdCard;
  std::string name;         // full name, UTF-8 (Chinese or English for foreign residents)
  std::string id_number;    // 公民身份号码 / 社会保障号码 / permit number
  std::string gender;       // "男" / "女" as printed
  std::string birth_date;   // YYYYMMDD
  std::string region_code;  // 6-digit GB/T 2260: household region (ID) or insured region (SS card)
  std::string card_number;  // SS card number (卡号), empty otherwise
  std::string valid_until;  // YYYYMMDD or "长期"
  std::string token;        // QR e-voucher token (opaque), empty otherwise

  bool empty() const { return id_number.empty() && token.empty(); }
  // Overwrites every field's bytes before clearing (sodium_memzero).
  void wipe();
};

// Overwrites a string's bytes (sodium_memzero), then empties it. For personal data only.
void secure_clear(std::string& s);

}  // namespace kiosk::core
