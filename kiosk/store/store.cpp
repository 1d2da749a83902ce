#include "kiosk/store/store.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "kiosk/core/mask.hpp"

namespace kiosk::store {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- device key -------------------------------------------------------------------------------
DeviceKey::~DeviceKey() {
  sodium_memzero(key_.data(), key_.size());
}

DeviceKey DeviceKey::load_or_create(const std::string& path) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  DeviceKey k;
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("device key: cannot create " + path + ": " + std::strerror(errno));
    ::fchmod(fd, 0600);  // regardless of umask
    randombytes_buf(k.key_.data(), k.key_.size());
    bool ok =
        ::write(fd, k.key_.data(), k.key_.size()) == static_cast<ssize_t>(k.key_.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      throw std::runtime_error("device key: cannot write " + path);
    }
    auto dir = std::filesystem::path(path).parent_path();
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
    return k;
  }
  if (fd < 0) throw std::runtime_error("device key: cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error("device key: " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    throw std::runtime_error("device key: " + path + " is accessible by group/others (must be 0600)");
  }
  if (st.st_size != static_cast<off_t>(kSize)) {
    ::close(fd);
    throw std::runtime_error("device key: " + path + " has the wrong size");
  }
  bool ok = ::read(fd, k.key_.data(), kSize) == static_cast<ssize_t>(kSize);
  ::close(fd);
  if (!ok) throw std::runtime_error("device key: cannot read " + path);
  return k;
}

StoreConfig load_store_config(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error("store config " + path + ": " + std::string(e.description()));
  }
  StoreConfig c;
  auto* t = root["outbox"].as_table();
  if (!t) return c;
  auto str = [&](const char* k, std::string& out) {
    if (auto* n = t->get(k)) {
      auto v = n->value<std::string>();
      if (!v) throw std::runtime_error("store config " + path + ": '" + k + "' must be a string");
      out = *v;
    }
  };
  auto hours = [&](const char* k, std::chrono::hours& out) {
    if (auto* n = t->get(k)) {
      auto v = n->value<std::int64_t>();
      if (!v || *v <= 0)
        throw std::runtime_error("store config " + path + ": '" + k + "' must be a positive integer");
      out = std::chrono::hours(*v);
    }
  };
  str("db_path", c.db_path);
  str("key_file", c.key_file);
  hours("delivered_retention_hours", c.delivered_retention);
  hours("journal_retention_hours", c.journal_retention);
  if (auto* n = t->get("max_pending")) {
    auto v = n->value<std::int64_t>();
    if (!v || *v <= 0)
      throw std::runtime_error("store config " + path + ": 'max_pending' must be a positive integer");
    c.max_pending = static_cast<std::size_t>(*v);
  }
  return c;
}

// ---- store ------------------------------------------------------------------------------------
namespace {
// Migration N (1-based) brings the schema from version N-1 to N. Append only; never edit one.
const char* const kMigrations[] = {
    // 1: outbox and journal
    R"(CREATE TABLE outbox(
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         idempotency_key TEXT NOT NULL UNIQUE,
         endpoint TEXT NOT NULL,
         nonce BLOB NOT NULL,
         ciphertext BLOB NOT NULL,
         label TEXT NOT NULL DEFAULT '',
         state TEXT NOT NULL DEFAULT 'pending',
         attempts INTEGER NOT NULL DEFAULT 0,
         created_ms INTEGER NOT NULL,
         next_attempt_ms INTEGER NOT NULL,
         delivered_ms INTEGER NOT NULL DEFAULT 0,
         transaction_number TEXT NOT NULL DEFAULT '',
         last_error TEXT NOT NULL DEFAULT '');
       CREATE TABLE journal(
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         started_ms INTEGER NOT NULL,
         finished_ms INTEGER NOT NULL,
         item_code TEXT NOT NULL,
         masked_name TEXT NOT NULL,
         masked_id TEXT NOT NULL,
         outcome TEXT NOT NULL,
         transaction_number TEXT NOT NULL DEFAULT '',
         error_kind TEXT NOT NULL DEFAULT '');)",
    // 2: terminal id in the journal (fleet aggregation), indexes for delivery and lookup
    R"(ALTER TABLE journal ADD COLUMN terminal_id TEXT NOT NULL DEFAULT '';
       CREATE INDEX outbox_due ON outbox(state, next_attempt_ms);
       CREATE INDEX journal_txn ON journal(transaction_number);
       CREATE INDEX journal_started ON journal(started_ms);)",
};
static_assert(std::size(kMigrations) == Store::kSchemaVersion);

