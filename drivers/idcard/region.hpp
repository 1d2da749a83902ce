// ID-number checks (GB 11643, ISO 7064 MOD 11-2) and GB/T 2260 region look-up. Pure; kiosk/core can
// use these for 跨省 routing. The table is the union of all revisions 1980-2019 (old ID numbers keep
// abolished codes), loaded at run time from config/regions/gb2260.tsv.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kiosk::idcard {

// Check character for the first 17 digits ("10X98765432"[Σ aᵢwᵢ mod 11]); '\0' if not 17 digits.
char id_check_char(std::string_view first17);

enum class IdCheck {
  Ok,
  BadLength,     // not 18 (or 15 for first-generation numbers)
  BadCharacter,  // non-digit (X only as the last of 18)
  BadChecksum,
  BadBirthDate,
  UnknownRegion,  // address code not in the table (only when a table is given)
};
const char* to_string(IdCheck c);

class RegionTable;
// Validates an 18-digit 公民身份号码 (also 港澳台 810000/820000/830000 and 2023 永居证 '9…' numbers)
// or a 15-digit first-generation number (no check digit). With a table, the address code must exist.
IdCheck check_id_number(std::string_view id, const RegionTable* regions = nullptr);
bool valid_date_yyyymmdd(std::string_view d);

struct Region {
  std::string code;      // the 6-digit code asked for
  std::string province;  // 河南省
  std::string city;      // 郑州市 (empty for county-level cities under a province, or 市辖区)
  std::string county;    // 金水区 (empty for a province/city-level code)
  bool current = false;  // still in the latest revision (201904)
  // "河南省 郑州市 金水区"
  std::string full_name() const;
};

class RegionTable {
 public:
  // Loads the TSV (code, name, first_seen, last_seen; '#' comments). Throws std::runtime_error.
  static RegionTable load(const std::string& path);
  // The table at $KIOSK_REGIONS, else KIOSK_SOURCE_DIR/config/regions/gb2260.tsv, loaded once.
  static const RegionTable& default_table();
  static std::string default_path();

  std::optional<Region> lookup(std::string_view code) const;
  bool contains(std::string_view code) const;
  // Province-level code (first 2 digits) of a region or ID number, "" if unknown.
  std::string province_code(std::string_view code_or_id) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    bool current;
  };
  const Entry* find(std::string_view code) const;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace kiosk::idcard
