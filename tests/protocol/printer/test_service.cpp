// PrintService end to end over the simulated printer: masked receipts, faults before and during a
// job, retry after recovery without double printing, restart survival, A4 PDF.
#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "drivers/printer/bitmap.hpp"
#include "drivers/printer/sim/simulator.hpp"
#include "kiosk/core/log.hpp"
#include "kiosk/print/service.hpp"
#include "tests/unit/printer/qr_decode.hpp"

using namespace kiosk;
using namespace kiosk::print;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const char* kRawId = "410105199001011234";

nlohmann::json receipt_fields() {
  return {{"hall_name", "郑州市政务服务中心"},
          {"service_name", "参保证明打印 Certificate printing"},
          {"transaction_no", "ZZ20261123-000123"},
          {"print_time", "2026-11-23 10:05"},
          {"name", "张三丰"},
          {"id_number", kRawId},
          {"insured_region", "郑州市 Zhengzhou"},
          {"verify_url", "https://zwfw.example.gov.cn/v/ZZ20261123-000123?c=9f3a"}};
}

struct TempDir {
  fs::path p;
  TempDir() {
    p = fs::temp_directory_path() /
        ("kiosk-print-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::remove_all(p);
    fs::create_directories(p);
  }
  ~TempDir() { fs::remove_all(p); }
  static std::atomic<int>& counter() {
    static std::atomic<int> c{0};
    return c;
  }
};

PrintService::Options opts(const TempDir& d) {
  PrintService::Options o;
  o.data_dir = d.p.string();
  o.poll_interval = 50ms;
  o.hold_timeout = 10s;
  return o;
}

struct Outcomes {
  std::mutex mu;
  std::vector<PrintOutcome> v;
  void attach(PrintService& s) {
    s.set_outcome_listener([this](const PrintOutcome& o) {
      std::lock_guard lk(mu);
      v.push_back(o);
    });
  }
  std::vector<PrintOutcome> get() {
    std::lock_guard lk(mu);
    return v;
  }
};

// Generous deadlines: a loaded 2-core CI box running ctest -j2 can be slow (the first A4 PDF also
// loads fontconfig); they only cost time when something is really wrong.
constexpr auto kSettle = 30s;

// Waits for the job to settle and fails the test with a clear message when it does not.
SpoolJob settled(PrintService& s, std::int64_t id, std::chrono::milliseconds timeout = kSettle) {
  auto j = s.wait_settled(id, timeout);
  INFO("job " << id << " did not settle within " << timeout.count() << " ms; last state "
              << (j ? to_string(j->state) : "<no such job>"));
  REQUIRE(j.has_value());
  REQUIRE(j->state != JobState::Queued);
  REQUIRE(j->state != JobState::Printing);
  return *j;
}

SpoolJob job_now(PrintService& s, std::int64_t id) {
  auto j = s.job(id);
  INFO("job " << id << " is not in the spool");
  REQUIRE(j.has_value());
  return *j;
}

// Polls until the job reaches `want` (or the deadline passes) and returns its last state.
JobState wait_state(PrintService& s, std::int64_t id, JobState want,
                    std::chrono::milliseconds timeout = kSettle) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto st = job_now(s, id).state;
    if (st == want || std::chrono::steady_clock::now() >= deadline) return st;
    std::this_thread::sleep_for(10ms);
  }
}

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("a receipt prints with masked identity and a verifiable QR") {
  TempDir dir;
  Outcomes out;  // outlives the service, whose worker writes into it
  auto stack = make_demo_print_service(opts(dir));
  out.attach(*stack.service);
  stack.service->start();
  auto id = stack.service->submit("service_receipt_80", receipt_fields());
  CHECK(settled(*stack.service, id).state == JobState::Done);
  REQUIRE(stack.sim->wait_for_cuts(1, kSettle));
  auto font = printer::make_freetype_glyphs();
  auto r = stack.sim->render(font.get());
  if (const char* keep = std::getenv("KIOSK_PRINTER_PNG_DIR"))
    printer::write_png(r.image, std::string(keep) + "/service_receipt_80.png");
  CHECK(r.text.find("张*丰") != std::string::npos);
  CHECK(r.text.find("4101**********1234") != std::string::npos);
  CHECK(r.text.find("张三丰") == std::string::npos);
  CHECK(r.text.find(kRawId) == std::string::npos);
  CHECK(r.text.find("ZZ20261123-000123") != std::string::npos);
  CHECK(printer::test::decode_qr(r.image) == std::vector<std::string>{receipt_fields()["verify_url"]});
  auto o = out.get();
  REQUIRE(o.size() == 1);
  CHECK(o[0].result == PrintOutcome::Result::Printed);
  stack.service->stop();
  // The spool file never holds the raw name or ID number.
  auto db = file_bytes(dir.p / "print_spool.db") + file_bytes(dir.p / "print_spool.db-wal");
  CHECK(db.find(kRawId) == std::string::npos);
  CHECK(db.find("张三丰") == std::string::npos);
}

