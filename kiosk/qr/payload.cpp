#include "kiosk/qr/payload.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "kiosk/core/mask.hpp"

namespace kiosk::qr {
namespace {

constexpr std::size_t kHardMax = 65536;

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

bool valid_utf8_no_controls(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F) return false;
      ++i;
      continue;
    }
    std::size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    std::uint32_t cp = c & (0xFF >> (n + 1));
    for (std::size_t k = 1; k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp < 0xA0))
      return false;
    i += n;
  }
  return true;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

[[noreturn]] void bad(std::string_view src, const std::string& what) {
  throw RulesError(std::string(src) + ": " + what);
}

std::size_t get_size(const toml::table& t, std::string_view key, std::size_t dflt, std::string_view src,
                     const std::string& where) {
  auto* node = t.get(key);
  if (!node) return dflt;
  auto v = node->value<std::int64_t>();
  if (!node->is_integer() || !v || *v < 0 || static_cast<std::uint64_t>(*v) > kHardMax)
    bad(src, where + ": " + std::string(key) + " must be an integer 0.." + std::to_string(kHardMax));
  return static_cast<std::size_t>(*v);
}

}  // namespace

const char* to_string(PayloadKind k) {
  switch (k) {
    case PayloadKind::MedicalVoucher:
      return "medical_voucher";
    case PayloadKind::ESsCard:
      return "e_sscard";
    case PayloadKind::Url:
      return "url";
    case PayloadKind::CaseNumber:
      return "case_number";
    case PayloadKind::Unknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<PayloadKind> parse_kind(std::string_view n) {
  for (auto k : {PayloadKind::MedicalVoucher, PayloadKind::ESsCard, PayloadKind::Url, PayloadKind::CaseNumber,
                 PayloadKind::Unknown})
    if (n == to_string(k)) return k;
  return std::nullopt;
}

const char* to_string(Charset c) {
  switch (c) {
    case Charset::Digits:
      return "digits";
    case Charset::UpperAlnum:
      return "upper_alnum";
    case Charset::Alnum:
      return "alnum";
    case Charset::Base64:
      return "base64";
    case Charset::Url:
      return "url";
    case Charset::Printable:
      return "printable";
    case Charset::Utf8:
      return "utf8";
  }
  return "?";
}

std::optional<Charset> parse_charset(std::string_view n) {
  for (auto c : {Charset::Digits, Charset::UpperAlnum, Charset::Alnum, Charset::Base64, Charset::Url,
                 Charset::Printable, Charset::Utf8})
    if (n == to_string(c)) return c;
  return std::nullopt;
}

bool in_charset(Charset cs, std::string_view s) {
  if (cs == Charset::Utf8) return valid_utf8_no_controls(s);
  static constexpr std::string_view kUrlExtra = "-._~:/?#[]@!$&'()*+,;=%";
  static constexpr std::string_view kB64Extra = "+/=-_.";
  for (unsigned char c : s) {
    const bool digit = c >= '0' && c <= '9';
    const bool upper = c >= 'A' && c <= 'Z';
    const bool alpha = upper || (c >= 'a' && c <= 'z');
    bool ok = false;
    switch (cs) {
      case Charset::Digits:
        ok = digit;
        break;
      case Charset::UpperAlnum:
        ok = digit || upper || c == '-';
        break;
      case Charset::Alnum:
        ok = digit || alpha;
        break;
      case Charset::Base64:
        ok = digit || alpha || kB64Extra.find(static_cast<char>(c)) != std::string_view::npos;
        break;
      case Charset::Url:
        ok = digit || alpha || kUrlExtra.find(static_cast<char>(c)) != std::string_view::npos;
        break;
      case Charset::Printable:
        ok = c >= 0x20 && c < 0x7F;
        break;
      case Charset::Utf8:
        break;
    }
    if (!ok) return false;
  }
  return true;
}

Rules parse_rules(std::string_view text, std::string_view src) {
  toml::table root;
  try {
    root = toml::parse(text, src);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << src << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    throw RulesError(os.str());
  }
  const toml::table* qr = root["qr"].as_table();
  if (!qr) bad(src, "missing [qr] table");
  Rules r;
  for (auto& [k, v] : *qr) {
    (void)v;
    if (k != "min_length" && k != "max_length" && k != "rule")
      bad(src, "[qr]: unknown key '" + std::string(k.str()) + "'");
  }
  r.min_length = get_size(*qr, "min_length", 1, src, "[qr]");
  r.max_length = get_size(*qr, "max_length", 4096, src, "[qr]");
  if (r.min_length > r.max_length) bad(src, "[qr]: min_length > max_length");
  const toml::node* rules_node = qr->get("rule");
  if (!rules_node) return r;
  const toml::array* arr = rules_node->as_array();
  if (!arr) bad(src, "qr.rule must be an array of tables ([[qr.rule]])");
  static const std::set<std::string, std::less<>> kKeys = {
      "name",       "kind",       "enabled", "prefixes", "prefix_case_insensitive",
      "min_length", "max_length", "charset"};
  int idx = 0;
  for (const auto& n : *arr) {
    ++idx;
    const toml::table* t = n.as_table();
    std::string where = "rule " + std::to_string(idx);
    if (!t) bad(src, where + " is not a table");
    for (auto& [k, v] : *t) {
      (void)v;
      if (!kKeys.contains(k.str())) bad(src, where + ": unknown key '" + std::string(k.str()) + "'");
    }
    Rule rule;
    rule.name = t->get("name") ? t->get("name")->value_or<std::string>("") : "";
    if (rule.name.empty()) rule.name = where;
    where += " (" + rule.name + ")";
    auto kind = t->get("kind") ? t->get("kind")->value<std::string>() : std::nullopt;
    if (!kind) bad(src, where + ": kind is required");
    auto pk = parse_kind(*kind);
    if (!pk) bad(src, where + ": unknown kind '" + *kind + "'");
    rule.kind = *pk;
    if (auto* e = t->get("enabled")) {
      if (!e->is_boolean()) bad(src, where + ": enabled must be true or false");
      if (!*e->value<bool>()) continue;
    }
    if (auto* ci = t->get("prefix_case_insensitive")) {
      if (!ci->is_boolean()) bad(src, where + ": prefix_case_insensitive must be true or false");
      rule.prefix_case_insensitive = *ci->value<bool>();
    }
    if (auto* p = t->get("prefixes")) {
      const toml::array* pa = p->as_array();
      if (!pa) bad(src, where + ": prefixes must be an array of strings");
      for (const auto& e : *pa) {
        auto s = e.value<std::string>();
        if (!e.is_string() || !s || s->empty()) bad(src, where + ": prefixes must be non-empty strings");
        rule.prefixes.push_back(rule.prefix_case_insensitive ? lower(*s) : *s);
      }
    }
    rule.min_length = get_size(*t, "min_length", 1, src, where);
    rule.max_length = get_size(*t, "max_length", 4096, src, where);
    if (rule.min_length > rule.max_length) bad(src, where + ": min_length > max_length");
    if (auto* c = t->get("charset")) {
      auto s = c->value<std::string>();
      auto cs = s ? parse_charset(*s) : std::nullopt;
      if (!cs)
        bad(src, where + ": charset must be one of digits, upper_alnum, alnum, base64, url, printable, utf8");
      rule.charset = *cs;
    }
    r.rules.push_back(std::move(rule));
  }
  return r;
}

Rules load_rules(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RulesError(path + ": cannot read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_rules(ss.str(), path);
}

Rules default_rules() {
  Rules r;
  r.min_length = 4;
  r.max_length = 2048;
  r.rules.push_back({"url", PayloadKind::Url, {"https://", "http://"}, true, 10, 2048, Charset::Url});
  r.rules.push_back({"case-number", PayloadKind::CaseNumber, {}, false, 10, 24, Charset::Digits});
  r.rules.push_back({"medical-voucher", PayloadKind::MedicalVoucher, {}, false, 16, 1024, Charset::Base64});
  return r;
}

Classification classify(const Rules& rules, std::string& payload) {
  auto is_space = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!payload.empty() && is_space(static_cast<unsigned char>(payload.back()))) payload.pop_back();
  std::size_t lead = 0;
  while (lead < payload.size() && is_space(static_cast<unsigned char>(payload[lead]))) ++lead;
  payload.erase(0, lead);

  Classification c;
  if (payload.size() > rules.max_length) {
    c.reason = "longer than " + std::to_string(rules.max_length) + " bytes";
    return c;
  }
  if (!valid_utf8_no_controls(payload)) {
    c.reason = "not UTF-8 text (control bytes or invalid sequences)";
    return c;
  }
  const std::size_t len = utf8_length(payload);
  if (len < rules.min_length) {
    c.reason = "shorter than " + std::to_string(rules.min_length) + " characters";
    return c;
  }
  std::string low;
  for (const auto& rule : rules.rules) {
    if (len < rule.min_length || len > rule.max_length) continue;
    if (!rule.prefixes.empty()) {
      std::string_view subject = payload;
      if (rule.prefix_case_insensitive) {
        if (low.empty()) low = lower(payload);
        subject = low;
      }
      bool any = std::any_of(rule.prefixes.begin(), rule.prefixes.end(),
                             [&](const std::string& p) { return subject.starts_with(p); });
      if (!any) continue;
    }
    if (!in_charset(rule.charset, payload)) continue;
    c.kind = rule.kind;
    c.rule = rule.name;
    if (!c.accepted()) c.reason = "matched rule '" + rule.name + "' (unknown)";
    return c;
  }
  c.reason = "no rule matched";
  return c;
}

core::DeviceEvent make_event(const Classification& c, std::string payload, std::string device) {
  core::DeviceEvent e;
  e.kind = core::DeviceEvent::Kind::QrScanned;
  e.device = std::move(device);
  e.identity.source = core::IdSource::QrVoucher;
  if (c.kind == PayloadKind::MedicalVoucher) e.identity.document = core::DocumentType::MedicalVoucher;
  if (c.kind == PayloadKind::ESsCard) e.identity.document = core::DocumentType::ESsCard;
  e.identity.token = std::move(payload);
  e.detail = to_string(c.kind);
  return e;
}

std::string describe_for_log(const Classification& c, std::string_view payload) {
  std::string s = to_string(c.kind);
  if (!c.rule.empty()) s += " via " + c.rule;
  s += " " + core::mask_token(payload);
  if (!c.accepted() && !c.reason.empty()) s += " (" + c.reason + ")";
  return s;
}

}  // namespace kiosk::qr
