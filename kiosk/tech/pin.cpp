#include "kiosk/tech/pin.hpp"

#include <sodium.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "kiosk/tech/text_file.hpp"

namespace kiosk::tech {

namespace {
void ensure_sodium() {
  if (sodium_init() < 0) throw TechError("libsodium initialisation failed");
}
}  // namespace

std::string pin_format_error(const std::string& pin, const PinPolicy& policy) {
  if (pin.size() < static_cast<std::size_t>(policy.min_digits) ||
      pin.size() > static_cast<std::size_t>(policy.max_digits))
    return "PIN must have " + std::to_string(policy.min_digits) + " to " + std::to_string(policy.max_digits) +
           " digits";
  if (!std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return "PIN must contain digits only";
  if (std::all_of(pin.begin(), pin.end(), [&](char c) { return c == pin[0]; }))
    return "PIN must not repeat one digit";
  return {};
}

std::string hash_pin(const std::string& pin, const PinPolicy& policy, bool fast) {
  if (auto e = pin_format_error(pin, policy); !e.empty()) throw TechError(e);
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  auto ops = fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  auto mem = fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str(out, pin.data(), pin.size(), ops, mem) != 0)
    throw TechError("crypto_pwhash_str failed (out of memory)");
  return out;
}

bool verify_pin_hash(const std::string& hash, const std::string& pin) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  ensure_sodium();
  return crypto_pwhash_str_verify(hash.c_str(), pin.data(), pin.size()) == 0;
}

namespace {
std::string normalise_card(const std::string& in) {
  std::string s;
  for (char c : in) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    s.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return s;
}
bool card_format_ok(const std::string& s) {
  return s.size() >= 6 && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
         });
}
}  // namespace

std::string hash_card(const std::string& card_number, bool fast) {
  std::string n = normalise_card(card_number);
  if (!card_format_ok(n)) throw TechError("card number must be 6-32 letters or digits");
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  auto ops = fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  auto mem = fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  int rc = crypto_pwhash_str(out, n.data(), n.size(), ops, mem);
  sodium_memzero(n.data(), n.size());
  if (rc != 0) throw TechError("crypto_pwhash_str failed (out of memory)");
  return out;
}

bool card_listed(const std::vector<std::string>& hashes, const std::string& card_number) {
  std::string n = normalise_card(card_number);
  bool hit = false;
  if (card_format_ok(n))
    for (auto& h : hashes) hit = verify_pin_hash(h, n) || hit;
  sodium_memzero(n.data(), n.size());
  return hit;
}

void add_card_hash(const std::string& path, const std::string& hash) {
  auto cfg = load_technician_config(path);
  cfg.card_hashes.push_back(hash);
  std::string arr = "[";
  for (std::size_t i = 0; i < cfg.card_hashes.size(); ++i)
    arr += (i ? ", " : "") + toml_quote(cfg.card_hashes[i]);
  arr += "]";
  set_toml_value(path, "technician", "card_hashes", arr);
}

PinGate::PinGate(std::string hash, PinPolicy policy, const core::Clock& clock)
    : hash_(std::move(hash)), policy_(policy), clock_(clock) {}

std::int64_t PinGate::remaining_lock_ms() const {
  return std::max<std::int64_t>(0, locked_until_ms_ - clock_.now_ms());
}

void PinGate::persist_to(std::string path) {
  state_path_ = std::move(path);
  std::ifstream in(state_path_);
  long long failures = 0, until_wall = 0;
  if (in >> failures >> until_wall && failures >= 0 && failures < 1000000) {
    failures_ = static_cast<int>(failures);
    long long left_s = until_wall - static_cast<long long>(clock_.wall());
    if (left_s > 0)
      locked_until_ms_ = clock_.now_ms() + std::min<std::int64_t>(left_s * 1000, policy_.max_lock_ms);
  }
}

void PinGate::save_state() const {
  if (state_path_.empty()) return;
  long long until_wall = static_cast<long long>(clock_.wall()) + (remaining_lock_ms() + 999) / 1000;
  if (remaining_lock_ms() == 0) until_wall = 0;
  try {
    write_atomic(state_path_, std::to_string(failures_) + " " + std::to_string(until_wall) + "\n", 0600);
  } catch (const TechError&) {
    // Best effort: the in-memory lockout still holds.
  }
}

