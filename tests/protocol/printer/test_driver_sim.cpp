// The real driver against the simulated printer speaking real ESC/POS bytes: loopback and TCP 9100,
// status before/during a job, cover open, unplug, automatic status back.
#include <catch2/catch.hpp>
#include <thread>

#include "drivers/printer/encoder.hpp"
#include "drivers/printer/printer.hpp"
#include "drivers/printer/sim/simulator.hpp"
#include "drivers/printer/tcp9100.hpp"
#include "drivers/transport/loopback.hpp"
#include "tests/unit/printer/qr_decode.hpp"

using namespace kiosk;
using namespace kiosk::printer;
using namespace std::chrono_literals;

namespace {

std::vector<std::uint8_t> sample_job(const Dialect& d, int body_lines = 3) {
  Encoder e(d);
  e.init().align(Align::Center).size(2, 2).line("回执 Receipt").size(1, 1).align(Align::Left);
  for (int i = 0; i < body_lines; ++i)
    e.line("第" + std::to_string(i + 1) + "行 line " + std::to_string(i + 1));
  e.align(Align::Center).qr("https://v.example.cn/t/42", 6).cut();
  return e.take();
}

struct Rig {
  transport::LoopbackPair pair = transport::make_loopback("printer");
  Dialect dialect = builtin_dialect("epson");
  PrinterSimulator sim{pair.device, 576};
  ReceiptPrinter printer{*pair.host, dialect, 500ms};
  Rig() { sim.start(); }
};

}  // namespace

TEST_CASE("driver prints a job the simulator renders back") {
  Rig r;
  auto st = r.printer.query_status();
  CHECK(st.can_print());
  auto job = sample_job(r.dialect);
  auto rep = r.printer.print(job);
  CHECK(rep.bytes == job.size());
  REQUIRE(r.sim.wait_for_cuts(1, 2s));
  CHECK(r.sim.printed() == job);  // status requests are not part of the printout
  auto img = r.sim.render();
  CHECK(img.qr_payloads == std::vector<std::string>{"https://v.example.cn/t/42"});
  CHECK(test::decode_qr(img.image) == img.qr_payloads);
  CHECK(img.text.find("回执 Receipt") != std::string::npos);
}

TEST_CASE("paper out before a job: nothing is sent") {
  Rig r;
  r.sim.set_paper_out(true);
  auto job = sample_job(r.dialect);
  try {
    r.printer.print(job);
    FAIL("expected PaperOut");
  } catch (const PrintError& e) {
    CHECK(e.kind() == PrintErrorKind::PaperOut);
    CHECK_FALSE(e.partial());
  }
  CHECK(r.sim.printed().empty());
  CHECK(r.sim.dropped() == 0);
  CHECK(classify(r.printer.query_status()) == PrinterState::PaperEnd);
}

TEST_CASE("paper runs out during a job: partial, buffer cleared, no cut") {
  Rig r;
  r.printer.chunk_size = 256;
  auto job = sample_job(r.dialect, 40);
  r.sim.paper_out_after(300);
  try {
    r.printer.print(job);
    FAIL("expected PaperOut");
  } catch (const PrintError& e) {
    CHECK(e.kind() == PrintErrorKind::PaperOut);
    CHECK(e.partial());
  }
  CHECK(r.sim.printed().size() < job.size());
  CHECK(r.sim.cuts() == 0);
  // Reload paper: the printer prints again.
  r.sim.set_paper_out(false);
  r.sim.set_paper_near_end(false);
  r.sim.clear_printed();
  r.printer.print(job);
  REQUIRE(r.sim.wait_for_cuts(1, 2s));
  CHECK(r.sim.printed() == job);
}

