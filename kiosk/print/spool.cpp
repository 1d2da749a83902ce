#include "kiosk/print/spool.hpp"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>

namespace kiosk::print {

const char* to_string(JobState s) {
  switch (s) {
    case JobState::Queued:
      return "queued";
    case JobState::Printing:
      return "printing";
    case JobState::Done:
      return "done";
    case JobState::Held:
      return "held";
    case JobState::Failed:
      return "failed";
    case JobState::Uncertain:
      return "uncertain";
    case JobState::Cancelled:
      return "cancelled";
  }
  return "?";
}

JobState job_state_from(const std::string& s) {
  for (auto st : {JobState::Queued, JobState::Printing, JobState::Done, JobState::Held, JobState::Failed,
                  JobState::Uncertain, JobState::Cancelled})
    if (s == to_string(st)) return st;
  throw SpoolError("unknown job state '" + s + "'");
}

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
      throw SpoolError(std::string("spool SQL: ") + sqlite3_errmsg(db));
  }
  ~Stmt() { sqlite3_finalize(s); }
  Stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s, i, v);
    return *this;
  }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
};

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "?";
    sqlite3_free(err);
    throw SpoolError("spool: " + m);
  }
}

}  // namespace

Spool::Spool(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  path_ = (std::filesystem::path(dir) / "print_spool.db").string();
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string m = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw SpoolError("cannot open spool " + path_ + ": " + m);
  }
  sqlite3_busy_timeout(db_, 2000);
  exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  exec(db_,
       "CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, template TEXT NOT NULL,"
       " fields TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
       " error TEXT NOT NULL DEFAULT '', partial INTEGER NOT NULL DEFAULT 0,"
       " created INTEGER NOT NULL, updated INTEGER NOT NULL);"
       "CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, id);");
  // A job in flight when the kiosk stopped may or may not be on paper: keep it for staff, never reprint.
  Stmt st(
      db_,
      "UPDATE jobs SET state='uncertain', error='interrupted by restart', updated=? WHERE state='printing'");
  st.bind(1, now_ms());
  sqlite3_step(st.s);
  recovered_ = sqlite3_changes(db_);
}

Spool::~Spool() {
  sqlite3_close(db_);
}

std::int64_t Spool::enqueue(const std::string& tpl, const std::string& fields) {
  Stmt st(db_, "INSERT INTO jobs(template, fields, state, created, updated) VALUES(?,?,'queued',?,?)");
  auto t = now_ms();
  st.bind(1, tpl).bind(2, fields).bind(3, t).bind(4, t);
  if (sqlite3_step(st.s) != SQLITE_DONE) throw SpoolError(std::string("enqueue: ") + sqlite3_errmsg(db_));
  return sqlite3_last_insert_rowid(db_);
}

std::vector<SpoolJob> Spool::query(const std::string& where, std::int64_t arg) {
  std::string sql =
      "SELECT id, template, fields, state, attempts, error, partial, created, updated FROM jobs " + where;
  Stmt st(db_, sql.c_str());
  if (where.find('?') != std::string::npos) st.bind(1, arg);
  std::vector<SpoolJob> out;
  while (sqlite3_step(st.s) == SQLITE_ROW) {
    SpoolJob j;
    j.id = sqlite3_column_int64(st.s, 0);
    j.template_id = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 1));
    j.fields_json = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 2));
    j.state = job_state_from(reinterpret_cast<const char*>(sqlite3_column_text(st.s, 3)));
    j.attempts = sqlite3_column_int(st.s, 4);
    j.error = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 5));
    j.partial = sqlite3_column_int(st.s, 6) != 0;
    j.created_ms = sqlite3_column_int64(st.s, 7);
    j.updated_ms = sqlite3_column_int64(st.s, 8);
    out.push_back(std::move(j));
  }
  return out;
}

std::optional<SpoolJob> Spool::get(std::int64_t id) {
  auto v = query("WHERE id=?", id);
  if (v.empty()) return std::nullopt;
  return v[0];
}

std::optional<SpoolJob> Spool::next_queued() {
  auto v = query("WHERE state='queued' ORDER BY id LIMIT 1", 0);
  if (v.empty()) return std::nullopt;
  return v[0];
}

std::vector<SpoolJob> Spool::list(JobState s) {
  std::string where = std::string("WHERE state='") + to_string(s) + "' ORDER BY id";
  return query(where, 0);
}

void Spool::set_state(std::int64_t id, JobState a, JobState b, JobState to, const std::string& error,
                      int partial, bool bump) {
  Stmt st(db_,
          "UPDATE jobs SET state=?, error=?, partial=CASE WHEN ?<0 THEN partial ELSE ? END,"
          " attempts=attempts+?, updated=? WHERE id=? AND state IN (?,?)");
  st.bind(1, std::string(to_string(to))).bind(2, error).bind(3, partial).bind(4, partial);
  st.bind(5, bump ? 1 : 0).bind(6, now_ms()).bind(7, id);
  st.bind(8, std::string(to_string(a))).bind(9, std::string(to_string(b)));
  if (sqlite3_step(st.s) != SQLITE_DONE) throw SpoolError(std::string("update: ") + sqlite3_errmsg(db_));
  if (sqlite3_changes(db_) != 1)
    throw SpoolError("job " + std::to_string(id) + ": illegal transition to " + to_string(to));
}

void Spool::mark_printing(std::int64_t id) {
  set_state(id, JobState::Queued, JobState::Queued, JobState::Printing, "", -1, true);
}
void Spool::mark_done(std::int64_t id) {
  set_state(id, JobState::Printing, JobState::Printing, JobState::Done, "", -1, false);
}
void Spool::mark_held(std::int64_t id, const std::string& e, bool partial) {
  set_state(id, JobState::Printing, JobState::Printing, JobState::Held, e, partial ? 1 : 0, false);
}
void Spool::mark_failed(std::int64_t id, const std::string& e) {
  set_state(id, JobState::Printing, JobState::Held, JobState::Failed, e, -1, false);
}
void Spool::requeue(std::int64_t id) {
  set_state(id, JobState::Held, JobState::Held, JobState::Queued, "", -1, false);
}
void Spool::cancel(std::int64_t id) {
  set_state(id, JobState::Queued, JobState::Held, JobState::Cancelled, "cancelled", -1, false);
}

}  // namespace kiosk::print
