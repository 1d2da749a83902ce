#include "kiosk/print/service.hpp"

#include <algorithm>
#include <filesystem>

#include "drivers/printer/glyphs.hpp"
#include "drivers/printer/line_raster.hpp"
#include "drivers/printer/sim/simulator.hpp"
#include "kiosk/core/log.hpp"

namespace kiosk::print {

using printer::PrintError;
using printer::PrintErrorKind;

TransportReceiptSink::TransportReceiptSink(std::shared_ptr<transport::Transport> t, printer::Dialect d)
    : t_(std::move(t)), printer_(*t_, std::move(d)) {}

ReopeningReceiptSink::ReopeningReceiptSink(Opener open, printer::Dialect d,
                                           std::chrono::milliseconds io_timeout)
    : open_(std::move(open)), dialect_(std::move(d)), timeout_(io_timeout) {}

printer::ReceiptPrinter& ReopeningReceiptSink::connect() {
  if (printer_ && t_ && t_->connected()) return *printer_;
  printer_.reset();
  t_.reset();
  try {
    t_ = open_();
  } catch (const transport::TransportError& e) {
    throw printer::PrintError(printer::PrintErrorKind::Disconnected, e.what());
  }
  if (!t_) throw printer::PrintError(printer::PrintErrorKind::Disconnected, "printer not found");
  ++opens_;
  printer_ = std::make_unique<printer::ReceiptPrinter>(*t_, dialect_, timeout_);
  return *printer_;
}

template <class F>
auto ReopeningReceiptSink::guarded(F&& f) -> decltype(f(std::declval<printer::ReceiptPrinter&>())) {
  try {
    return f(connect());
  } catch (const printer::PrintError& e) {
    if (e.kind() == printer::PrintErrorKind::Disconnected) {  // reopen on the next call
      printer_.reset();
      t_.reset();
    }
    throw;
  }
}

printer::PrintReport ReopeningReceiptSink::print(std::span<const std::uint8_t> job) {
  return guarded([&](printer::ReceiptPrinter& p) { return p.print(job); });
}

printer::PrinterStatus ReopeningReceiptSink::status() {
  return guarded([](printer::ReceiptPrinter& p) { return p.query_status(); });
}

CupsA4Sink::CupsA4Sink(std::string queue, std::string server, std::chrono::milliseconds timeout)
    : cups_(std::move(queue), std::move(server)), timeout_(timeout) {}

void CupsA4Sink::print_pdf(const std::string& pdf, const std::string& title) {
  int id = cups_.submit(pdf, title);
  auto st = cups_.wait(id, timeout_);
  if (st != CupsJobState::Completed)
    throw CupsError("CUPS job " + std::to_string(id) + " on " + cups_.queue() + " ended " + to_string(st));
}

void DirectoryA4Sink::print_pdf(const std::string& pdf, const std::string&) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  std::filesystem::copy_file(pdf, std::filesystem::path(dir_) / std::filesystem::path(pdf).filename(),
                             std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) throw CupsError("copy to " + dir_ + ": " + ec.message());
}

std::string flow_result(const PrintOutcome& o) {
  if (o.result == PrintOutcome::Result::Printed) return "printed";
  return std::string("failed ") + to_string(o.result) + ": " + o.error;
}

const char* to_string(PrintOutcome::Result r) {
  switch (r) {
    case PrintOutcome::Result::Printed:
      return "printed";
    case PrintOutcome::Result::Held:
      return "held";
    case PrintOutcome::Result::Failed:
      return "failed";
    case PrintOutcome::Result::Uncertain:
      return "uncertain";
  }
  return "?";
}

nlohmann::json to_json(const PrintOutcome& o) {
  return {{"job_id", o.job_id},       {"template", o.template_id},   {"result", to_string(o.result)},
          {"error", o.error},         {"message_zh", o.message_zh},  {"message_en", o.message_en},
          {"fetch_url", o.fetch_url}, {"staff_alert", o.staff_alert}};
}

