// PrinterWorker in demo mode: paper-out becomes DeviceFault, reload DeviceRecovered, and each job's
// outcome arrives as the flow's "print.result" command on the session queue.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "drivers/printer/sim/simulator.hpp"
#include "drivers/printer/tcp9100.hpp"
#include "kiosk/hw/printer_worker.hpp"

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

template <class Pred>
bool wait_event(core::EventQueue& q, std::vector<core::Event>& seen, Pred pred, std::chrono::milliseconds t) {
  auto deadline = std::chrono::steady_clock::now() + t;
  while (std::chrono::steady_clock::now() < deadline) {
    for (auto& e : q.drain()) seen.push_back(std::move(e));
    for (auto& e : seen)
      if (pred(e)) return true;
    q.wait_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("printer worker posts faults, recovery and job outcomes") {
  auto dir = std::filesystem::temp_directory_path() / ("kiosk-pw-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  print::PrintService::Options o;
  o.data_dir = dir.string();
  o.poll_interval = 50ms;
  o.idle_poll_interval = 50ms;  // a fault with no job waiting is seen at once here
  auto w = hw::PrinterWorker::demo(o);
  REQUIRE(w->simulator());
  core::EventQueue q;
  w->start(q);
  std::vector<core::Event> seen;
  w->simulator()->set_paper_out(true);
  auto is_kind = [](core::DeviceEvent::Kind k) {
    return [k](const core::Event& e) {
      auto* d = std::get_if<core::DeviceEvent>(&e);
      return d && d->device == "printer" && d->kind == k;
    };
  };
  REQUIRE(wait_event(q, seen, is_kind(core::DeviceEvent::Kind::DeviceFault), 3s));
  auto id = w->submit("service_receipt_80", {{"hall_name", "大厅"},
                                             {"service_name", "查询"},
                                             {"transaction_no", "T1"},
                                             {"print_time", "2026-11-23"},
                                             {"name", "李四"},
                                             {"id_number", "110101199003071234"},
                                             {"verify_url", "https://v.example/1"}});
  CHECK(id > 0);
  // What the flow reads: print.result "printed" or "failed <result>: <why>".
  auto outcome = [&](const char* result) {
    return [&, result](const core::Event& e) {
      auto* c = std::get_if<core::Command>(&e);
      if (!c || c->name != "print.result") return false;
      return std::string(result) == "printed" ? c->arg == "printed"
                                              : c->arg.rfind(std::string("failed ") + result + ":", 0) == 0;
    };
  };
  REQUIRE(wait_event(q, seen, outcome("held"), 3s));
  w->simulator()->set_paper_out(false);
  REQUIRE(wait_event(q, seen, is_kind(core::DeviceEvent::Kind::DeviceRecovered), 3s));
  REQUIRE(wait_event(q, seen, outcome("printed"), 3s));
  CHECK(w->simulator()->cuts() == 1);
  CHECK(w->status()["role"] == "printer");
  // Nothing personal in any event.
  for (auto& e : seen)
    if (auto* c = std::get_if<core::Command>(&e)) {
      CHECK(c->arg.find("李四") == std::string::npos);
      CHECK(c->arg.find("110101199003071234") == std::string::npos);
    }
  w->stop();
  w.reset();
  std::filesystem::remove_all(dir);
}

TEST_CASE("printer settings: the shipped config parses; bad values are named; the TCP worker prints") {
  auto s = hw::load_printer_settings(hw::default_printer_config_path());
  CHECK(s.transport == "usb");
  CHECK_FALSE(s.usb_vid);
  CHECK(s.service.data_dir == "/var/lib/kiosk/print");

  const auto dir = std::filesystem::temp_directory_path() / ("printer-cfg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& text) {
    const auto p = dir / "printer.toml";
    std::ofstream(p) << text;
    return p.string();
  };
  CHECK_THROWS_WITH(hw::load_printer_settings(write("[printer]\ntransport = \"lpt\"\n")),
                    Catch::Contains(":2: transport"));
  CHECK_THROWS_WITH(hw::load_printer_settings(write("[printer]\ntransport = \"tcp\"\n")),
                    Catch::Contains("needs host"));
  CHECK_THROWS_WITH(hw::load_printer_settings(write("[printer]\nvid = 70000\n")), Catch::Contains("vid"));

  // TCP 9100 to the simulator, end to end through the production factory.
  printer::TcpListener listener;
  std::shared_ptr<printer::TcpTransport> server;
  std::thread acc([&] { server = listener.accept(5s); });
  s = hw::load_printer_settings(
      write("[printer]\ndialect = \"epson\"\ntransport = \"tcp\"\nhost = \"127.0.0.1\"\nport = " +
            std::to_string(listener.port()) + "\n[spool]\ndata_dir = \"" + (dir / "spool").string() +
            "\"\npoll_interval_ms = 50\n"));
  auto w = hw::make_printer_worker(s);
  core::EventQueue q;
  w->start(q);
  const nlohmann::json fields = {{"hall_name", "郑州市政务服务中心"},
                                 {"service_name", "参保证明打印"},
                                 {"transaction_no", "ZZ1"},
                                 {"print_time", "2026-11-23 10:05"},
                                 {"name", "张三丰"},
                                 {"id_number", "410105199001011234"},
                                 {"insured_region", "郑州市"},
                                 {"verify_url", "https://v.example.cn/t/1"}};
  auto id = w->submit("service_receipt_80", fields);
  acc.join();
  REQUIRE(server);
  printer::PrinterSimulator sim(server, 576);
  sim.start();
  CHECK(w->service().wait_settled(id, 5s)->state == print::JobState::Done);
  CHECK(sim.wait_for_cuts(1, 2s));
  w->stop();
  sim.stop();
  std::filesystem::remove_all(dir);
}
