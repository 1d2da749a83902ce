#include "drivers/idcard/card_text.hpp"

#include <array>
#include <cstdio>

#include "drivers/idcard/region.hpp"

namespace kiosk::idcard {

namespace {

using Member = std::string IdentityDocument::*;
struct Field {
  std::size_t off, len;
  Member member;
  const char* label;
};

using D = IdentityDocument;
// §4.1
constexpr Field kResident[] = {{0, 30, &D::name, "name"},
                               {30, 2, &D::gender_code, "gender"},
                               {32, 4, &D::ethnicity_code, "ethnicity"},
                               {36, 16, &D::birth_date, "birth date"},
                               {52, 70, &D::address, "address"},
                               {122, 36, &D::id_number, "ID number"},
                               {158, 30, &D::issuing_authority, "issuing authority"},
                               {188, 16, &D::valid_from, "valid from"},
                               {204, 16, &D::valid_until, "valid until"}};
// §4.3 ('J'): the 民族 slot is reserved.
constexpr Field kHkMoTw[] = {{0, 30, &D::name, "name"},
                             {30, 2, &D::gender_code, "gender"},
                             {36, 16, &D::birth_date, "birth date"},
                             {52, 70, &D::address, "address"},
                             {122, 36, &D::id_number, "ID number"},
                             {158, 30, &D::issuing_authority, "issuing authority"},
                             {188, 16, &D::valid_from, "valid from"},
                             {204, 16, &D::valid_until, "valid until"},
                             {220, 18, &D::pass_number, "pass number"},
                             {238, 4, &D::issue_count, "issue count"}};
// §4.2 ('I')
constexpr Field kForeign2017[] = {
    {0, 120, &D::name_en, "English name"},      {120, 2, &D::gender_code, "gender"},
    {122, 30, &D::id_number, "permit number"},  {152, 6, &D::nationality, "nationality"},
    {158, 30, &D::name, "Chinese name"},        {188, 16, &D::valid_from, "valid from"},
    {204, 16, &D::valid_until, "valid until"},  {220, 16, &D::birth_date, "birth date"},
    {236, 4, &D::card_version, "card version"}, {240, 8, &D::authority_code, "authority code"}};
// §4.4 ('Y'); English name is split over 52 (35 chars) and 220 (11 chars).
constexpr Field kForeign2023[] = {{0, 30, &D::name, "Chinese name"},
                                  {30, 2, &D::gender_code, "gender"},
                                  {32, 4, &D::issue_count, "renewal count"},
                                  {36, 16, &D::birth_date, "birth date"},
                                  {122, 36, &D::id_number, "permit number"},
                                  {188, 16, &D::valid_from, "valid from"},
                                  {204, 16, &D::valid_until, "valid until"},
                                  {242, 6, &D::nationality, "nationality"},
                                  {250, 6, &D::old_permit_ref, "old permit reference"}};

constexpr const char* kEthnicities[] = {
    "汉",     "蒙古",   "回",       "藏",     "维吾尔", "苗",   "彝",     "壮",   "布依",     "朝鲜",
    "满",     "侗",     "瑶",       "白",     "土家",   "哈尼", "哈萨克", "傣",   "黎",       "傈僳",
    "佤",     "畲",     "高山",     "拉祜",   "水",     "东乡", "纳西",   "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬",   "羌",       "布朗",   "撒拉",   "毛南", "仡佬",   "锡伯", "阿昌",     "普米",
    "塔吉克", "怒",     "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安",   "裕固", "京",       "塔塔尔",
    "独龙",   "鄂伦春", "赫哲",     "门巴",   "珞巴",   "基诺"};
static_assert(std::size(kEthnicities) == 56);

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

void check_date(const std::string& v, const char* label, bool allow_long_term) {
  if (allow_long_term && v == "长期") return;
  if (!valid_date_yyyymmdd(v)) throw TextError(std::string("text: ") + label + " is not a YYYYMMDD date");
}

void check_id18(const std::string& id, const char* what) {
  IdCheck c = check_id_number(id);
  if (c != IdCheck::Ok)
    throw TextError(std::string("text: ") + what + " fails the GB 11643 check (" + to_string(c) + ")");
}

template <std::size_t N>
void read_fields(std::span<const std::uint8_t> block, IdentityDocument& d, const Field (&fields)[N]) {
  for (const auto& f : fields) {
    try {
      d.*(f.member) = trim(ucs2le_to_utf8(block.subspan(f.off, f.len)));
    } catch (const TextError& e) {
      throw TextError(std::string("text: ") + f.label + ": " + e.what());
    }
  }
}

template <std::size_t N>
void write_fields(std::vector<std::uint8_t>& block, const IdentityDocument& d, const Field (&fields)[N]) {
  for (const auto& f : fields) {
    auto enc = utf8_to_ucs2le(d.*(f.member));
    if (enc.size() > f.len) throw TextError(std::string("text: ") + f.label + " does not fit its field");
    std::copy(enc.begin(), enc.end(), block.begin() + static_cast<std::ptrdiff_t>(f.off));
  }
}

}  // namespace

const char* to_string(CardKind k) {
  switch (k) {
    case CardKind::Resident:
      return "resident";
    case CardKind::ForeignPermanent2017:
      return "foreign_2017";
    case CardKind::HkMacauTaiwan:
      return "hk_macau_taiwan";
    case CardKind::ForeignPermanent2023:
      return "foreign_2023";
  }
  return "?";
}

const char* gender_name(std::string_view code) {
  if (code == "0") return "未知";
  if (code == "1") return "男";
  if (code == "2") return "女";
  if (code == "9") return "未说明";
  return "";
}

std::string gender_bilingual(std::string_view code) {
  if (code == "0") return "未知 / unknown";
  if (code == "1") return "男 / male";
  if (code == "2") return "女 / female";
  if (code == "9") return "未说明 / unspecified";
  return "";
}

const char* ethnicity_name(std::string_view code) {
  if (code.size() != 2 || !digits(code)) return "";
  const int n = (code[0] - '0') * 10 + (code[1] - '0');
  if (n >= 1 && n <= 56) return kEthnicities[n - 1];
  if (n == 97) return "其他";
  if (n == 98) return "外国血统中国籍人士";
  return "";
}

std::string ucs2le_to_utf8(std::span<const std::uint8_t> bytes) {
  if (bytes.size() % 2) throw TextError("odd number of UCS-2 bytes");
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); i += 2) {
    char32_t u = static_cast<char32_t>(bytes[i] | bytes[i + 1] << 8);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 < bytes.size()) {
        char32_t lo = static_cast<char32_t>(bytes[i + 2] | bytes[i + 3] << 8);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
          i += 2;
          continue;
        }
      }
      throw TextError("unpaired UTF-16 surrogate at byte " + std::to_string(i));
    }
    if (u >= 0xDC00 && u <= 0xDFFF) throw TextError("unpaired UTF-16 surrogate at byte " + std::to_string(i));
    if (u < 0x20 && u != 0) throw TextError("control character at byte " + std::to_string(i));
    append_utf8(out, u);
  }
  return out;
}