namespace {

void resident_message(PrintOutcome& o, std::optional<PrintErrorKind> k) {
  const bool qr = !o.fetch_url.empty();
  std::string zh_tail = qr ? "请扫描屏幕上的二维码获取电子版，工作人员已收到通知。"
                           : "工作人员已收到通知，请稍候或到窗口办理。";
  std::string en_tail = qr ? " Scan the QR code on screen to get an electronic copy; staff have been alerted."
                           : " Staff have been alerted; please wait or go to a service window.";
  if (k == PrintErrorKind::PaperOut) {
    o.message_zh = "打印机缺纸，暂时无法打印。" + zh_tail;
    o.message_en = "The printer is out of paper." + en_tail;
  } else if (k == PrintErrorKind::CoverOpen) {
    o.message_zh = "打印机盖未关闭，暂时无法打印。" + zh_tail;
    o.message_en = "The printer cover is open." + en_tail;
  } else {
    o.message_zh = "打印机暂时无法使用。" + zh_tail;
    o.message_en = "The printer is not available right now." + en_tail;
  }
}

}  // namespace

PrintService::PrintService(Options o, std::unique_ptr<ReceiptSink> receipt, std::unique_ptr<A4Sink> a4)
    : opt_(std::move(o)),
      templates_(opt_.template_dir),
      receipt_(std::move(receipt)),
      a4_(std::move(a4)),
      spool_(opt_.data_dir) {
  try {
    glyphs_ = opt_.font_path.empty() ? printer::make_freetype_glyphs()
                                     : printer::make_freetype_glyphs(opt_.font_path);
  } catch (const std::exception& e) {
    spdlog::warn("print: no font for rare characters ({}); such lines will fail", e.what());
  }
  if (spool_.recovered_on_open() > 0)
    spdlog::warn("print: {} job(s) were printing at shutdown; kept as uncertain, not reprinted",
                 spool_.recovered_on_open());
}

PrintService::~PrintService() {
  stop();
}

void PrintService::set_outcome_listener(OutcomeListener l) {
  std::lock_guard lk(mu_);
  on_outcome_ = std::move(l);
}

void PrintService::set_status_listener(StatusListener l) {
  std::lock_guard lk(mu_);
  on_status_ = std::move(l);
}

std::int64_t PrintService::submit(const std::string& template_id, const nlohmann::json& fields) {
  const Template& t = templates_.get(template_id);
  if (t.kind == "receipt" && !receipt_) throw TemplateError("no receipt printer configured");
  if (t.kind == "a4" && !a4_) throw TemplateError("no A4 printer configured");
  nlohmann::json prepared = prepare_fields(t, fields);
  std::int64_t id;
  {
    std::lock_guard lk(mu_);
    id = spool_.enqueue(template_id, prepared.dump());
    wake_ = true;
  }
  cv_.notify_all();
  spdlog::info("print: job {} queued ({})", id, template_id);
  return id;
}

std::vector<std::uint8_t> PrintService::encode(const std::string& template_id, const nlohmann::json& fields) {
  const Template& t = templates_.get(template_id);
  if (!receipt_) throw TemplateError("no receipt printer configured");
  printer::Encoder e(receipt_->dialect());
  if (glyphs_) e.set_rasterizer(printer::glyph_line_rasterizer(glyphs_));
  encode_receipt(t, prepare_fields(t, fields), e);
  return e.take();
}

void PrintService::start() {
  std::lock_guard lk(mu_);
  if (running_) return;
  running_ = true;
  th_ = std::thread([this] { loop(); });
}

void PrintService::stop() {
  {
    std::lock_guard lk(mu_);
    if (!running_) return;
    running_ = false;
  }
  cv_.notify_all();
  if (th_.joinable()) th_.join();
}

std::optional<SpoolJob> PrintService::job(std::int64_t id) {
  std::lock_guard lk(mu_);
  return spool_.get(id);
}

std::optional<SpoolJob> PrintService::wait_settled(std::int64_t id, std::chrono::milliseconds timeout) {
  std::unique_lock lk(mu_);
  std::optional<SpoolJob> j;
  // Settled means the job left queued/printing *and* its outcome listener has run: the worker marks
  // the spool before it reports, and a caller must not see a held/done job whose outcome is still
  // on its way (it may tear down what the listener writes into).
  cv_.wait_for(lk, timeout, [&] {
    j = spool_.get(id);
    return j && j->state != JobState::Queued && j->state != JobState::Printing && in_flight_ != id;
  });
  return j;
}

nlohmann::json PrintService::status() const {
  std::lock_guard lk(mu_);
  nlohmann::json s;
  s["reachable"] = reachable_;
  if (last_status_) {
    s["state"] = printer::to_string(printer::classify(*last_status_));
    s["detail"] = printer::describe(*last_status_);
  }
  s["dialect"] = receipt_ ? receipt_->dialect().id : "";
  s["spool"] = spool_.path();
  return s;
}

