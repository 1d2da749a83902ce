// Persistent print spool (SQLite file under the data dir). Jobs hold only prepared (masked) fields.
// A job that was being printed when the kiosk stopped becomes `uncertain` on restart and is never
// printed again automatically: nothing prints twice.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace kiosk::print {

enum class JobState { Queued, Printing, Done, Held, Failed, Uncertain, Cancelled };
const char* to_string(JobState s);
JobState job_state_from(const std::string& s);

struct SpoolJob {
  std::int64_t id = 0;
  std::string template_id;
  std::string fields_json;  // prepared (masked) fields
  JobState state = JobState::Queued;
  int attempts = 0;
  std::string error;
  bool partial = false;  // some of it reached paper during a failed attempt
  std::int64_t created_ms = 0, updated_ms = 0;
};

class SpoolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Spool {
 public:
  // Opens/creates <data_dir>/print_spool.db and recovers jobs interrupted in Printing.
  explicit Spool(const std::string& data_dir);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  std::int64_t enqueue(const std::string& template_id, const std::string& fields_json);
  std::optional<SpoolJob> get(std::int64_t id);
  // Oldest job in Queued state.
  std::optional<SpoolJob> next_queued();
  std::vector<SpoolJob> list(JobState s);
  // Transitions; mark_printing increments attempts. Throws SpoolError on an illegal transition.
  void mark_printing(std::int64_t id);
  void mark_done(std::int64_t id);
  void mark_held(std::int64_t id, const std::string& error, bool partial);
  void mark_failed(std::int64_t id, const std::string& error);
  void requeue(std::int64_t id);  // Held → Queued (printer recovered)
  void cancel(std::int64_t id);
  int recovered_on_open() const { return recovered_; }
  std::string path() const { return path_; }

 private:
  void set_state(std::int64_t id, JobState from_a, JobState from_b, JobState to, const std::string& error,
                 int partial, bool bump);
  std::vector<SpoolJob> query(const std::string& where, std::int64_t arg);
  sqlite3* db_ = nullptr;
  std::string path_;
  int recovered_ = 0;
};

}  // namespace kiosk::print
