#include "kiosk/flow/routing.hpp"

#include <algorithm>

namespace kiosk::flow {

namespace {
bool six_digits(const std::string& s) {
  return s.size() >= 6 && std::all_of(s.begin(), s.begin() + 6, [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

std::string region_name(const std::string& code, const idcard::RegionTable* table) {
  if (!table || !six_digits(code)) return code;
  std::string city_code = code.substr(0, 4) + "00";
  auto r = table->lookup(city_code);
  if (!r) r = table->lookup(code.substr(0, 6));
  if (!r) return code.substr(0, 6);
  return r->province + r->city;
}

std::optional<Route> route_for(const core::Identity& id, const idcard::RegionTable* table) {
  std::string src = id.region_code;
  if (!six_digits(src)) src = id.id_number;  // the address code of a resident ID number
  if (!six_digits(src)) return std::nullopt;
  Route r;
  r.code = src.substr(0, 4) + "00";
  r.name = region_name(r.code, table);
  r.insured = id.source != core::IdSource::IdCard;
  return r;
}

}  // namespace kiosk::flow
