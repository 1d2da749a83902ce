#include "kiosk/hw/printer_worker.hpp"

#include "drivers/printer/sim/simulator.hpp"

namespace kiosk::hw {

PrinterWorker::PrinterWorker(std::unique_ptr<print::PrintService> service) : service_(std::move(service)) {}

std::unique_ptr<PrinterWorker> PrinterWorker::demo(print::PrintService::Options o, const std::string& dialect) {
  auto stack = print::make_demo_print_service(std::move(o), dialect);
  auto w = std::make_unique<PrinterWorker>(std::move(stack.service));
  w->host_ = stack.host;
  w->device_ = stack.device;
  w->sim_ = stack.sim;
  return w;
}

PrinterWorker::~PrinterWorker() {
  stop();
  service_.reset();  // before the simulator it talks to
  if (sim_) sim_->stop();
}

void PrinterWorker::start(core::EventQueue& queue) {
  {
    std::lock_guard lk(mu_);
    if (started_) return;
    started_ = true;
  }
  service_->set_status_listener([this, &queue](const printer::PrinterStatus& s, bool reachable) {
    const bool fault = !reachable || !s.can_print();
    std::string detail = reachable ? printer::describe(s) : "printer not reachable";
    bool post_fault = false, post_recovered = false;
    {
      std::lock_guard lk(mu_);
      if (fault && (!faulted_ || detail != last_detail_)) post_fault = true;
      if (!fault && faulted_) post_recovered = true;
      faulted_ = fault;
      last_detail_ = detail;
    }
    core::DeviceEvent e;
    e.device = "printer";
    e.detail = detail;
    if (post_fault) {
      e.kind = core::DeviceEvent::Kind::DeviceFault;
      queue.post(e);
    } else if (post_recovered) {
      e.kind = core::DeviceEvent::Kind::DeviceRecovered;
      queue.post(e);
    }
  });
  service_->set_outcome_listener([&queue](const print::PrintOutcome& o) {
    queue.post(core::Command{"print.outcome", print::to_json(o).dump()});
  });
  service_->start();
}

void PrinterWorker::stop() {
  {
    std::lock_guard lk(mu_);
    if (!started_) return;
    started_ = false;
  }
  service_->stop();
}

nlohmann::json PrinterWorker::status() const {
  auto s = service_->status();
  s["role"] = "printer";
  s["demo"] = sim_ != nullptr;
  std::lock_guard lk(mu_);
  s["faulted"] = faulted_;
  return s;
}

}  // namespace kiosk::hw
