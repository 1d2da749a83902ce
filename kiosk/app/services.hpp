// What the session's flow effects reach: the platform (client + embedded simulator in demo/headless)
// and the receipt/A4 printer (simulated printer in demo/headless). Results come back to the session as
// Commands through the EventQueue (platform.reply, print.result), from the workers' threads.
#pragma once

#include <atomic>
#include <memory>
#include <set>
#include <string>

#include "kiosk/core/config.hpp"
#include "kiosk/core/events.hpp"
#include "kiosk/core/session_data.hpp"
#include "kiosk/hw/printer_worker.hpp"
#include "kiosk/platform/client.hpp"
#include "kiosk/platform/outbox_sender.hpp"  // wiring
#include "kiosk/platform/sim/platform_sim.hpp"
#include "kiosk/print/service.hpp"

namespace kiosk::app {

class Services {
 public:
  // Embedded platform simulator (terminal region from cfg) + libcurl client with short timeouts, and
  // the simulated receipt printer; A4 PDFs go to <data_dir>/a4-out.
  static std::unique_ptr<Services> demo(const core::KioskConfig& cfg, core::EventQueue& queue);
  // Production: the platform client from <config_dir>/platform.toml (terminal id and region from
  // kiosk.toml), the encrypted outbox, and receipts/A4 through the printer worker (null: no printer
  // configured — print effects fail with "no printer" so the flow offers to skip). Throws
  // std::runtime_error on an unusable platform.toml.
  static std::unique_ptr<Services> production(const core::KioskConfig& cfg, core::EventQueue& queue,
                                              hw::PrinterWorker* printer);
  ~Services();

  // Effect::Platform: builds the request for `op` from the session data and sends it.
  void platform_call(const std::string& op, const core::SessionData& d);
  // Effect::Print: receipt/A4 fields from the session data (the print service masks personal fields).
  // `extra` fields override/extend the session's (e.g. the catalog's guide-slip fields).
  void print(const std::string& template_id, const core::SessionData& d, const std::string& service_name,
             const nlohmann::json& extra = {});

  std::size_t in_flight() const;  // platform calls + demo print jobs not yet answered
  platform::sim::PlatformSim* sim() { return sim_.get(); }
  print::DemoPrintStack* printer() { return &print_; }
  // Converts a platform response into the JSON the flow reads (no personal data added).
  static nlohmann::json reply_json(const std::string& op, const platform::Response& r);
  // wiring: the encrypted outbox (issue 8). sscard_loss_report and rating are always deferrable;
  // certification_submit only for the item codes listed in platform.toml [outbox] deferrable_items
  // (a province's policy: some certifications must be decided while the resident waits).
  std::set<std::string> deferrable_certifications;
  store::Store* outbox_store() { return store_.get(); }
  platform::OutboxSender* outbox() { return outbox_.get(); }

 private:
  Services(const core::KioskConfig& cfg, core::EventQueue& queue) : cfg_(cfg), queue_(queue) {}
  const core::KioskConfig& cfg_;
  core::EventQueue& queue_;
  std::unique_ptr<platform::sim::PlatformSim> sim_;
  std::unique_ptr<platform::PlatformClient> client_;
  print::DemoPrintStack print_;           // demo/headless
  hw::PrinterWorker* printer_ = nullptr;  // production (owned by the App's DeviceHub)
  // wiring: durable delivery; declared after client_ but stopped/reset before it in ~Services.
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<platform::Submitter> submitter_;
  std::unique_ptr<platform::OutboxSender> outbox_;
  void start_outbox();
  std::atomic<int> printing_{0};
};

}  // namespace kiosk::app
