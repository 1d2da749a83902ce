// What may be spoken: only a text from config/strings, looked up by its key, with no placeholder and no
// digit run that could be an ID, card, phone or case number. Personal data is never spoken.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/strings.hpp"

namespace kiosk::voice {

enum class Refusal {
  UnknownKey,     // key not in config/strings for any configured language
  NotFromConfig,  // text differs from the configured text of that key (e.g. a filled template)
  Placeholder,    // the configured text is a template ({name}); templates may carry personal data
  DigitRun,       // a run of >= 6 digits (ID, card, phone, case number)
  Empty,
};
const char* to_string(Refusal r);

// Longest run of digits (ASCII or full-width), counting spaces and hyphens inside a run as part of it
// ("4101 0119" is one run of 8).
std::size_t longest_digit_run(std::string_view utf8);

// nullopt when `text` may be spoken as the string `key`; otherwise why not.
std::optional<Refusal> check_speakable(const core::Strings& strings, const std::vector<std::string>& langs,
                                       std::string_view key, std::string_view text);

constexpr std::size_t kMaxDigitRun = 5;  // 6 or more digits in a row are refused

}  // namespace kiosk::voice
