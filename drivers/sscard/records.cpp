#include "drivers/sscard/records.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace kiosk::sscard {

const Bytes kSsseName = {0x73, 0x78, 0x31, 0x2E, 0x73, 0x68, 0x2E, 0xC9,
                         0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF};

namespace {
constexpr std::array<RecordSpec, 13> kSpecs = {{
    {TagCardIdentifier, 5, 16, "card identifier"},
    {TagCardType, 5, 1, "card type"},
    {TagSpecVersion, 5, 4, "spec version"},
    {TagIssuerCode, 5, 12, "issuer code"},
    {TagIssueDate, 5, 4, "issue date"},
    {TagValidUntil, 5, 4, "valid until"},
    {TagCardNumber, 5, 9, "card number"},
    {TagSsNumber, 6, 18, "social security number"},
    {TagName, 6, 30, "name"},
    {TagGender, 6, 1, "gender"},
    {TagNation, 6, 1, "nation"},
    {TagBirthPlace, 6, 3, "birth place"},
    {TagBirthDate, 6, 4, "birth date"},
}};

std::string iconv_convert(const char* to, const char* from, const char* data, std::size_t len) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) throw SsCardError(ErrorKind::Io, "iconv_open failed");
  std::string out(len * 4 + 8, '\0');
  char* in = const_cast<char*>(data);
  std::size_t in_left = len;
  char* op = out.data();
  std::size_t out_left = out.size();
  const std::size_t r = iconv(cd, &in, &in_left, &op, &out_left);
  iconv_close(cd);
  if (r == static_cast<std::size_t>(-1) || in_left != 0)
    throw SsCardError(ErrorKind::Parse, "text is not valid in the card's encoding");
  out.resize(out.size() - out_left);
  return out;
}

void wipe_string(std::string& s) {
  volatile char* p = s.data();
  for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
  s.clear();
}
}  // namespace

std::span<const RecordSpec> record_specs() {
  return kSpecs;
}

std::vector<TlvRecord> parse_simple_tlv(std::span<const std::uint8_t> b) {
  std::vector<TlvRecord> out;
  std::size_t i = 0;
  while (i < b.size()) {
    const std::uint8_t tag = b[i];
    if (tag == 0x00 || tag == 0xFF) {  // padding: the rest must be padding too
      for (std::size_t j = i; j < b.size(); ++j)
        if (b[j] != 0x00 && b[j] != 0xFF) throw SsCardError(ErrorKind::Parse, "TLV tag 00/FF before data");
      break;
    }
    if (i + 1 >= b.size()) throw SsCardError(ErrorKind::Parse, "TLV record truncated before length");
    std::size_t len = b[i + 1];
    std::size_t hdr = 2;
    if (len == 0xFF) {
      if (i + 3 >= b.size()) throw SsCardError(ErrorKind::Parse, "TLV long length truncated");
      len = static_cast<std::size_t>(b[i + 2] << 8 | b[i + 3]);
      hdr = 4;
    }
    if (i + hdr + len > b.size()) throw SsCardError(ErrorKind::Parse, "TLV value truncated");
    out.push_back({tag, Bytes(b.begin() + static_cast<std::ptrdiff_t>(i + hdr),
                              b.begin() + static_cast<std::ptrdiff_t>(i + hdr + len))});
    i += hdr + len;
  }
  return out;
}

Bytes encode_simple_tlv(const TlvRecord& r) {
  Bytes b{r.tag};
  if (r.value.size() < 0xFF) {
    b.push_back(static_cast<std::uint8_t>(r.value.size()));
  } else {
    b.push_back(0xFF);
    b.push_back(static_cast<std::uint8_t>(r.value.size() >> 8));
    b.push_back(static_cast<std::uint8_t>(r.value.size()));
  }
  b.insert(b.end(), r.value.begin(), r.value.end());
  return b;
}

std::string gbk_to_utf8(std::span<const std::uint8_t> gbk) {
  return iconv_convert("UTF-8", "GBK", reinterpret_cast<const char*>(gbk.data()), gbk.size());
}

Bytes utf8_to_gbk(const std::string& utf8) {
  const std::string s = iconv_convert("GBK", "UTF-8", utf8.data(), utf8.size());
  return Bytes(s.begin(), s.end());
}

std::string decode_cn(std::span<const std::uint8_t> v) {
  std::string s;
  bool ended = false;
  for (auto byte : v) {
    for (int shift : {4, 0}) {
      const int n = (byte >> shift) & 15;
      if (n == 15) {
        ended = true;
        continue;
      }
      if (ended || n > 9) throw SsCardError(ErrorKind::Parse, "cn field has a non-BCD digit");
      s.push_back(static_cast<char>('0' + n));
    }
  }
  return s;
}

