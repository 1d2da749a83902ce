// The receipt/A4 printer in the DeviceHub: owns the PrintService, turns printer status changes into
// core::DeviceEvent DeviceFault / DeviceRecovered (device "printer") and job outcomes into
// core::Command{"print.outcome", <PrintOutcome JSON>} on the session's EventQueue.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "kiosk/hw/device_worker.hpp"
#include "kiosk/print/service.hpp"

namespace kiosk::hw {

class PrinterWorker : public DeviceWorker {
 public:
  explicit PrinterWorker(std::unique_ptr<print::PrintService> service);
  // Demo: the simulated printer over loopback (fake faults via simulator()), A4 to <data_dir>/a4-out.
  static std::unique_ptr<PrinterWorker> demo(print::PrintService::Options o, const std::string& dialect = "epson");
  ~PrinterWorker() override;

  std::string role() const override { return "printer"; }
  void start(core::EventQueue& queue) override;
  void stop() override;
  nlohmann::json status() const override;

  // Thread-safe; the session's entry point. Throws print::TemplateError.
  std::int64_t submit(const std::string& template_id, const nlohmann::json& fields) {
    return service_->submit(template_id, fields);
  }
  print::PrintService& service() { return *service_; }
  printer::PrinterSimulator* simulator() const { return sim_.get(); }

 private:
  std::shared_ptr<transport::LoopbackEndpoint> host_, device_;
  std::shared_ptr<printer::PrinterSimulator> sim_;
  std::unique_ptr<print::PrintService> service_;
  mutable std::mutex mu_;
  bool faulted_ = false;
  std::string last_detail_;
  bool started_ = false;
};

}  // namespace kiosk::hw
