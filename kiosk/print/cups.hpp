// Submits PDFs to a CUPS queue (libcups / IPP) and tracks the job until it ends.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

namespace kiosk::print {

enum class CupsJobState { Pending, Processing, Held, Stopped, Canceled, Aborted, Completed, Unknown };
const char* to_string(CupsJobState s);

class CupsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CupsSubmitter {
 public:
  // server: "" = default (CUPS_SERVER / client.conf), or a host[:port] / domain socket path.
  CupsSubmitter(std::string queue, std::string server = {});
  // Returns the CUPS job id. Throws CupsError with cupsLastErrorString().
  int submit(const std::string& pdf_path, const std::string& title);
  CupsJobState state(int job_id);
  // Polls (no busy wait: 100 ms steps) until the job ends or the timeout passes.
  CupsJobState wait(int job_id, std::chrono::milliseconds timeout);
  bool queue_exists();
  const std::string& queue() const { return queue_; }

 private:
  std::string queue_, server_;
};

}  // namespace kiosk::print
