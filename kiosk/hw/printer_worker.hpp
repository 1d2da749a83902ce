// The receipt/A4 printer in the DeviceHub: owns the PrintService, turns printer status changes into
// core::DeviceEvent DeviceFault / DeviceRecovered (device "printer") and job outcomes into
// core::Command{"print.result", print::flow_result(outcome)} on the session's EventQueue.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "kiosk/hw/device_worker.hpp"
#include "kiosk/print/service.hpp"

namespace kiosk::hw {

class PrinterWorker;

// config/devices/printer.toml: which receipt printer, over which transport, and the A4 queue.
struct PrinterSettings {
  std::string dialect = "generic";  // config/printers/<dialect>.toml, else a built-in profile
  std::string transport = "usb";    // usb | tcp | serial
  std::optional<std::uint16_t> usb_vid, usb_pid;
  std::string tcp_host;
  std::uint16_t tcp_port = 9100;
  std::string serial_device;
  int serial_baud = 115200;
  std::chrono::milliseconds io_timeout{1500};
  std::string a4_queue;     // CUPS queue; empty = A4 documents are written to <data_dir>/a4-out
  std::string cups_server;  // empty = default (CUPS_SERVER / client.conf)
  print::PrintService::Options service;
};
// Throws std::runtime_error naming the file, line and key on bad input.
PrinterSettings load_printer_settings(const std::string& path);
std::string default_printer_config_path();
// Production: the receipt printer is (re)opened on demand (ReopeningReceiptSink), so a printer that
// is off at start-up or replugged later is picked up without a restart.
std::unique_ptr<PrinterWorker> make_printer_worker(const PrinterSettings& s);

class PrinterWorker : public DeviceWorker {
 public:
  explicit PrinterWorker(std::unique_ptr<print::PrintService> service);
  // Demo: the simulated printer over loopback (fake faults via simulator()), A4 to <data_dir>/a4-out.
  static std::unique_ptr<PrinterWorker> demo(print::PrintService::Options o,
                                             const std::string& dialect = "epson");
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