TEST_CASE("an idle healthy printer is polled slowly; a fault is still seen and then watched closely") {
  TempDir dir;
  std::atomic<int> faults{0};
  auto o = opts(dir);
  o.idle_poll_interval = 700ms;
  auto stack = make_demo_print_service(o);
  stack.service->set_status_listener([&](const printer::PrinterStatus& s, bool reachable) {
    if (!reachable || !s.can_print()) ++faults;
  });
  stack.service->start();
  std::this_thread::sleep_for(1000ms);
  // Polls at 0 and 700 ms (four DLE EOT each); the 50 ms watch period would have made ~80 requests.
  const int idle_queries = stack.sim->status_queries();
  CHECK(idle_queries >= 4);
  CHECK(idle_queries <= 12);
  stack.sim->set_paper_out(true);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (faults == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  REQUIRE(faults == 1);
  // Faulted: back to the 50 ms period until the paper is reloaded.
  const int at_fault = stack.sim->status_queries();
  while (stack.sim->status_queries() < at_fault + 16 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  CHECK(stack.sim->status_queries() >= at_fault + 16);
}

TEST_CASE("paper out before the job: held, resident told, staff alerted; printed once after reload") {
  TempDir dir;
  Outcomes out;  // both outlive the service, whose worker calls the listeners
  std::atomic<int> status_events{0};
  auto stack = make_demo_print_service(opts(dir));
  out.attach(*stack.service);
  stack.service->set_status_listener([&](const printer::PrinterStatus&, bool) { ++status_events; });
  stack.sim->set_paper_out(true);
  stack.service->start();
  auto id = stack.service->submit("service_receipt_80", receipt_fields());
  CHECK(settled(*stack.service, id).state == JobState::Held);
  auto o = out.get();
  REQUIRE(o.size() == 1);
  CHECK(o[0].result == PrintOutcome::Result::Held);
  CHECK(o[0].staff_alert);
  CHECK(o[0].message_zh.find("缺纸") != std::string::npos);
  CHECK(o[0].message_en.find("out of paper") != std::string::npos);
  CHECK(o[0].fetch_url == receipt_fields()["verify_url"]);
  CHECK(stack.sim->printed().empty());
  // Staff reload paper: the held job is retried and printed exactly once.
  stack.sim->set_paper_out(false);
  REQUIRE(stack.sim->wait_for_cuts(1, kSettle));
  auto done = settled(*stack.service, id);
  CHECK(done.state == JobState::Done);
  CHECK(done.attempts == 2);
  std::this_thread::sleep_for(300ms);  // a second print would show up by now
  CHECK(stack.sim->cuts() == 1);
  CHECK(status_events >= 2);  // paper-end seen, then ready again
}

TEST_CASE("paper out during the job: partial kept, reprinted whole once") {
  TempDir dir;
  auto stack = make_demo_print_service(opts(dir));
  stack.sim->paper_out_after(150);
  stack.service->start();
  auto id = stack.service->submit("service_receipt_80", receipt_fields());
  auto j = settled(*stack.service, id);
  CHECK(j.state == JobState::Held);
  CHECK(j.partial);
  CHECK(stack.sim->cuts() == 0);
  stack.sim->clear_printed();
  stack.sim->set_paper_out(false);
  stack.sim->set_paper_near_end(false);
  REQUIRE(stack.sim->wait_for_cuts(1, kSettle));
  CHECK(settled(*stack.service, id).state == JobState::Done);
  std::this_thread::sleep_for(300ms);  // a second print would show up by now
  CHECK(stack.sim->cuts() == 1);
}

TEST_CASE("cover open and unplug hold the job; a job held too long fails") {
  TempDir dir;
  Outcomes out;  // outlives the service, whose worker writes into it
  auto o = opts(dir);
  // Long enough that a loaded machine still sees the job held before it expires.
  o.hold_timeout = 2s;
  auto stack = make_demo_print_service(o);
  out.attach(*stack.service);
  stack.sim->set_cover_open(true);
  stack.service->start();
  auto id = stack.service->submit("service_receipt_80", receipt_fields());
  REQUIRE(settled(*stack.service, id).state == JobState::Held);
  auto outcomes = out.get();
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].message_zh.find("打印机盖") != std::string::npos);
  CHECK(wait_state(*stack.service, id, JobState::Failed) == JobState::Failed);
  stack.sim->set_cover_open(false);
  std::this_thread::sleep_for(200ms);
  CHECK(stack.sim->cuts() == 0);  // the resident has left with the QR alternative: never printed late

  stack.host->close();  // unplug
  auto id2 = stack.service->submit("service_receipt_80", receipt_fields());
  auto j2 = settled(*stack.service, id2);
  CHECK(j2.state == JobState::Held);
  CHECK(j2.error.find("disconnected") != std::string::npos);
}

