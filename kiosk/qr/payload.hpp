// QR payload classification by configurable rules (config/qr.toml). Pure: no I/O except parsing the
// TOML text handed in. The national codes (医保电子凭证, 电子社保卡) are opaque tokens verified online
// (shared/reference/sscard-ccid.md §1.9): rules only bound length/charset and, where a region knows
// one, a prefix — they never parse the token. Payloads are personal data: log only mask_token().
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/events.hpp"

namespace kiosk::qr {

enum class PayloadKind { MedicalVoucher, ESsCard, Url, CaseNumber, Unknown };
const char* to_string(PayloadKind k);  // "medical_voucher", "e_sscard", "url", "case_number", "unknown"
std::optional<PayloadKind> parse_kind(std::string_view name);

enum class Charset { Digits, UpperAlnum, Alnum, Base64, Url, Printable, Utf8 };
const char* to_string(Charset c);
std::optional<Charset> parse_charset(std::string_view name);
bool in_charset(Charset c, std::string_view s);

struct Rule {
  std::string name;  // for diagnostics ("nhsa-default")
  PayloadKind kind = PayloadKind::Unknown;
  std::vector<std::string> prefixes;  // any of these (case-sensitive); empty = no prefix condition
  bool prefix_case_insensitive = false;
  std::size_t min_length = 1;
  std::size_t max_length = 4096;
  Charset charset = Charset::Printable;
};

struct Rules {
  std::size_t min_length = 1;  // global bounds: outside them nothing is classified
  std::size_t max_length = 4096;
  std::vector<Rule> rules;  // first match wins
};

class RulesError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses the [qr] section of qr.toml (see config/qr.toml). Throws RulesError naming the problem.
Rules parse_rules(std::string_view toml_text, std::string_view source_name = "qr.toml");
Rules load_rules(const std::string& path);
// Built-in defaults, identical to config/qr.toml.
Rules default_rules();

struct Classification {
  PayloadKind kind = PayloadKind::Unknown;
  std::string rule;    // the rule that matched, empty if none
  std::string reason;  // why nothing matched / why rejected (log-safe, no payload content)
  bool accepted() const { return kind != PayloadKind::Unknown; }
};

// Trims surrounding whitespace (scanners add CR/LF/space) into `payload` and classifies it.
Classification classify(const Rules& rules, std::string& payload);

// The event the session receives: QrScanned; medical_voucher / e_sscard become an Identity with
// source QrVoucher, other kinds carry detail = kind name. The token is only in identity.token.
core::DeviceEvent make_event(const Classification& c, std::string payload, std::string device);

// A log line for a scan: kind, rule, masked token ("medical_voucher via nhsa tok[48]").
std::string describe_for_log(const Classification& c, std::string_view payload);

}  // namespace kiosk::qr
