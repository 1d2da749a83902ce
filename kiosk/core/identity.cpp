#include "kiosk/core/identity.hpp"

#include <sodium.h>

namespace kiosk::core {

const char* to_string(IdSource s) {
  switch (s) {
    case IdSource::IdCard:
      return "idcard";
    case IdSource::SsCard:
      return "sscard";
    case IdSource::QrVoucher:
      return "qr";
  }
  return "?";
}

const char* to_string(DocumentType d) {
  switch (d) {
    case DocumentType::ResidentIdCard:
      return "resident_id_card";
    case DocumentType::ForeignPermanentResident:
      return "foreign_permanent_resident";
    case DocumentType::HkMacauTaiwanResidence:
      return "hk_macau_taiwan_residence";
    case DocumentType::SocialSecurityCard:
      return "social_security_card";
    case DocumentType::MedicalVoucher:
      return "medical_voucher";
    case DocumentType::ESsCard:
      return "e_sscard";
  }
  return "?";
}

void secure_clear(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
  s.shrink_to_fit();
}

void Identity::wipe() {
  for (auto* s : {&name, &id_number, &gender, &birth_date, &region_code, &card_number, &valid_until, &token})
    secure_clear(*s);
}

}  // namespace kiosk::core
