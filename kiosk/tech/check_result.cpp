#include "kiosk/tech/check_result.hpp"

#include <cmath>

namespace kiosk::tech {

const char* to_string(CheckStatus s) {
  switch (s) {
    case CheckStatus::Pass:
      return "pass";
    case CheckStatus::Warn:
      return "warn";
    case CheckStatus::Fail:
      return "fail";
    case CheckStatus::Skip:
      return "skip";
  }
  return "?";
}

nlohmann::json CheckResult::to_json() const {
  return {{"id", id},
          {"device", device},
          {"status", to_string(status)},
          {"detail", detail},
          {"advice_key", advice_key},
          {"advice_zh", advice_zh},
          {"advice_en", advice_en},
          {"figures", figures},
          {"ms", std::round(ms * 10) / 10}};
}

}  // namespace kiosk::tech