TEST_CASE("cover open and cutter error are typed") {
  Rig r;
  r.sim.set_cover_open(true);
  auto job = sample_job(r.dialect);
  CHECK_THROWS_MATCHES(r.printer.print(job), PrintError,
                       Catch::Predicate<PrintError>(
                           [](const PrintError& e) { return e.kind() == PrintErrorKind::CoverOpen; }));
  r.sim.set_cover_open(false);
  r.sim.set_cutter_error(true);
  CHECK_THROWS_MATCHES(r.printer.print(job), PrintError,
                       Catch::Predicate<PrintError>(
                           [](const PrintError& e) { return e.kind() == PrintErrorKind::CutterError; }));
  r.printer.recover();  // DLE ENQ 2 clears a recoverable cutter error
  std::this_thread::sleep_for(50ms);
  CHECK(r.printer.query_status().can_print());
}

TEST_CASE("unplug is Disconnected, replug works") {
  Rig r;
  r.pair.host->close();
  CHECK_THROWS_MATCHES(r.printer.query_status(), PrintError,
                       Catch::Predicate<PrintError>(
                           [](const PrintError& e) { return e.kind() == PrintErrorKind::Disconnected; }));
  r.pair.host->reopen();
  CHECK(r.printer.query_status().can_print());
}

TEST_CASE("a printer that never answers times out") {
  auto pair = transport::make_loopback("mute");
  ReceiptPrinter p(*pair.host, builtin_dialect("epson"), 100ms);
  auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_MATCHES(p.query_status(), PrintError, Catch::Predicate<PrintError>([](const PrintError& e) {
                         return e.kind() == PrintErrorKind::Timeout;
                       }));
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
}

TEST_CASE("automatic status back: the simulator sends GS a blocks on change") {
  Rig r;
  const std::uint8_t enable[3] = {0x1D, 0x61, 0x0F};
  r.pair.host->write(enable, 100ms);
  std::uint8_t b[4];
  transport::read_exact(*r.pair.host, b, 1s);
  CHECK(decode_asb(b).can_print());
  r.sim.set_cover_open(true);
  transport::read_exact(*r.pair.host, b, 1s);
  CHECK(decode_asb(b).cover_open);
  r.sim.set_cover_open(false);
  r.sim.set_paper_out(true);
  transport::read_exact(*r.pair.host, b, 1s);  // cover closed
  transport::read_exact(*r.pair.host, b, 1s);  // paper end
  auto s = decode_asb(b);
  CHECK(s.paper_end);
  CHECK_FALSE(s.cover_open);
}

TEST_CASE("raw TCP 9100: driver over a socket to the simulator") {
  TcpListener listener;
  std::shared_ptr<TcpTransport> server;
  std::thread acc([&] { server = listener.accept(2s); });
  TcpTransport client("127.0.0.1", listener.port(), 1s);
  acc.join();
  REQUIRE(server);
  PrinterSimulator sim(server, 576);
  sim.start();
  ReceiptPrinter p(client, builtin_dialect("gprinter"), 500ms);
  auto job = sample_job(builtin_dialect("gprinter"));
  p.print(job);
  REQUIRE(sim.wait_for_cuts(1, 2s));
  CHECK(sim.printed() == job);
  sim.set_paper_out(true);
  CHECK(classify(p.query_status()) == PrinterState::PaperEnd);
  sim.stop();
  server->close();
  CHECK_THROWS_AS(p.query_status(), PrintError);
  CHECK_THROWS_AS(TcpTransport("127.0.0.1", 1, 500ms), transport::TransportError);
}

TEST_CASE("an idle simulator does not wake up, and stop() returns at once", "[printer][idle]") {
  Rig r;
  CHECK(r.printer.query_status().can_print());  // the thread is serving
  const auto before = r.sim.wakeups();
  std::this_thread::sleep_for(1100ms);
  CHECK(r.sim.wakeups() == before);             // no periodic read timeouts while nothing happens
  CHECK(r.printer.query_status().can_print());  // still answers after the idle period
  const auto t0 = std::chrono::steady_clock::now();
  r.sim.stop();
  CHECK(std::chrono::steady_clock::now() - t0 < 50ms);
}
