// The print service the session calls: submit(template id, fields JSON) from any thread; a worker
// thread checks the printer, prints, retries held jobs when the printer recovers and reports each
// job's outcome. Receipts go to an ESC/POS printer, A4 documents (PDF) to a CUPS queue.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "drivers/printer/printer.hpp"
#include "drivers/transport/loopback.hpp"
#include "kiosk/print/a4.hpp"
#include "kiosk/print/cups.hpp"
#include "kiosk/print/spool.hpp"
#include "kiosk/print/template.hpp"

namespace kiosk::printer {
class PrinterSimulator;
class GlyphSource;
}  // namespace kiosk::printer

namespace kiosk::print {

// Where receipt bytes go. Implementations throw printer::PrintError.
class ReceiptSink {
 public:
  virtual ~ReceiptSink() = default;
  virtual printer::PrintReport print(std::span<const std::uint8_t> job) = 0;
  virtual printer::PrinterStatus status() = 0;
  virtual const printer::Dialect& dialect() const = 0;
};

// ReceiptPrinter over a transport it co-owns.
class TransportReceiptSink : public ReceiptSink {
 public:
  TransportReceiptSink(std::shared_ptr<transport::Transport> t, printer::Dialect d);
  printer::PrintReport print(std::span<const std::uint8_t> job) override { return printer_.print(job); }
  printer::PrinterStatus status() override { return printer_.query_status(); }
  const printer::Dialect& dialect() const override { return printer_.dialect(); }

 private:
  std::shared_ptr<transport::Transport> t_;
  printer::ReceiptPrinter printer_;
};

// For printers that can be unplugged and come back as a new device (USB): opens the transport on
// first use and again after a Disconnected, so a replugged printer needs no kiosk restart. `open`
// throws transport::TransportError while the printer is absent (reported as Disconnected).
class ReopeningReceiptSink : public ReceiptSink {
 public:
  using Opener = std::function<std::shared_ptr<transport::Transport>()>;
  ReopeningReceiptSink(Opener open, printer::Dialect d,
                       std::chrono::milliseconds io_timeout = std::chrono::milliseconds(1500));
  printer::PrintReport print(std::span<const std::uint8_t> job) override;
  printer::PrinterStatus status() override;
  const printer::Dialect& dialect() const override { return dialect_; }
  int opens() const { return opens_; }  // diagnostics

 private:
  printer::ReceiptPrinter& connect();
  template <class F>
  auto guarded(F&& f) -> decltype(f(std::declval<printer::ReceiptPrinter&>()));
  Opener open_;
  printer::Dialect dialect_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<transport::Transport> t_;
  std::unique_ptr<printer::ReceiptPrinter> printer_;
  int opens_ = 0;
};

// Where A4 PDFs go. Throws CupsError (retriable) on failure.
class A4Sink {
 public:
  virtual ~A4Sink() = default;
  virtual void print_pdf(const std::string& pdf_path, const std::string& title) = 0;
};

class CupsA4Sink : public A4Sink {
 public:
  CupsA4Sink(std::string queue, std::string server = {},
             std::chrono::milliseconds timeout = std::chrono::seconds(60));
  void print_pdf(const std::string& pdf_path, const std::string& title) override;

 private:
  CupsSubmitter cups_;
  std::chrono::milliseconds timeout_;
};

// Copies PDFs into a directory (demo mode, technician preview).
class DirectoryA4Sink : public A4Sink {
 public:
  explicit DirectoryA4Sink(std::string dir) : dir_(std::move(dir)) {}
  void print_pdf(const std::string& pdf_path, const std::string& title) override;