std::string decode_an(std::span<const std::uint8_t> v) {
  std::size_t n = v.size();
  while (n > 0 && (v[n - 1] == 0x00 || v[n - 1] == 0x20)) --n;
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    if (v[i] < 0x20 || v[i] > 0x7E) throw SsCardError(ErrorKind::Parse, "an field has a non-printable byte");
    s.push_back(static_cast<char>(v[i]));
  }
  return s;
}

void SocialSecurityCard::wipe() {
  for (auto* s : {&card_type, &spec_version, &issuer_code, &issue_date, &valid_until, &card_number,
                  &ss_number, &name, &gender, &nation, &birth_place, &birth_date, &region_code})
    wipe_string(*s);
  volatile std::uint8_t* p = card_identifier.data();
  for (std::size_t i = 0; i < card_identifier.size(); ++i) p[i] = 0;
  card_identifier.clear();
  needs_psam.clear();
  generation = 0;
}

SocialSecurityCard build_card(const std::map<std::uint8_t, Bytes>& rec,
                              std::vector<std::uint8_t> needs_psam) {
  SocialSecurityCard c;
  c.needs_psam = std::move(needs_psam);
  auto refused = [&](std::uint8_t t) {
    return std::find(c.needs_psam.begin(), c.needs_psam.end(), t) != c.needs_psam.end();
  };
  auto get = [&](std::uint8_t tag, bool required) -> const Bytes* {
    auto it = rec.find(tag);
    if (it == rec.end()) {
      if (required && !refused(tag))
        throw SsCardError(ErrorKind::Parse,
                          "required record " + hex(std::array<std::uint8_t, 1>{tag}) + " missing");
      return nullptr;
    }
    for (const auto& s : kSpecs)
      if (s.tag == tag && it->second.size() > s.length)
        throw SsCardError(ErrorKind::Parse, std::string(s.field) + " longer than specified");
    return &it->second;
  };
  if (auto v = get(TagCardIdentifier, false)) {
    c.card_identifier = *v;
    if (v->size() >= 3) {
      try {
        c.region_code = decode_cn(std::span(*v).first(3));
      } catch (const SsCardError&) {
        c.region_code.clear();
      }
      if (c.region_code.size() != 6) c.region_code.clear();
    }
  }
  if (auto v = get(TagCardType, false)) c.card_type = decode_an(*v);
  if (auto v = get(TagSpecVersion, true)) {
    c.spec_version = decode_an(*v);
    if (c.spec_version.empty() || c.spec_version[0] < '1' || c.spec_version[0] > '9')
      throw SsCardError(ErrorKind::Parse, "spec version does not start with a generation digit");
    c.generation = c.spec_version[0] - '0';
  }
  if (auto v = get(TagIssuerCode, false)) c.issuer_code = hex(*v);
  if (auto v = get(TagIssueDate, false)) c.issue_date = decode_cn(*v);
  if (auto v = get(TagValidUntil, false)) c.valid_until = decode_cn(*v);
  if (auto v = get(TagCardNumber, true)) c.card_number = decode_an(*v);
  if (auto v = get(TagSsNumber, true)) {
    c.ss_number = decode_an(*v);
    if (c.ss_number.size() < 15) throw SsCardError(ErrorKind::Parse, "social security number too short");
  }
  if (auto v = get(TagName, false)) {
    std::size_t n = v->size();
    while (n > 0 && ((*v)[n - 1] == 0x20 || (*v)[n - 1] == 0x00)) --n;
    c.name = gbk_to_utf8(std::span(*v).first(n));
  }
  if (auto it = rec.find(TagNameExtension); it != rec.end()) {
    std::size_t n = it->second.size();
    while (n > 0 && (it->second[n - 1] == 0x20 || it->second[n - 1] == 0x00)) --n;
    c.name += gbk_to_utf8(std::span(it->second).first(n));
  }
  if (auto v = get(TagGender, false)) {
    const std::string g = decode_an(*v);
    c.gender = g == "1" ? "男" : g == "2" ? "女" : "";
  }
  if (auto v = get(TagNation, false)) c.nation = decode_cn(*v);
  if (auto v = get(TagBirthPlace, false)) c.birth_place = decode_cn(*v);
  if (auto v = get(TagBirthDate, false)) c.birth_date = decode_cn(*v);
  for (const std::string* d : {&c.issue_date, &c.valid_until, &c.birth_date})
    if (!d->empty() && d->size() != 8) throw SsCardError(ErrorKind::Parse, "date is not YYYYMMDD");
  return c;
}

}  // namespace kiosk::sscard
