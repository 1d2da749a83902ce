// Append-only technician audit log: one JSON object per line, each chained to the previous line by a
// BLAKE2b hash so that an edited or deleted line is detectable (verify()). Details go through
// core::scrub, and callers pass only log-safe text (no names, ID numbers, PINs).
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kiosk/core/clock.hpp"

namespace kiosk::tech {

struct AuditEntry {
  std::uint64_t seq = 0;
  std::int64_t wall = 0;  // Unix seconds (injected clock)
  std::string source;     // "screen" or "kioskctl"
  std::string action;     // "enter", "pin_wrong", "lockout", "bind", "diag", "export", "leave", ...
  std::string detail;     // log-safe
  std::string hash;       // hex of BLAKE2b(prev_hash || line body)
};

class AuditLog {
 public:
  AuditLog(std::string path, const core::Clock& clock);
  // Appends (O_APPEND, fsync); throws TechError when the log cannot be written.
  AuditEntry append(const std::string& source, const std::string& action, const std::string& detail = "");
  std::vector<AuditEntry> recent(std::size_t n) const;
  // Empty when every line parses and the hash chain holds; else the first problem (line number).
  std::string verify() const;
  const std::string& path() const { return path_; }

 private:
  std::vector<AuditEntry> read_all() const;
  std::string path_;
  const core::Clock& clock_;
  mutable std::mutex mu_;
};

}  // namespace kiosk::tech