 private:
  std::string dir_;
};

struct PrintOutcome {
  enum class Result { Printed, Held, Failed, Uncertain };
  std::int64_t job_id = 0;
  std::string template_id;
  Result result = Result::Printed;
  std::string error;       // log-safe English cause ("paper-out: offline paper-end")
  std::string message_zh;  // what to tell the resident
  std::string message_en;
  std::string fetch_url;  // QR to fetch the document when it did not print (empty if none)
  bool staff_alert = false;
};
const char* to_string(PrintOutcome::Result r);
nlohmann::json to_json(const PrintOutcome& o);
// The flow's print.result argument: "printed", or "failed <result>: <error>" (held counts as not printed:
// the resident chooses retry or skip). Log-safe: the error never carries personal fields.
std::string flow_result(const PrintOutcome& o);

class PrintService {
 public:
  struct Options {
    std::string data_dir;  // spool DB and PDFs
    std::string template_dir = std::string(KIOSK_SOURCE_DIR) + "/config/receipts";
    std::chrono::milliseconds poll_interval{
        1000};  // status / held-job retry while a job waits or a fault shows
    std::chrono::milliseconds idle_poll_interval{5000};  // status while nothing waits and the printer is fine
    std::chrono::milliseconds hold_timeout{120000};      // held longer than this → failed (resident gone)
    int max_attempts = 3;
    std::string font_path;  // for rare characters; empty = Noto Sans CJK
  };
  using OutcomeListener = std::function<void(const PrintOutcome&)>;
  using StatusListener = std::function<void(const printer::PrinterStatus&, bool reachable)>;

  PrintService(Options o, std::unique_ptr<ReceiptSink> receipt, std::unique_ptr<A4Sink> a4);
  ~PrintService();

  // Thread-safe. Validates the template and fields, masks personal fields, spools the job and wakes
  // the worker. Throws TemplateError.
  std::int64_t submit(const std::string& template_id, const nlohmann::json& fields);
  void set_outcome_listener(OutcomeListener l);
  void set_status_listener(StatusListener l);
  void start();
  void stop();
  std::optional<SpoolJob> job(std::int64_t id);
  // Waits (tests, tools) until the job leaves queued/printing or the timeout passes.
  std::optional<SpoolJob> wait_settled(std::int64_t id, std::chrono::milliseconds timeout);
  nlohmann::json status() const;  // log-safe
  const TemplateSet& templates() const { return templates_; }
  // Renders a receipt template to ESC/POS bytes without spooling (kioskctl, preview).
  std::vector<std::uint8_t> encode(const std::string& template_id, const nlohmann::json& fields);

 private:
  void loop();
  void process(const SpoolJob& j);
  // Returns true while something needs watching closely (a held job, an unreachable or faulted printer).
  bool retry_held();
  std::optional<printer::PrinterStatus> poll_status();
  void report(const PrintOutcome& o);
  std::string fetch_url_for(const Template& t, const nlohmann::json& f) const;

  Options opt_;
  TemplateSet templates_;
  std::unique_ptr<ReceiptSink> receipt_;
  std::unique_ptr<A4Sink> a4_;
  std::shared_ptr<printer::GlyphSource> glyphs_;
  mutable std::mutex mu_;  // guards spool_, listeners, state below
  std::condition_variable cv_;
  Spool spool_;
  OutcomeListener on_outcome_;
  StatusListener on_status_;
  std::optional<printer::PrinterStatus> last_status_;
  bool reachable_ = true;
  bool running_ = false, wake_ = false;
  std::int64_t in_flight_ = 0;  // job the worker is processing and has not reported yet
  std::thread th_;
};

// Demo / test stack: the simulated receipt printer over loopback (fake paper-out with
// sim->set_paper_out(true)) and A4 PDFs copied into <data_dir>/a4-out.
struct DemoPrintStack {
  std::shared_ptr<transport::LoopbackEndpoint> host, device;
  std::shared_ptr<printer::PrinterSimulator> sim;
  std::unique_ptr<PrintService> service;
};
DemoPrintStack make_demo_print_service(PrintService::Options o, const std::string& dialect_id = "epson");

}  // namespace kiosk::print
