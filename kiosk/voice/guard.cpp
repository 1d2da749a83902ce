#include "kiosk/voice/guard.hpp"

namespace kiosk::voice {

const char* to_string(Refusal r) {
  switch (r) {
    case Refusal::UnknownKey:
      return "unknown_key";
    case Refusal::NotFromConfig:
      return "not_from_config";
    case Refusal::Placeholder:
      return "placeholder";
    case Refusal::DigitRun:
      return "digit_run";
    case Refusal::Empty:
      return "empty";
  }
  return "?";
}

std::size_t longest_digit_run(std::string_view s) {
  std::size_t best = 0, run = 0;
  bool in_run = false;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    // Full-width digits U+FF10..U+FF19 are EF BC 90..99 in UTF-8.
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC &&
        static_cast<unsigned char>(s[i + 2]) >= 0x90 && static_cast<unsigned char>(s[i + 2]) <= 0x99) {
      ++run;
      in_run = true;
      i += 3;
    } else if (c >= '0' && c <= '9') {
      ++run;
      in_run = true;
      ++i;
    } else if (in_run && (c == ' ' || c == '-')) {
      ++i;  // separators inside a number keep the run going
    } else {
      run = 0;
      in_run = false;
      ++i;
    }
    if (run > best) best = run;
  }
  return best;
}

std::optional<Refusal> check_speakable(const core::Strings& strings, const std::vector<std::string>& langs,
                                       std::string_view key, std::string_view text) {
  if (key.empty() || text.empty()) return Refusal::Empty;
  // The digit check comes first: it holds even if a config text itself were wrong.
  if (longest_digit_run(text) > kMaxDigitRun) return Refusal::DigitRun;
  const std::string k(key);
  bool known = false, matches = false;
  for (const auto& lang : langs) {
    if (!strings.has(lang, k)) continue;
    known = true;
    if (strings.get(lang, k) == text) matches = true;
  }
  if (!known) return Refusal::UnknownKey;
  if (!matches) return Refusal::NotFromConfig;
  if (text.find('{') != std::string_view::npos) return Refusal::Placeholder;
  return std::nullopt;
}

}  // namespace kiosk::voice
