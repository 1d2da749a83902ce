#include "kiosk/store/sqlite.hpp"

namespace kiosk::store {

namespace {
[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw SqliteError("sqlite: " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}
}  // namespace

Db::Db(const std::string& path, int busy_timeout_ms) {
  int rc = sqlite3_open_v2(path.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError("sqlite: cannot open database: " + msg);
  }
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);
}

Db::~Db() {
  if (db_) sqlite3_close_v2(db_);
}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

void Db::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown";
    sqlite3_free(err);
    throw SqliteError("sqlite: exec failed: " + m);
  }
}

Stmt Db::prepare(std::string_view sql) {
  return Stmt(db_, sql);
}
std::int64_t Db::last_insert_id() const {
  return sqlite3_last_insert_rowid(db_);
}
int Db::changes() const {
  return sqlite3_changes(db_);
}

int Db::user_version() {
  auto st = prepare("PRAGMA user_version");
  st.step();
  return static_cast<int>(st.col_int(0));
}

void Db::set_user_version(int v) {
  exec("PRAGMA user_version = " + std::to_string(v));
}

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st_, nullptr) != SQLITE_OK)
    fail(db, "prepare");
}

Stmt::~Stmt() {
  if (st_) sqlite3_finalize(st_);
}

Stmt& Stmt::bind(int i, std::int64_t v) {
  if (sqlite3_bind_int64(st_, i, v) != SQLITE_OK) fail(db_, "bind");
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  if (sqlite3_bind_double(st_, i, v) != SQLITE_OK) fail(db_, "bind");
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  if (sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}
Stmt& Stmt::bind_blob(int i, const void* data, std::size_t n) {
  if (sqlite3_bind_blob(st_, i, data, static_cast<int>(n), SQLITE_TRANSIENT) != SQLITE_OK) fail(db_, "bind");
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  if (sqlite3_bind_null(st_, i) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "step");
}

void Stmt::run() {
  while (step()) {
  }
}

void Stmt::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

std::int64_t Stmt::col_int(int i) const {
  return sqlite3_column_int64(st_, i);
}
double Stmt::col_double(int i) const {
  return sqlite3_column_double(st_, i);
}
std::string Stmt::col_text(int i) const {
  auto* p = sqlite3_column_text(st_, i);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(st_, i)))
           : std::string();
}
std::vector<unsigned char> Stmt::col_blob(int i) const {
  auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(st_, i));
  int n = sqlite3_column_bytes(st_, i);
  return p ? std::vector<unsigned char>(p, p + n) : std::vector<unsigned char>();
}
bool Stmt::col_null(int i) const {
  return sqlite3_column_type(st_, i) == SQLITE_NULL;
}

Transaction::Transaction(Db& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}
Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}
void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace kiosk::store