void PrintService::report(const PrintOutcome& o) {
  OutcomeListener l;
  {
    std::lock_guard lk(mu_);
    l = on_outcome_;
  }
  spdlog::info("print: job {} {} {}", o.job_id, to_string(o.result), o.error);
  if (l) {
    try {
      l(o);
    } catch (const std::exception& e) {
      spdlog::error("print: outcome listener for job {} threw: {}", o.job_id, e.what());
    }
  }
}

std::string PrintService::fetch_url_for(const Template& t, const nlohmann::json& f) const {
  std::string field = t.qr_field;
  for (auto& l : t.lines)
    if (field.empty() && l.type == "qr") field = l.field;
  if (!field.empty() && f.contains(field) && f[field].is_string()) return f[field].get<std::string>();
  return {};
}

// The worker thread: nothing may escape it (an exception leaving a std::thread aborts the kiosk).
void PrintService::loop() {
  auto next_poll = std::chrono::steady_clock::now();
  for (;;) {
    std::optional<SpoolJob> j;
    try {
      {
        std::unique_lock lk(mu_);
        cv_.wait_until(lk, next_poll, [&] { return !running_ || wake_; });
        if (!running_) return;
        wake_ = false;
        j = spool_.next_queued();
        if (j) in_flight_ = j->id;
      }
      if (j) {
        process(*j);
        {
          std::lock_guard lk(mu_);
          in_flight_ = 0;
          wake_ = true;  // look for the next job at once
        }
        // A job may have been held: watch closely again.
        next_poll = std::min(next_poll, std::chrono::steady_clock::now() + opt_.poll_interval);
        cv_.notify_all();  // wake wait_settled: the job is marked and reported
        continue;
      }
      if (std::chrono::steady_clock::now() >= next_poll) {
        // Idle and healthy: a slow status poll keeps the idle kiosk quiet (each poll is four DLE EOT
        // round trips); printing checks the status itself before the first byte.
        const bool watch = retry_held();
        next_poll = std::chrono::steady_clock::now() +
                    (watch ? opt_.poll_interval : std::max(opt_.poll_interval, opt_.idle_poll_interval));
      }
    } catch (const std::exception& e) {
      spdlog::error("print: worker error{}: {}", j ? " on job " + std::to_string(j->id) : std::string(),
                    e.what());
      {
        std::lock_guard lk(mu_);
        in_flight_ = 0;
      }
      cv_.notify_all();
      next_poll = std::chrono::steady_clock::now() + opt_.poll_interval;  // back off, do not spin
    }
  }
}

// Polls the receipt printer; the status listener hears every change (staff alerts, recovery).
std::optional<printer::PrinterStatus> PrintService::poll_status() {
  std::optional<printer::PrinterStatus> st;
  bool reachable = true;
  if (receipt_) {
    try {
      st = receipt_->status();
    } catch (const PrintError&) {
      reachable = false;
    }
  }
  StatusListener sl;
  bool changed;
  {
    std::lock_guard lk(mu_);
    changed = reachable != reachable_ || (st && (!last_status_ || !(*st == *last_status_)));
    reachable_ = reachable;
    if (st) last_status_ = st;
    sl = on_status_;
  }
  if (changed && sl) sl(st.value_or(printer::PrinterStatus{}), reachable);
  return reachable ? st : std::nullopt;
}

// Requeues held jobs once the printer can print; jobs held longer than hold_timeout or out of
// attempts fail (the resident was given the QR alternative and may have left).
bool PrintService::retry_held() {
  auto st = poll_status();
  bool reachable = st.has_value();
  std::vector<SpoolJob> held;
  {
    std::lock_guard lk(mu_);
    held = spool_.list(JobState::Held);
  }
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  for (auto& h : held) {
    bool is_a4 = templates_.has(h.template_id) && templates_.get(h.template_id).kind == "a4";
    bool ready = is_a4 || (reachable && st && st->can_print());
    bool expired = now_ms - h.created_ms > opt_.hold_timeout.count() || h.attempts >= opt_.max_attempts;
    std::lock_guard lk(mu_);
    if (expired) {
      spool_.mark_failed(h.id, h.error + "; gave up");
    } else if (ready) {
      spool_.requeue(h.id);
      wake_ = true;
    }
  }
  cv_.notify_all();  // a held job that failed is settled for good
  return !held.empty() || (receipt_ && !(st && st->can_print()));
}