std::vector<std::uint8_t> utf8_to_ucs2le(std::string_view s) {
  std::vector<std::uint8_t> out;
  auto put = [&](char32_t u) {
    out.push_back(static_cast<std::uint8_t>(u & 0xFF));
    out.push_back(static_cast<std::uint8_t>(u >> 8));
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + static_cast<std::size_t>(n) > s.size()) throw TextError("invalid UTF-8");
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
    i += static_cast<std::size_t>(n);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      put(0xD800 + (cp >> 10));
      put(0xDC00 + (cp & 0x3FF));
    } else {
      put(cp);
    }
  }
  return out;
}

IdentityDocument decode_text(std::span<const std::uint8_t> block) {
  if (block.size() != std::size_t{256})
    throw TextError("text: block is " + std::to_string(block.size()) + " bytes, expected 256");
  IdentityDocument d;
  const std::uint8_t marker = block[249] == 0 ? block[248] : 0;
  switch (marker) {
    case 'I':
      d.kind = CardKind::ForeignPermanent2017;
      read_fields(block, d, kForeign2017);
      break;
    case 'J':
      d.kind = CardKind::HkMacauTaiwan;
      read_fields(block, d, kHkMoTw);
      break;
    case 'Y': {
      d.kind = CardKind::ForeignPermanent2023;
      read_fields(block, d, kForeign2023);
      std::string en1, en2;
      try {
        en1 = ucs2le_to_utf8(block.subspan(52, 70));
        en2 = ucs2le_to_utf8(block.subspan(220, 22));
      } catch (const TextError& e) {
        throw TextError(std::string("text: English name: ") + e.what());
      }
      d.name_en = trim(en1 + en2);
      break;
    }
    default:
      d.kind = CardKind::Resident;
      read_fields(block, d, kResident);
      break;
  }
  if (d.id_number.empty()) throw TextError("text: empty ID number (not a card text block?)");
  if (!*gender_name(d.gender_code)) throw TextError("text: unknown gender code");
  d.gender = gender_name(d.gender_code);
  check_date(d.birth_date, "birth date", false);
  if (!d.valid_from.empty()) check_date(d.valid_from, "valid-from date", false);
  check_date(d.valid_until, "valid-until date", true);
  switch (d.kind) {
    case CardKind::Resident:
      if (d.name.empty()) throw TextError("text: empty name");
      if (!d.ethnicity_code.empty()) {
        d.ethnicity = ethnicity_name(d.ethnicity_code);
        if (d.ethnicity.empty()) throw TextError("text: unknown ethnicity code");
      }
      check_id18(d.id_number, "ID number");
      if (d.id_number.substr(6, 8) != d.birth_date)
        throw TextError("text: birth date differs from the ID number");
      d.region_code = d.id_number.substr(0, 6);
      break;
    case CardKind::HkMacauTaiwan:
      if (d.name.empty()) throw TextError("text: empty name");
      check_id18(d.id_number, "ID number");
      if (d.id_number[0] != '8') throw TextError("text: 港澳台 ID number must start with 81/82/83");
      d.region_code = d.id_number.substr(0, 6);
      break;
    case CardKind::ForeignPermanent2017: {
      const auto& n = d.id_number;
      bool ok = n.size() == 15 && digits(n.substr(3));
      for (std::size_t i = 0; ok && i < 3; ++i) ok = n[i] >= 'A' && n[i] <= 'Z';
      if (!ok) throw TextError("text: 2017 permit number must be 3 letters + 12 digits");
      if (d.name_en.empty()) throw TextError("text: empty English name");
      break;
    }
    case CardKind::ForeignPermanent2023:
      check_id18(d.id_number, "permit number");
      if (d.id_number[0] != '9') throw TextError("text: 2023 permit number must start with 9");
      if (d.name.empty() && d.name_en.empty()) throw TextError("text: empty name");
      break;
  }
  return d;
}

std::vector<std::uint8_t> encode_text(const IdentityDocument& d) {
  std::vector<std::uint8_t> block(std::size_t{256});
  for (std::size_t i = 0; i < block.size(); i += 2) block[i] = 0x20;
  switch (d.kind) {
    case CardKind::Resident:
      write_fields(block, d, kResident);
      break;
    case CardKind::HkMacauTaiwan:
      write_fields(block, d, kHkMoTw);
      block[248] = 'J';
      break;
    case CardKind::ForeignPermanent2017:
      write_fields(block, d, kForeign2017);
      block[248] = 'I';
      break;
    case CardKind::ForeignPermanent2023: {
      write_fields(block, d, kForeign2023);
      auto en = utf8_to_ucs2le(d.name_en);
      if (en.size() > 70 + 22) throw TextError("text: English name does not fit its field");
      const std::size_t first = std::min<std::size_t>(en.size(), 70);
      std::copy(en.begin(), en.begin() + static_cast<std::ptrdiff_t>(first), block.begin() + 52);
      std::copy(en.begin() + static_cast<std::ptrdiff_t>(first), en.end(), block.begin() + 220);
      block[248] = 'Y';
      break;
    }
  }
  return block;
}

}  // namespace kiosk::idcard
