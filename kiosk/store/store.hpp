// The terminal's durable store (SQLite, WAL, synchronous=FULL, secure_delete):
//  - outbox: submissions that cannot go now, payload encrypted with libsodium secretbox under the
//    device key (file 0600, created on first start); delivered exactly once via idempotency keys;
//  - journal: one row per transaction with masked identity, outcome and timings (办件查询 on the
//    terminal, ops counters);
//  - schema migrations by PRAGMA user_version.
// Thread-safe (one internal mutex); callers pass times in ms since the Unix epoch.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/core/identity.hpp"
#include "kiosk/store/sqlite.hpp"

namespace kiosk::store {

std::int64_t now_ms();

// 32-byte secretbox key kept in a file readable only by the kiosk user.
class DeviceKey {
 public:
  static constexpr std::size_t kSize = 32;
  // Loads the key; creates it (mode 0600, O_EXCL, fsync) if the file does not exist. Throws
  // std::runtime_error if the file is group/other accessible, has the wrong size or cannot be read.
  static DeviceKey load_or_create(const std::string& path);
  ~DeviceKey();
  DeviceKey(const DeviceKey&) = default;
  DeviceKey& operator=(const DeviceKey&) = default;
  const unsigned char* data() const { return key_.data(); }

 private:
  DeviceKey() = default;
  std::array<unsigned char, kSize> key_{};
};

struct StoreConfig {
  std::string db_path;                             // e.g. /var/lib/kiosk/store.db
  std::string key_file;                            // e.g. /var/lib/kiosk/device.key
  std::chrono::hours delivered_retention{24 * 7};  // delivered/failed outbox rows kept this long
  std::chrono::hours journal_retention{24 * 90};
  std::size_t max_pending = 10000;  // enqueue refuses beyond this (OutboxFull)
};

// Reads the [outbox] table of a TOML file (config/platform.toml); missing keys keep defaults.
// Throws std::runtime_error naming the file and key on a bad value.
StoreConfig load_store_config(const std::string& toml_path);

struct OutboxFull : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class OutboxState { Pending, Delivered, Failed };
const char* to_string(OutboxState s);

struct OutboxItem {
  std::int64_t id = 0;
  std::string endpoint;         // platform endpoint wire name
  std::string idempotency_key;  // same key on every delivery attempt, across restarts
  std::string payload;          // decrypted request (only from due()); empty in listings
  std::string label;            // masked description for technicians: "certification 张*三 4101**1234"
  OutboxState state = OutboxState::Pending;
  int attempts = 0;
  std::int64_t created_ms = 0;
  std::int64_t next_attempt_ms = 0;
  std::int64_t delivered_ms = 0;
  std::string transaction_number;
  std::string last_error;  // log-safe
};

struct JournalEntry {
  std::int64_t id = 0;
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  std::string terminal_id;
  std::string item_code;
  std::string masked_name;  // only ever masked values (see masked_entry)
  std::string masked_id;
  std::string outcome;  // "success" / "rejected" / "deferred" / "failed" / "cancelled"
  std::string transaction_number;
  std::string error_kind;  // platform::to_string(ErrorKind) when not success
  std::int64_t duration_ms() const { return finished_ms - started_ms; }
};

// Fills masked_name / masked_id from an identity through kiosk/core/mask.hpp.
JournalEntry masked_entry(const core::Identity& who, std::string item_code);

struct JournalCounters {
  std::map<std::string, int> by_outcome;
  double mean_duration_ms = 0;
  int total = 0;
};

class Store {
 public:
  static constexpr int kSchemaVersion = 2;
  explicit Store(StoreConfig cfg);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int schema_version();

  // Outbox. enqueue is durable when it returns (WAL + synchronous=FULL). Enqueueing the same
  // idempotency key twice returns the existing row id (no duplicate). first_attempt_delay_ms leases
  // a fresh item to the live sender so the background sender does not race it.
  std::int64_t enqueue(const std::string& endpoint, const std::string& idempotency_key,
                       const std::string& payload, const std::string& masked_label,
                       std::int64_t now = now_ms(), std::int64_t first_attempt_delay_ms = 0);
  // Pending items whose next attempt is due, oldest first, payload decrypted.
  std::vector<OutboxItem> due(std::int64_t now = now_ms(), int limit = 50);
  void mark_delivered(std::int64_t id, const std::string& transaction_number, std::int64_t now = now_ms());
  void mark_retry(std::int64_t id, const std::string& error, std::int64_t next_attempt_ms);
  void mark_failed(std::int64_t id, const std::string& error, std::int64_t now = now_ms());
  std::vector<OutboxItem> list(std::optional<OutboxState> state = std::nullopt, int limit = 1000);
  std::optional<OutboxItem> find(const std::string& idempotency_key);
  int pending_count();
  // Deletes delivered/failed rows and journal rows past their retention; returns rows deleted.
  int purge(std::int64_t now = now_ms());

  // Journal.
  std::int64_t journal_add(const JournalEntry& e);
  std::vector<JournalEntry> journal_recent(int limit = 50);
  std::optional<JournalEntry> journal_by_transaction(const std::string& transaction_number);
  JournalCounters journal_counters(std::int64_t since_ms = 0);

 private:
  void migrate();
  StoreConfig cfg_;
  DeviceKey key_;
  std::mutex mu_;
  Db db_;
};

}  // namespace kiosk::store