OutboxState state_from(const std::string& s) {
  if (s == "delivered") return OutboxState::Delivered;
  if (s == "failed") return OutboxState::Failed;
  return OutboxState::Pending;
}
}  // namespace

const char* to_string(OutboxState s) {
  switch (s) {
    case OutboxState::Pending:
      return "pending";
    case OutboxState::Delivered:
      return "delivered";
    case OutboxState::Failed:
      return "failed";
  }
  return "?";
}

JournalEntry masked_entry(const core::Identity& who, std::string item_code) {
  JournalEntry e;
  e.item_code = std::move(item_code);
  e.masked_name = core::mask_name(who.name);
  e.masked_id = !who.id_number.empty() ? core::mask_id(who.id_number)
                                       : (!who.token.empty() ? core::mask_token(who.token) : "");
  return e;
}

Store::Store(StoreConfig cfg)
    : cfg_(std::move(cfg)), key_(DeviceKey::load_or_create(cfg_.key_file)), db_(cfg_.db_path) {
  ::chmod(cfg_.db_path.c_str(), 0600);
  db_.exec("PRAGMA journal_mode=WAL");
  db_.exec("PRAGMA synchronous=FULL");
  db_.exec("PRAGMA secure_delete=ON");
  db_.exec("PRAGMA foreign_keys=ON");
  migrate();
}

Store::~Store() = default;

void Store::migrate() {
  std::lock_guard lk(mu_);
  int v = db_.user_version();
  if (v > kSchemaVersion)
    throw std::runtime_error("store: database schema " + std::to_string(v) + " is newer than this build (" +
                             std::to_string(kSchemaVersion) + ")");
  for (; v < kSchemaVersion; ++v) {
    Transaction tx(db_);
    db_.exec(kMigrations[v]);
    db_.set_user_version(v + 1);
    tx.commit();
  }
}

int Store::schema_version() {
  std::lock_guard lk(mu_);
  return db_.user_version();
}

std::int64_t Store::enqueue(const std::string& endpoint, const std::string& key, const std::string& payload,
                            const std::string& masked_label, std::int64_t now,
                            std::int64_t first_attempt_delay_ms) {
  if (key.empty()) throw std::invalid_argument("outbox: idempotency key required");
  // The plaintext binds the row's key and endpoint so a swapped ciphertext is detected on decrypt.
  std::string plain = nlohmann::json{{"k", key}, {"e", endpoint}, {"p", payload}}.dump();
  std::vector<unsigned char> nonce(crypto_secretbox_NONCEBYTES);
  randombytes_buf(nonce.data(), nonce.size());
  std::vector<unsigned char> cipher(plain.size() + crypto_secretbox_MACBYTES);
  crypto_secretbox_easy(cipher.data(), reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                        nonce.data(), key_.data());
  sodium_memzero(plain.data(), plain.size());

  std::lock_guard lk(mu_);
  Transaction tx(db_);
  {
    auto st = db_.prepare("SELECT id FROM outbox WHERE idempotency_key=?");
    st.bind(1, key);
    if (st.step()) return st.col_int(0);
  }
  {
    auto st = db_.prepare("SELECT COUNT(*) FROM outbox WHERE state='pending'");
    st.step();
    if (static_cast<std::size_t>(st.col_int(0)) >= cfg_.max_pending)
      throw OutboxFull("outbox: pending limit reached");
  }
  auto st = db_.prepare(
      "INSERT INTO outbox(idempotency_key,endpoint,nonce,ciphertext,label,created_ms,next_attempt_ms)"
      " VALUES(?,?,?,?,?,?,?)");
  st.bind(1, key).bind(2, endpoint).bind_blob(3, nonce.data(), nonce.size());
  st.bind_blob(4, cipher.data(), cipher.size())
      .bind(5, core::scrub(masked_label))
      .bind(6, now)
      .bind(7, now + first_attempt_delay_ms);
  st.run();
  auto id = db_.last_insert_id();
  tx.commit();
  return id;
}

