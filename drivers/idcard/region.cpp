#include "drivers/idcard/region.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace kiosk::idcard {

namespace {

constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

// Address codes of 港澳台 residence permits are not in GB/T 2260 revisions (GB 11643 use only).
struct Builtin {
  const char* code;
  const char* name;
};
constexpr Builtin kSpecialRegions[] = {
    {"810000", "香港特别行政区"}, {"820000", "澳门特别行政区"}, {"830000", "台湾地区"}};

}  // namespace

char id_check_char(std::string_view first17) {
  if (first17.size() != 17 || !all_digits(first17)) return '\0';
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[static_cast<std::size_t>(i)] - '0') * kWeights[i];
  return "10X98765432"[sum % 11];
}

const char* to_string(IdCheck c) {
  switch (c) {
    case IdCheck::Ok:
      return "ok";
    case IdCheck::BadLength:
      return "bad length";
    case IdCheck::BadCharacter:
      return "bad character";
    case IdCheck::BadChecksum:
      return "bad check digit";
    case IdCheck::BadBirthDate:
      return "bad birth date";
    case IdCheck::UnknownRegion:
      return "unknown region code";
  }
  return "?";
}

bool valid_date_yyyymmdd(std::string_view d) {
  if (d.size() != 8 || !all_digits(d)) return false;
  const int y = std::stoi(std::string(d.substr(0, 4))), m = std::stoi(std::string(d.substr(4, 2))),
            day = std::stoi(std::string(d.substr(6, 2)));
  if (y < 1800 || m < 1 || m > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return day <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

IdCheck check_id_number(std::string_view id, const RegionTable* regions) {
  std::string birth;
  if (id.size() == 18) {
    if (!all_digits(id.substr(0, 17))) return IdCheck::BadCharacter;
    const char last = id[17];
    if (!((last >= '0' && last <= '9') || last == 'X')) return IdCheck::BadCharacter;
    if (id_check_char(id.substr(0, 17)) != last) return IdCheck::BadChecksum;
    birth = std::string(id.substr(6, 8));
  } else if (id.size() == 15) {
    if (!all_digits(id)) return IdCheck::BadCharacter;
    birth = "19" + std::string(id.substr(6, 6));
  } else {
    return IdCheck::BadLength;
  }
  // 2023 永居证 numbers start with 9 and carry a nationality code, not a GB/T 2260 region.
  const bool foreign = id.size() == 18 && id[0] == '9';
  if (!valid_date_yyyymmdd(birth)) return IdCheck::BadBirthDate;
  if (regions && !foreign && !regions->contains(id.substr(0, 6))) return IdCheck::UnknownRegion;
  return IdCheck::Ok;
}

std::string Region::full_name() const {
  std::string s = province;
  for (auto* part : {&city, &county})
    if (!part->empty()) s += (s.empty() ? "" : " ") + *part;
  return s;
}

RegionTable RegionTable::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("region table: cannot open " + path);
  RegionTable t;
  std::string line;
  std::size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#' || line.rfind("code\t", 0) == 0) continue;
    auto tab1 = line.find('\t');
    auto tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    auto tab3 = tab2 == std::string::npos ? tab2 : line.find('\t', tab2 + 1);
    if (tab3 == std::string::npos || tab1 != 6 || !all_digits(line.substr(0, 6)))
      throw std::runtime_error("region table: bad line " + std::to_string(lineno) + " in " + path);
    std::string last_seen = line.substr(tab3 + 1);
    while (!last_seen.empty() && (last_seen.back() == '\r' || last_seen.back() == ' ')) last_seen.pop_back();
    t.entries_[line.substr(0, 6)] = {line.substr(tab1 + 1, tab2 - tab1 - 1), last_seen == "201904"};
  }
  for (auto& b : kSpecialRegions) t.entries_.try_emplace(b.code, Entry{b.name, true});
  if (t.entries_.size() < 100)
    throw std::runtime_error("region table: only " + std::to_string(t.entries_.size()) + " codes in " + path);
  return t;
}

std::string RegionTable::default_path() {
  if (const char* env = std::getenv("KIOSK_REGIONS"); env && *env) return env;
#ifdef KIOSK_SOURCE_DIR
  return std::string(KIOSK_SOURCE_DIR) + "/config/regions/gb2260.tsv";
#else
  return "config/regions/gb2260.tsv";
#endif
}

const RegionTable& RegionTable::default_table() {
  static const RegionTable table = load(default_path());
  return table;
}

const RegionTable::Entry* RegionTable::find(std::string_view code) const {
  auto it = entries_.find(std::string(code));
  return it == entries_.end() ? nullptr : &it->second;
}

bool RegionTable::contains(std::string_view code) const {
  return code.size() == 6 && find(code) != nullptr;
}

std::string RegionTable::province_code(std::string_view code_or_id) const {
  if (code_or_id.size() < 2 || !all_digits(code_or_id.substr(0, 2))) return "";
  std::string p = std::string(code_or_id.substr(0, 2)) + "0000";
  return find(p) ? p : "";
}

std::optional<Region> RegionTable::lookup(std::string_view code) const {
  if (code.size() != 6 || !all_digits(code)) return std::nullopt;
  const Entry* self = find(code);
  if (!self) return std::nullopt;
  Region r;
  r.code = std::string(code);
  r.current = self->current;
  const std::string prov = std::string(code.substr(0, 2)) + "0000";
  const std::string city = std::string(code.substr(0, 4)) + "00";
  if (const Entry* p = find(prov)) r.province = p->name;
  if (code.substr(2) != "0000") {
    if (const Entry* c = find(city);
        c && c->name != "市辖区" && c->name != "县" && c->name != "省直辖县级行政区划")
      r.city = c->name;
    if (code.substr(4) != "00") r.county = self->name;
  }
  return r;
}

}  // namespace kiosk::idcard
