// Technician PIN: stored only as a libsodium crypto_pwhash string (Argon2id) in config/technician.toml;
// failed attempts lock the entry with exponential backoff measured on the injected clock.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kiosk/core/clock.hpp"

namespace kiosk::tech {

class TechError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PinPolicy {
  int min_digits = 6;
  int max_digits = 12;
  int free_attempts = 3;               // failures before the first lockout
  std::int64_t base_lock_ms = 30'000;  // first lockout; doubles with every further failure
  std::int64_t max_lock_ms = 3'600'000;
};

// Argon2id hash string of a PIN (digits only, policy length). `fast` uses the minimum cost
// (tests only). Throws TechError on a malformed PIN.
std::string hash_pin(const std::string& pin, const PinPolicy& policy = {}, bool fast = false);
bool verify_pin_hash(const std::string& hash, const std::string& pin);
// Checks the PIN format; returns an empty string or a log-safe reason.
std::string pin_format_error(const std::string& pin, const PinPolicy& policy);

class PinGate {
 public:
  enum class Result { Ok, Wrong, LockedOut, NotConfigured };
  PinGate(std::string hash, PinPolicy policy, const core::Clock& clock);

  Result attempt(const std::string& pin);
  bool locked() const { return remaining_lock_ms() > 0; }
  std::int64_t remaining_lock_ms() const;
  int consecutive_failures() const { return failures_; }
  const PinPolicy& policy() const { return policy_; }
  void set_hash(std::string h) { hash_ = std::move(h); }
  // Keeps failures and the lockout end (wall clock) in a small file so a restart or a power cycle
  // does not reset the lockout. Loads the file now (a missing or unreadable file: no state).
  void persist_to(std::string path);

 private:
  std::string hash_;
  PinPolicy policy_;
  const core::Clock& clock_;
  int failures_ = 0;
  std::int64_t locked_until_ms_ = 0;
  std::string state_path_;
  void save_state() const;
};

const char* to_string(PinGate::Result r);

// config/technician.toml: [technician] pin_hash, policy, audit log path, bindings file.
struct TechnicianConfig {
  std::string source;
  std::string pin_hash;  // empty: not provisioned (entry refused until `kioskctl provision --pin`)
  PinPolicy policy;
  std::int64_t hold_ms = 5000;     // corner long press
  std::int64_t idle_exit_s = 300;  // leave technician mode after this much inactivity
  std::string audit_log;           // empty: <data_dir>/tech-audit.log
  std::string bindings;            // empty: <data_dir>/bindings.toml
  // Technician cards (SS card / IC card numbers), each only as an Argon2id hash string.
  std::vector<std::string> card_hashes;
  std::int64_t check_timeout_s = 20;  // a diagnostic with no answer by then is reported as timed out
};
TechnicianConfig load_technician_config(const std::string& path);
// Same from text (`name` in messages); pure, fuzzed. Throws TechError.
TechnicianConfig parse_technician_config(const std::string& text, const std::string& name);
// Argon2id hash of a technician card number (trimmed, upper-cased; 6-32 of A-Z 0-9). Throws TechError.
std::string hash_card(const std::string& card_number, bool fast = false);
// True when the card number matches one of the hashes (no early exit on a match position).
bool card_listed(const std::vector<std::string>& hashes, const std::string& card_number);
// Adds a card hash to the file's card_hashes array (kept on one line, comments elsewhere kept).
void add_card_hash(const std::string& path, const std::string& hash);

// Rewrites (or adds) the pin_hash line of the file, keeping comments. Creates the file if missing.
void store_pin_hash(const std::string& path, const std::string& hash);

}  // namespace kiosk::tech