std::vector<OutboxItem> Store::due(std::int64_t now, int limit) {
  std::lock_guard lk(mu_);
  auto st = db_.prepare(
      "SELECT id,idempotency_key,endpoint,nonce,ciphertext,label,attempts,created_ms,next_attempt_ms"
      " FROM outbox WHERE state='pending' AND next_attempt_ms<=? ORDER BY id LIMIT ?");
  st.bind(1, now).bind(2, limit);
  std::vector<OutboxItem> out;
  while (st.step()) {
    OutboxItem it;
    it.id = st.col_int(0);
    it.idempotency_key = st.col_text(1);
    it.endpoint = st.col_text(2);
    auto nonce = st.col_blob(3);
    auto cipher = st.col_blob(4);
    it.label = st.col_text(5);
    it.attempts = static_cast<int>(st.col_int(6));
    it.created_ms = st.col_int(7);
    it.next_attempt_ms = st.col_int(8);
    if (nonce.size() != crypto_secretbox_NONCEBYTES || cipher.size() < crypto_secretbox_MACBYTES)
      throw std::runtime_error("outbox: corrupt row " + std::to_string(it.id));
    std::string plain(cipher.size() - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), cipher.data(),
                                   cipher.size(), nonce.data(), key_.data()) != 0)
      throw std::runtime_error("outbox: row " + std::to_string(it.id) +
                               " does not decrypt (wrong device key or tampered)");
    auto j = nlohmann::json::parse(plain, nullptr, false);
    sodium_memzero(plain.data(), plain.size());
    if (!j.is_object() || j.value("k", "") != it.idempotency_key || j.value("e", "") != it.endpoint ||
        !j.contains("p") || !j["p"].is_string())
      throw std::runtime_error("outbox: row " + std::to_string(it.id) + " payload does not match its row");
    it.payload = j["p"].get<std::string>();
    out.push_back(std::move(it));
  }
  return out;
}

void Store::mark_delivered(std::int64_t id, const std::string& txn, std::int64_t now) {
  std::lock_guard lk(mu_);
  // The payload is no longer needed once delivered: drop the ciphertext (secure_delete zeroes it).
  auto st = db_.prepare(
      "UPDATE outbox SET state='delivered', delivered_ms=?, transaction_number=?, attempts=attempts+1,"
      " ciphertext=x'', last_error='' WHERE id=?");
  st.bind(1, now).bind(2, txn).bind(3, id).run();
}

void Store::mark_retry(std::int64_t id, const std::string& error, std::int64_t next) {
  std::lock_guard lk(mu_);
  auto st = db_.prepare("UPDATE outbox SET attempts=attempts+1, last_error=?, next_attempt_ms=? WHERE id=?");
  st.bind(1, core::scrub(error)).bind(2, next).bind(3, id).run();
}

void Store::mark_failed(std::int64_t id, const std::string& error, std::int64_t now) {
  std::lock_guard lk(mu_);
  auto st = db_.prepare(
      "UPDATE outbox SET state='failed', attempts=attempts+1, last_error=?, delivered_ms=?, ciphertext=x''"
      " WHERE id=?");
  st.bind(1, core::scrub(error)).bind(2, now).bind(3, id).run();
}

namespace {
OutboxItem row_summary(Stmt& st) {
  OutboxItem it;
  it.id = st.col_int(0);
  it.idempotency_key = st.col_text(1);
  it.endpoint = st.col_text(2);
  it.label = st.col_text(3);
  it.state = state_from(st.col_text(4));
  it.attempts = static_cast<int>(st.col_int(5));
  it.created_ms = st.col_int(6);
  it.next_attempt_ms = st.col_int(7);
  it.delivered_ms = st.col_int(8);
  it.transaction_number = st.col_text(9);
  it.last_error = st.col_text(10);
  return it;
}
constexpr const char* kSummaryCols =
    "SELECT id,idempotency_key,endpoint,label,state,attempts,created_ms,next_attempt_ms,delivered_ms,"
    "transaction_number,last_error FROM outbox ";
}  // namespace

std::vector<OutboxItem> Store::list(std::optional<OutboxState> state, int limit) {
  std::lock_guard lk(mu_);
  std::string sql = kSummaryCols;
  sql += state ? "WHERE state=? ORDER BY id LIMIT ?" : "ORDER BY id LIMIT ?";
  auto st = db_.prepare(sql);
  if (state)
    st.bind(1, to_string(*state)).bind(2, limit);
  else
    st.bind(1, limit);
  std::vector<OutboxItem> out;
  while (st.step()) out.push_back(row_summary(st));
  return out;
}