TEST_CASE("jobs survive a kiosk restart; an interrupted job is never reprinted") {
  TempDir dir;
  std::int64_t queued_id = 0;
  {
    // Kiosk 1 spools a job but stops before the worker runs.
    auto stack = make_demo_print_service(opts(dir));
    queued_id = stack.service->submit("service_receipt_80", receipt_fields());
  }
  std::int64_t interrupted_id = 0;
  {
    // A job that was mid-print when the power went.
    Spool s(dir.p.string());
    interrupted_id = s.enqueue(
        "service_receipt_80",
        prepare_fields(
            TemplateSet(std::string(KIOSK_SOURCE_DIR) + "/config/receipts").get("service_receipt_80"),
            receipt_fields())
            .dump());
    s.mark_printing(interrupted_id);
  }
  auto stack = make_demo_print_service(opts(dir));
  CHECK(job_now(*stack.service, interrupted_id).state == JobState::Uncertain);
  CHECK(job_now(*stack.service, queued_id).state == JobState::Queued);
  stack.service->start();
  REQUIRE(settled(*stack.service, queued_id).state == JobState::Done);
  REQUIRE(stack.sim->wait_for_cuts(1, kSettle));
  std::this_thread::sleep_for(200ms);  // a reprint of the interrupted job would show up by now
  CHECK(stack.sim->cuts() == 1);
  CHECK(job_now(*stack.service, interrupted_id).state == JobState::Uncertain);
}

TEST_CASE("templates refuse unmasked personal data and missing fields") {
  CHECK_THROWS_WITH(parse_template("id=\"x\"\n[[line]]\ntype=\"field\"\nfield=\"id_number\"\n"),
                    Catch::Contains("without a mask"));
  CHECK_THROWS_WITH(parse_template("id=\"x\"\n[[line]]\ntype=\"text\"\ntext=\"hi {name}\"\n"),
                    Catch::Contains("personal field"));
  CHECK_THROWS_WITH(parse_template("id=\"x\"\n[[line]]\ntype=\"blink\"\n"), Catch::Contains("unknown type"));
  TempDir dir;
  auto stack = make_demo_print_service(opts(dir));
  auto f = receipt_fields();
  f.erase("transaction_no");
  CHECK_THROWS_WITH(stack.service->submit("service_receipt_80", f), Catch::Contains("transaction_no"));
  CHECK_THROWS_AS(stack.service->submit("nope", receipt_fields()), TemplateError);
  // 58 mm template encodes for a 384-dot printer too.
  auto bytes = stack.service->encode("service_receipt_58", receipt_fields());
  CHECK(bytes.size() < 2048);
}

TEST_CASE("A4 certificate: PDF with masked identity and verification QR") {
  TempDir dir;
  auto stack = make_demo_print_service(opts(dir));
  stack.service->start();
  auto f = receipt_fields();
  f["issuer"] = "郑州市社会保险中心 Zhengzhou Social Insurance Center";
  f["insurance_types"] = "职工养老、医疗、失业 Pension, medical, unemployment";
  f["insured_status"] = "正常参保 Active";
  f["months_paid"] = "156";
  auto id = stack.service->submit("insurance_certificate_a4", f);
  REQUIRE(settled(*stack.service, id).state == JobState::Done);
  auto pdf = dir.p / "a4-out" / ("job-" + std::to_string(id) + ".pdf");
  REQUIRE(fs::exists(pdf));
  CHECK(file_bytes(pdf).rfind("%PDF", 0) == 0);
  // Rasterise (poppler) and decode the QR.
  auto png_base = (dir.p / "cert").string();
  std::string cmd =
      "pdftoppm -r 150 -gray -png -singlefile '" + pdf.string() + "' '" + png_base + "' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) {
    WARN("pdftoppm not available: skipping PDF rasterisation");
    return;
  }
  auto g = printer::load_png_gray(png_base + ".png");
  printer::Bitmap b(g.width, g.height);
  for (std::size_t i = 0; i < g.px.size(); ++i) b.px[i] = g.px[i] < 128;
  CHECK(printer::test::decode_qr(b) == std::vector<std::string>{f["verify_url"]});
  if (const char* keep = std::getenv("KIOSK_PRINTER_PNG_DIR")) {
    fs::copy_file(png_base + ".png", std::string(keep) + "/certificate_a4.png",
                  fs::copy_options::overwrite_existing);
    fs::copy_file(pdf, std::string(keep) + "/certificate_a4.pdf", fs::copy_options::overwrite_existing);
  }
  // The identity on the certificate is masked too.
  std::string txt_cmd = "pdftotext -layout '" + pdf.string() + "' '" + png_base + ".txt'";
  REQUIRE(std::system(txt_cmd.c_str()) == 0);
  auto text = file_bytes(png_base + ".txt");
  CHECK(text.find("4101**********1234") != std::string::npos);
  CHECK(text.find(kRawId) == std::string::npos);
  CHECK(text.find("参保证明") != std::string::npos);
}

