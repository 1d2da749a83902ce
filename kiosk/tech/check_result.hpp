// One diagnostic's outcome (kiosk/tech/diagnostics.hpp runs them; the technician screens show them).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace kiosk::tech {

enum class CheckStatus { Pass, Warn, Fail, Skip };
const char* to_string(CheckStatus s);

struct CheckResult {
  std::string id;      // "idcard.read"
  std::string device;  // role, or "network" / "system"
  CheckStatus status = CheckStatus::Fail;
  std::string detail;      // English, log-safe (masked values only)
  std::string advice_key;  // "tech.advice.<...>"
  std::string advice_zh, advice_en;
  nlohmann::json figures = nlohmann::json::object();
  double ms = 0;
  nlohmann::json to_json() const;
};

}  // namespace kiosk::tech
