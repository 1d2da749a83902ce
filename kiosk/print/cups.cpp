#include "kiosk/print/cups.hpp"

#include <cups/cups.h>

#include <mutex>
#include <thread>

namespace kiosk::print {

namespace {
// libcups keeps the server in per-thread globals; set it before every call.
void use_server(const std::string& s) {
  cupsSetServer(s.empty() ? nullptr : s.c_str());
}
}  // namespace

const char* to_string(CupsJobState s) {
  switch (s) {
    case CupsJobState::Pending:
      return "pending";
    case CupsJobState::Processing:
      return "processing";
    case CupsJobState::Held:
      return "held";
    case CupsJobState::Stopped:
      return "stopped";
    case CupsJobState::Canceled:
      return "canceled";
    case CupsJobState::Aborted:
      return "aborted";
    case CupsJobState::Completed:
      return "completed";
    case CupsJobState::Unknown:
      return "unknown";
  }
  return "?";
}

CupsSubmitter::CupsSubmitter(std::string queue, std::string server)
    : queue_(std::move(queue)), server_(std::move(server)) {}

int CupsSubmitter::submit(const std::string& pdf, const std::string& title) {
  use_server(server_);
  cups_option_t* opts = nullptr;
  int n = cupsAddOption("document-format", "application/pdf", 0, &opts);
  n = cupsAddOption("media", "iso_a4_210x297mm", n, &opts);
  int id = cupsPrintFile2(CUPS_HTTP_DEFAULT, queue_.c_str(), pdf.c_str(), title.c_str(), n, opts);
  cupsFreeOptions(n, opts);
  if (id <= 0) throw CupsError("CUPS submit to " + queue_ + " failed: " + cupsLastErrorString());
  return id;
}

CupsJobState CupsSubmitter::state(int job_id) {
  use_server(server_);
  cups_job_t* jobs = nullptr;
  int n = cupsGetJobs2(CUPS_HTTP_DEFAULT, &jobs, queue_.c_str(), 0, CUPS_WHICHJOBS_ALL);
  if (n < 0) throw CupsError(std::string("CUPS job query failed: ") + cupsLastErrorString());
  CupsJobState st = CupsJobState::Unknown;
  for (int i = 0; i < n; ++i)
    if (jobs[i].id == job_id) {
      switch (jobs[i].state) {
        case IPP_JSTATE_PENDING:
          st = CupsJobState::Pending;
          break;
        case IPP_JSTATE_HELD:
          st = CupsJobState::Held;
          break;
        case IPP_JSTATE_PROCESSING:
          st = CupsJobState::Processing;
          break;
        case IPP_JSTATE_STOPPED:
          st = CupsJobState::Stopped;
          break;
        case IPP_JSTATE_CANCELED:
          st = CupsJobState::Canceled;
          break;
        case IPP_JSTATE_ABORTED:
          st = CupsJobState::Aborted;
          break;
        case IPP_JSTATE_COMPLETED:
          st = CupsJobState::Completed;
          break;
      }
    }
  cupsFreeJobs(n, jobs);
  return st;
}

CupsJobState CupsSubmitter::wait(int job_id, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto s = state(job_id);
    if (s == CupsJobState::Completed || s == CupsJobState::Canceled || s == CupsJobState::Aborted ||
        s == CupsJobState::Stopped)
      return s;
    if (std::chrono::steady_clock::now() >= deadline) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

bool CupsSubmitter::queue_exists() {
  use_server(server_);
  cups_dest_t* dests = nullptr;
  int n = cupsGetDests2(CUPS_HTTP_DEFAULT, &dests);
  bool found = cupsGetDest(queue_.c_str(), nullptr, n, dests) != nullptr;
  cupsFreeDests(n, dests);
  return found;
}

}  // namespace kiosk::print
