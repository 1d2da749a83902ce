// Everything personal about the resident being served. One object, wiped at session end.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "kiosk/core/identity.hpp"

namespace kiosk::core {

struct SessionData {
  Identity identity;
  std::string item_code;  // item being handled (not personal)
  // 跨省 routing, from the card or ID number: 6-digit city-level code, its name ("河南省郑州市") and
  // whether it is the insured region (SS card / e-voucher) or the household region (ID card).
  std::string region_code;
  std::string region_name;
  bool region_is_insured = false;
  std::string pin;                 // digits entered on the keypad (never logged, wiped)
  nlohmann::json face;             // liveness outcome: {passed, score, quality, actions[]}
  nlohmann::json result;           // last platform reply: {op, ok, error, code, message, message_en, data}
  std::string transaction_number;  // 业务流水号 of the submission
  std::string print_status;        // "printed" / "failed" / "skipped"
  int rating = 0;                  // 1..5, 0 = not rated
  nlohmann::json inputs = nlohmann::json::object();  // flow choose/entry steps: {field: value}

  bool has_personal() const { return !identity.empty(); }
  // Overwrites every personal byte (identity, PIN, results) before clearing.
  void wipe();
};

}  // namespace kiosk::core
