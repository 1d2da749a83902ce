#include "kiosk/hw/printer_worker.hpp"

#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <filesystem>
#include <stdexcept>

#include "drivers/printer/sim/simulator.hpp"
#include "drivers/printer/tcp9100.hpp"
#include "drivers/printer/usb_printer.hpp"
#include "drivers/transport/serial.hpp"

namespace kiosk::hw {

std::string default_printer_config_path() {
  return std::string(KIOSK_SOURCE_DIR) + "/config/devices/printer.toml";
}

PrinterSettings load_printer_settings(const std::string& path) {
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error("printer config " + path + ":" + std::to_string(e.source().begin.line) + ": " +
                             std::string(e.description()));
  }
  const toml::table* t = doc["printer"].as_table();
  if (!t) throw std::runtime_error("printer config " + path + ": missing [printer]");
  auto bad = [&](const std::string& key, const std::string& why) -> std::runtime_error {
    const auto* n = t->get(key);
    const int line = n ? static_cast<int>(n->source().begin.line) : 0;
    return std::runtime_error("printer config " + path + ":" + std::to_string(line) + ": " + key + ": " +
                              why);
  };
  auto u16 = [&](const char* key) -> std::optional<std::uint16_t> {
    if (!t->contains(key)) return std::nullopt;
    auto v = (*t)[key].value<std::int64_t>();
    if (!v || *v < 0 || *v > 0xFFFF) throw bad(key, "want an integer 0..0xFFFF");
    if (*v == 0) return std::nullopt;  // 0 = any
    return static_cast<std::uint16_t>(*v);
  };
  PrinterSettings s;
  s.dialect = (*t)["dialect"].value_or(s.dialect);
  s.transport = (*t)["transport"].value_or(s.transport);
  if (s.transport != "usb" && s.transport != "tcp" && s.transport != "serial")
    throw bad("transport", "want usb, tcp or serial, got '" + s.transport + "'");
  s.usb_vid = u16("vid");
  s.usb_pid = u16("pid");
  s.tcp_host = (*t)["host"].value_or(std::string{});
  if (auto p = u16("port")) s.tcp_port = *p;
  s.serial_device = (*t)["device"].value_or(std::string{});
  s.serial_baud = static_cast<int>((*t)["baud"].value_or(std::int64_t{115200}));
  const auto io = (*t)["io_timeout_ms"].value_or(std::int64_t{1500});
  if (io < 50 || io > 60000) throw bad("io_timeout_ms", "want 50..60000");
  s.io_timeout = std::chrono::milliseconds(io);
  if (s.transport == "tcp" && s.tcp_host.empty()) throw bad("host", "transport tcp needs host");
  if (s.transport == "serial" && s.serial_device.empty())
    throw bad("device", "transport serial needs device");
  if (const toml::table* a4 = doc["a4"].as_table()) {
    s.a4_queue = (*a4)["queue"].value_or(std::string{});
    s.cups_server = (*a4)["server"].value_or(std::string{});
  }
  if (const toml::table* sp = doc["spool"].as_table()) {
    s.service.data_dir = (*sp)["data_dir"].value_or(s.service.data_dir);
    s.service.poll_interval =
        std::chrono::milliseconds((*sp)["poll_interval_ms"].value_or(std::int64_t{1000}));
    s.service.idle_poll_interval =
        std::chrono::milliseconds((*sp)["idle_poll_interval_ms"].value_or(std::int64_t{5000}));
    s.service.hold_timeout =
        std::chrono::milliseconds((*sp)["hold_timeout_ms"].value_or(std::int64_t{120000}));
  }
  return s;
}

std::unique_ptr<PrinterWorker> make_printer_worker(const PrinterSettings& s) {
  const std::string dialect_file = std::string(KIOSK_SOURCE_DIR) + "/config/printers/" + s.dialect + ".toml";
  printer::Dialect d = std::filesystem::exists(dialect_file) ? printer::load_dialect(dialect_file)
                                                             : printer::builtin_dialect(s.dialect);
  print::ReopeningReceiptSink::Opener open;
  if (s.transport == "usb") {
    printer::UsbPrinterSelector sel;
    sel.vendor_id = s.usb_vid;
    sel.product_id = s.usb_pid;
    open = [sel] {
      return std::shared_ptr<transport::Transport>(std::make_shared<printer::UsbPrinter>(sel));
    };
  } else if (s.transport == "tcp") {
    open = [host = s.tcp_host, port = s.tcp_port, t = s.io_timeout] {
      return std::shared_ptr<transport::Transport>(std::make_shared<printer::TcpTransport>(host, port, t));
    };
  } else {
    open = [dev = s.serial_device, baud = s.serial_baud] {
      transport::SerialOptions o;
      o.baud = baud;
      return std::shared_ptr<transport::Transport>(transport::SerialPort::open(dev, o));
    };
  }
  auto receipt = std::make_unique<print::ReopeningReceiptSink>(std::move(open), std::move(d), s.io_timeout);
  std::unique_ptr<print::A4Sink> a4;
  if (!s.a4_queue.empty())
    a4 = std::make_unique<print::CupsA4Sink>(s.a4_queue, s.cups_server);
  else
    a4 = std::make_unique<print::DirectoryA4Sink>(
        (std::filesystem::path(s.service.data_dir) / "a4-out").string());
  return std::make_unique<PrinterWorker>(
      std::make_unique<print::PrintService>(s.service, std::move(receipt), std::move(a4)));
}

PrinterWorker::PrinterWorker(std::unique_ptr<print::PrintService> service) : service_(std::move(service)) {}

std::unique_ptr<PrinterWorker> PrinterWorker::demo(print::PrintService::Options o,
                                                   const std::string& dialect) {
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
    // The flow waits for print.result; the job's details go to the log (masked fields only).
    spdlog::info("print: job {} {} {}", o.job_id, o.template_id, print::to_string(o.result));
    queue.post(core::Command{"print.result", print::flow_result(o)});
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
