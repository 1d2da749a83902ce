// PrinterWorker in demo mode: paper-out becomes DeviceFault, reload DeviceRecovered, and each job's
// outcome arrives as a "print.outcome" command on the session queue.
#include <catch2/catch.hpp>

#include <filesystem>

#include "drivers/printer/sim/simulator.hpp"
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
  auto id = w->submit("service_receipt_80", {{"hall_name", "大厅"}, {"service_name", "查询"}, {"transaction_no", "T1"},
                                             {"print_time", "2026-11-23"}, {"name", "李四"},
                                             {"id_number", "110101199003071234"}, {"verify_url", "https://v.example/1"}});
  auto outcome = [&](const char* result) {
    return [&, result](const core::Event& e) {
      auto* c = std::get_if<core::Command>(&e);
      if (!c || c->name != "print.outcome") return false;
      auto j = nlohmann::json::parse(c->arg);
      return j["job_id"] == id && j["result"] == result;
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