PinGate::Result PinGate::attempt(const std::string& pin) {
  if (hash_.empty()) return Result::NotConfigured;
  if (locked()) return Result::LockedOut;  // not even checked: no guessing while locked
  if (verify_pin_hash(hash_, pin)) {
    failures_ = 0;
    save_state();
    return Result::Ok;
  }
  ++failures_;
  if (failures_ >= policy_.free_attempts) {
    int over = failures_ - policy_.free_attempts;  // 0 for the first lockout
    std::int64_t d = policy_.base_lock_ms;
    for (int i = 0; i < over && d < policy_.max_lock_ms; ++i) d *= 2;
    locked_until_ms_ = clock_.now_ms() + std::min(d, policy_.max_lock_ms);
    save_state();
    return Result::LockedOut;
  }
  save_state();
  return Result::Wrong;
}

const char* to_string(PinGate::Result r) {
  switch (r) {
    case PinGate::Result::Ok:
      return "ok";
    case PinGate::Result::Wrong:
      return "wrong";
    case PinGate::Result::LockedOut:
      return "locked_out";
    case PinGate::Result::NotConfigured:
      return "not_configured";
  }
  return "?";
}

TechnicianConfig load_technician_config(const std::string& path) {
  return parse_technician_config(read_text(path), path);
}

TechnicianConfig parse_technician_config(const std::string& text, const std::string& path) {
  TechnicianConfig c;
  c.source = path;
  toml::table t;
  try {
    t = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << path << ":" << e.source().begin.line << ": " << e.description();
    throw TechError(os.str());
  }
  auto tt = t["technician"];
  if (!tt.is_table()) throw TechError(path + ": missing [technician] table");
  auto str = [&](const char* k, std::string& out) {
    auto n = tt[k];
    if (!n) return;
    if (!n.is_string()) throw TechError(path + ": technician." + k + " must be a string");
    out = n.value_or(std::string());
  };
  auto num = [&](const char* k, auto& out) {
    auto n = tt[k];
    if (!n) return;
    if (!n.is_integer() || *n.value<std::int64_t>() < 0)
      throw TechError(path + ": technician." + k + " must be a non-negative integer");
    out = static_cast<std::remove_reference_t<decltype(out)>>(*n.value<std::int64_t>());
  };
  str("pin_hash", c.pin_hash);
  str("audit_log", c.audit_log);
  str("bindings", c.bindings);
  num("pin_min_digits", c.policy.min_digits);
  num("pin_max_digits", c.policy.max_digits);
  num("free_attempts", c.policy.free_attempts);
  num("lockout_base_ms", c.policy.base_lock_ms);
  num("lockout_max_ms", c.policy.max_lock_ms);
  num("hold_ms", c.hold_ms);
  num("idle_exit_s", c.idle_exit_s);
  num("check_timeout_s", c.check_timeout_s);
  if (auto n = tt["card_hashes"]; n) {
    auto* arr = n.as_array();
    if (!arr) throw TechError(path + ": technician.card_hashes must be an array of strings");
    for (auto& e : *arr) {
      auto v = e.value<std::string>();
      if (!v || v->rfind("$argon2", 0) != 0)
        throw TechError(path +
                        ": technician.card_hashes holds a value that is not a crypto_pwhash string "
                        "(add cards with kioskctl provision --tech-card)");
      c.card_hashes.push_back(*v);
    }
  }
  if (c.check_timeout_s < 1) throw TechError(path + ": check_timeout_s must be at least 1");
  if (c.policy.min_digits < 4 || c.policy.max_digits < c.policy.min_digits)
    throw TechError(path + ": PIN length bounds are inconsistent (min >= 4, max >= min)");
  if (c.policy.free_attempts < 1) throw TechError(path + ": free_attempts must be at least 1");
  if (!c.pin_hash.empty() && c.pin_hash.rfind("$argon2", 0) != 0)
    throw TechError(path + ": pin_hash is not a crypto_pwhash string (set it with kioskctl provision --pin)");
  return c;
}

void store_pin_hash(const std::string& path, const std::string& hash) {
  set_toml_value(path, "technician", "pin_hash", toml_quote(hash));
}

}  // namespace kiosk::tech