TEST_CASE("print logs carry job ids and outcomes, never the resident's name or ID number") {
  TempDir dir;
  const auto log = dir.p / "print.log";
  core::init_logging({log.string(), false, false, "debug"});
  {
    auto stack = make_demo_print_service(opts(dir));
    stack.service->start();
    auto ok = stack.service->submit("service_receipt_80", receipt_fields());
    REQUIRE(settled(*stack.service, ok).state == JobState::Done);
    stack.sim->set_paper_out(true);  // a held job logs its fault too
    auto held = stack.service->submit("service_receipt_58", receipt_fields());
    REQUIRE(settled(*stack.service, held).state == JobState::Held);
    stack.service->stop();
  }
  core::flush_logs();
  core::init_logging({"", false, false, "info"});
  const std::string text = file_bytes(log);
  CHECK(text.find("print: job") != std::string::npos);  // the jobs were logged at all
  CHECK(text.find(" held") != std::string::npos);
  CHECK(text.find("张三丰") == std::string::npos);
  CHECK(text.find("三丰") == std::string::npos);
  CHECK(text.find(kRawId) == std::string::npos);
  CHECK(text.find("199001011234") == std::string::npos);
}

TEST_CASE("a replugged printer is reopened: the held job prints once on the new connection") {
  TempDir dir;
  struct Plug {
    transport::LoopbackPair pair;
    std::shared_ptr<printer::PrinterSimulator> sim;
  };
  std::mutex mu;
  std::vector<Plug> plugs;
  bool present = true;
  auto plug_in = [&] {
    Plug p{transport::make_loopback("usb-printer"), nullptr};
    p.sim = std::make_shared<printer::PrinterSimulator>(p.pair.device, 576);
    p.sim->start();
    plugs.push_back(std::move(p));
  };
  plug_in();
  auto sink = std::make_unique<ReopeningReceiptSink>(
      [&]() -> std::shared_ptr<transport::Transport> {
        std::lock_guard lk(mu);
        if (!present) throw transport::TransportError(transport::ErrorKind::NotFound, "no USB printer");
        return plugs.back().pair.host;
      },
      printer::builtin_dialect("epson"), 300ms);
  auto* reopening = sink.get();
  PrintService svc(opts(dir), std::move(sink),
                   std::make_unique<DirectoryA4Sink>((dir.p / "a4-out").string()));
  svc.start();
  auto first = svc.submit("service_receipt_80", receipt_fields());
  REQUIRE(settled(svc, first).state == JobState::Done);
  CHECK(reopening->opens() == 1);

  {  // Unplugged: the old connection dies and no printer is found for a while.
    std::lock_guard lk(mu);
    present = false;
    plugs.back().pair.host->close();
  }
  auto second = svc.submit("service_receipt_80", receipt_fields());
  REQUIRE(settled(svc, second).state == JobState::Held);

  {  // Plugged back in: a new device, a new connection.
    std::lock_guard lk(mu);
    plug_in();
    present = true;
  }
  REQUIRE(plugs.back().sim->wait_for_cuts(1, kSettle));
  CHECK(settled(svc, second).state == JobState::Done);
  std::this_thread::sleep_for(200ms);
  CHECK(plugs.back().sim->cuts() == 1);   // printed once, on the new printer
  CHECK(plugs.front().sim->cuts() == 1);  // the first job only
  CHECK(reopening->opens() == 2);
  svc.stop();
  for (auto& p : plugs) p.sim->stop();
}

TEST_CASE("the flow's print.result wording: printed, or failed with the outcome and its cause") {
  PrintOutcome o;
  o.result = PrintOutcome::Result::Printed;
  CHECK(flow_result(o) == "printed");
  o.result = PrintOutcome::Result::Held;
  o.error = "paper-out: offline paper-end";
  CHECK(flow_result(o) == "failed held: paper-out: offline paper-end");
  o.result = PrintOutcome::Result::Failed;
  o.error = "timeout";
  CHECK(flow_result(o) == "failed failed: timeout");
}
