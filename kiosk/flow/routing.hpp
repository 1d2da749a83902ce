// 跨省 routing: where a request goes is decided by the resident's region. A social security card and the
// e-vouchers carry the insured region (参保地); an ID card gives the household region (户籍地) from its
// address code or the first six digits of the ID number.
#pragma once

#include <optional>
#include <string>

#include "drivers/idcard/region.hpp"
#include "kiosk/core/identity.hpp"

namespace kiosk::flow {

struct Route {
  std::string code;      // city-level 6-digit code the request is routed to ("410100")
  std::string name;      // "河南省郑州市" (province + city), the code itself if unknown to the table
  bool insured = false;  // true: 参保地 (SS card, vouchers); false: 户籍地 (ID card)
};

// nullopt when the identity carries no usable region.
std::optional<Route> route_for(const core::Identity& id, const idcard::RegionTable* table);
// "河南省郑州市" for 410100 / 410105; "北京市" for 110101.
std::string region_name(const std::string& code, const idcard::RegionTable* table);

}  // namespace kiosk::flow