void PrintService::process(const SpoolJob& j) {
  PrintOutcome o;
  o.job_id = j.id;
  o.template_id = j.template_id;
  nlohmann::json fields;
  const Template* t = nullptr;
  try {
    t = &templates_.get(j.template_id);
    fields = nlohmann::json::parse(j.fields_json);
    o.fetch_url = fetch_url_for(*t, fields);
  } catch (const std::exception& e) {
    std::lock_guard lk(mu_);
    spool_.mark_printing(j.id);
    spool_.mark_failed(j.id, e.what());
    o.result = PrintOutcome::Result::Failed;
    o.error = e.what();
    resident_message(o, std::nullopt);
    o.staff_alert = true;
  }
  if (!t) {
    report(o);
    return;
  }
  {
    std::lock_guard lk(mu_);
    spool_.mark_printing(j.id);
  }
  try {
    if (t->kind == "receipt") {
      printer::Encoder e(receipt_->dialect());
      if (glyphs_) e.set_rasterizer(printer::glyph_line_rasterizer(glyphs_));
      encode_receipt(*t, fields, e);
      receipt_->print(e.bytes());
    } else {
      A4Document d;
      d.issuer = substitute(t->issuer, fields);
      d.title = substitute(t->title, fields);
      d.subtitle = substitute(t->subtitle, fields);
      for (auto& l : t->lines) {
        if (l.type != "field" && l.type != "pair") continue;
        if (!fields.contains(l.field)) {
          if (l.optional) continue;
          throw TemplateError("template " + t->id + ": missing field '" + l.field + "'");
        }
        d.rows.emplace_back(l.label, fields[l.field].get<std::string>());
      }
      for (auto& p : t->paragraphs) d.paragraphs.push_back(substitute(p, fields));
      d.verify_url = o.fetch_url;
      d.seal_text = substitute(t->seal_text, fields);
      d.footer = substitute("{transaction_no}  {print_time}", fields);
      auto dir = std::filesystem::path(opt_.data_dir) / "pdf";
      std::filesystem::create_directories(dir);
      auto pdf = (dir / ("job-" + std::to_string(j.id) + ".pdf")).string();
      write_a4_pdf(d, pdf);
      a4_->print_pdf(pdf, t->name + " #" + std::to_string(j.id));
    }
    std::lock_guard lk(mu_);
    spool_.mark_done(j.id);
    o.result = PrintOutcome::Result::Printed;
    o.message_zh = "打印完成，请取走。";
    o.message_en = "Printed. Please take your document.";
  } catch (const PrintError& e) {
    {
      std::lock_guard lk(mu_);
      spool_.mark_held(j.id, e.what(), e.partial());
    }
    o.result = PrintOutcome::Result::Held;
    o.error = e.what();
    o.staff_alert = true;
    resident_message(o, e.kind());
    poll_status();  // staff hear about the fault now, not at the next poll
  } catch (const CupsError& e) {
    std::lock_guard lk(mu_);
    spool_.mark_held(j.id, e.what(), false);
    o.result = PrintOutcome::Result::Held;
    o.error = e.what();
    o.staff_alert = true;
    resident_message(o, std::nullopt);
  } catch (const std::exception& e) {  // template/encoding/PDF errors: retrying will not help
    std::lock_guard lk(mu_);
    spool_.mark_failed(j.id, e.what());
    o.result = PrintOutcome::Result::Failed;
    o.error = e.what();
    o.staff_alert = true;
    resident_message(o, std::nullopt);
  }
  report(o);
}

DemoPrintStack make_demo_print_service(PrintService::Options o, const std::string& dialect_id) {
  DemoPrintStack s;
  auto pair = transport::make_loopback("printer");
  s.host = pair.host;
  s.device = pair.device;
  auto d = printer::builtin_dialect(dialect_id);
  s.sim = std::make_shared<printer::PrinterSimulator>(s.device, d.width_dots);
  s.sim->start();
  std::string out = (std::filesystem::path(o.data_dir) / "a4-out").string();
  s.service = std::make_unique<PrintService>(o, std::make_unique<TransportReceiptSink>(s.host, d),
                                             std::make_unique<DirectoryA4Sink>(out));
  return s;
}

}  // namespace kiosk::print