std::optional<OutboxItem> Store::find(const std::string& key) {
  std::lock_guard lk(mu_);
  auto st = db_.prepare(std::string(kSummaryCols) + "WHERE idempotency_key=?");
  st.bind(1, key);
  if (!st.step()) return std::nullopt;
  return row_summary(st);
}

int Store::pending_count() {
  std::lock_guard lk(mu_);
  auto st = db_.prepare("SELECT COUNT(*) FROM outbox WHERE state='pending'");
  st.step();
  return static_cast<int>(st.col_int(0));
}

int Store::purge(std::int64_t now) {
  std::lock_guard lk(mu_);
  Transaction tx(db_);
  auto ms = [](std::chrono::hours h) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(h).count();
  };
  auto a = db_.prepare("DELETE FROM outbox WHERE state!='pending' AND delivered_ms<?");
  a.bind(1, now - ms(cfg_.delivered_retention)).run();
  int n = db_.changes();
  auto b = db_.prepare("DELETE FROM journal WHERE finished_ms<?");
  b.bind(1, now - ms(cfg_.journal_retention)).run();
  n += db_.changes();
  tx.commit();
  return n;
}

std::int64_t Store::journal_add(const JournalEntry& e) {
  std::lock_guard lk(mu_);
  auto st = db_.prepare(
      "INSERT INTO journal(started_ms,finished_ms,item_code,masked_name,masked_id,outcome,transaction_number,"
      "error_kind,terminal_id) VALUES(?,?,?,?,?,?,?,?,?)");
  // Second line of defence: scrub() masks anything that still looks like an ID or card number.
  st.bind(1, e.started_ms).bind(2, e.finished_ms).bind(3, core::scrub(e.item_code));
  st.bind(4, e.masked_name).bind(5, core::scrub(e.masked_id)).bind(6, e.outcome);
  st.bind(7, e.transaction_number).bind(8, e.error_kind).bind(9, e.terminal_id);
  st.run();
  return db_.last_insert_id();
}

namespace {
constexpr const char* kJournalCols =
    "SELECT id,started_ms,finished_ms,item_code,masked_name,masked_id,outcome,transaction_number,error_kind,"
    "terminal_id FROM journal ";
JournalEntry journal_row(Stmt& st) {
  JournalEntry e;
  e.id = st.col_int(0);
  e.started_ms = st.col_int(1);
  e.finished_ms = st.col_int(2);
  e.item_code = st.col_text(3);
  e.masked_name = st.col_text(4);
  e.masked_id = st.col_text(5);
  e.outcome = st.col_text(6);
  e.transaction_number = st.col_text(7);
  e.error_kind = st.col_text(8);
  e.terminal_id = st.col_text(9);
  return e;
}
}  // namespace

std::vector<JournalEntry> Store::journal_recent(int limit) {
  std::lock_guard lk(mu_);
  auto st = db_.prepare(std::string(kJournalCols) + "ORDER BY id DESC LIMIT ?");
  st.bind(1, limit);
  std::vector<JournalEntry> out;
  while (st.step()) out.push_back(journal_row(st));
  return out;
}

std::optional<JournalEntry> Store::journal_by_transaction(const std::string& txn) {
  std::lock_guard lk(mu_);
  auto st = db_.prepare(std::string(kJournalCols) + "WHERE transaction_number=? ORDER BY id DESC LIMIT 1");
  st.bind(1, txn);
  if (!st.step()) return std::nullopt;
  return journal_row(st);
}

JournalCounters Store::journal_counters(std::int64_t since) {
  std::lock_guard lk(mu_);
  JournalCounters c;
  auto st = db_.prepare(
      "SELECT outcome, COUNT(*), SUM(finished_ms-started_ms) FROM journal WHERE started_ms>=? GROUP BY "
      "outcome");
  st.bind(1, since);
  double total_ms = 0;
  while (st.step()) {
    int n = static_cast<int>(st.col_int(1));
    c.by_outcome[st.col_text(0)] = n;
    c.total += n;
    total_ms += st.col_double(2);
  }
  c.mean_duration_ms = c.total ? total_ms / c.total : 0.0;
  return c;
}

}  // namespace kiosk::store
