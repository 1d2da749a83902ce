#include "kiosk/app/services.hpp"

#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <ctime>
#include <filesystem>

#include "drivers/printer/sim/simulator.hpp"
#include "kiosk/app/platform_ops.hpp"
#include "kiosk/core/mask.hpp"  // wiring
#include "kiosk/platform/curl_client.hpp"
#include "kiosk/platform/messages.hpp"

namespace kiosk::app {

std::unique_ptr<Services> Services::demo(const core::KioskConfig& cfg, core::EventQueue& queue) {
  std::unique_ptr<Services> s(new Services(cfg, queue));
  s->sim_ = platform::sim::start_demo_platform(cfg.region_code);
  platform::ClientConfig cc;
  cc.base_url = s->sim_->url();
  cc.terminal_id = cfg.terminal_id;
  cc.terminal_region = cfg.region_code;
  cc.production = false;
  cc.connect_timeout = std::chrono::milliseconds(1000);
  cc.total_timeout = std::chrono::milliseconds(3000);
  cc.max_attempts = 2;
  cc.backoff_base = std::chrono::milliseconds(50);
  cc.backoff_max = std::chrono::milliseconds(200);
  s->client_ = std::make_unique<platform::CurlPlatformClient>(cc);
  print::PrintService::Options po;
  po.data_dir = cfg.data_dir + "/print";
  po.template_dir = cfg.config_dir + "/receipts";
  po.poll_interval = std::chrono::milliseconds(100);
  po.max_attempts = 1;
  std::filesystem::create_directories(po.data_dir);
  s->print_ = print::make_demo_print_service(po);
  Services* self = s.get();
  s->print_.service->set_outcome_listener([self](const print::PrintOutcome& o) {
    // Held (waiting for paper) counts as not printed for the resident: they choose retry or skip.
    self->queue_.post(core::Command{"print.result", print::flow_result(o)});
    self->printing_.fetch_sub(1);
  });
  s->print_.service->start();
  s->start_outbox();  // wiring
  return s;
}

std::unique_ptr<Services> Services::production(const core::KioskConfig& cfg, core::EventQueue& queue,
                                               hw::PrinterWorker* printer) {
  std::unique_ptr<Services> s(new Services(cfg, queue));
  const std::string toml_path = cfg.config_dir + "/platform.toml";
  platform::ClientConfig cc = platform::load_client_config(toml_path);
  // kiosk.toml is the one place the terminal's identity is provisioned.
  if (cc.terminal_id != cfg.terminal_id)
    spdlog::warn("platform.toml terminal_id {} differs from kiosk.toml {}; using kiosk.toml's",
                 cc.terminal_id, cfg.terminal_id);
  cc.terminal_id = cfg.terminal_id;
  cc.terminal_region = cfg.region_code;
  cc.production = true;
  for (const auto& e : platform::config_errors(cc)) spdlog::error("platform.toml: {}", e);
  s->client_ = std::make_unique<platform::CurlPlatformClient>(cc);
  s->printer_ = printer;
  s->start_outbox();
  spdlog::info("platform {} (terminal {}, {} deferrable certification items), printer {}", cc.base_url,
               cc.terminal_id, s->deferrable_certifications.size(), printer ? "bound" : "none");
  return s;
}

// wiring: outbox under cfg.data_dir ([outbox] of platform.toml for retention and limits).
void Services::start_outbox() {
  const std::string toml_path = cfg_.config_dir + "/platform.toml";
  try {
    auto t = toml::parse_file(toml_path);
    if (auto* arr = t["outbox"]["deferrable_items"].as_array())
      for (auto& v : *arr)
        if (auto code = v.value<std::string>()) deferrable_certifications.insert(*code);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(toml_path + ": " + std::string(e.description()));
  }
  store::StoreConfig sc = store::load_store_config(cfg_.config_dir + "/platform.toml");
  std::filesystem::create_directories(cfg_.data_dir);
  sc.db_path = cfg_.data_dir + "/store.db";
  sc.key_file = cfg_.data_dir + "/device.key";
  store_ = std::make_unique<store::Store>(sc);
  submitter_ = std::make_unique<platform::Submitter>(*client_, store_.get());
  outbox_ =
      std::make_unique<platform::OutboxSender>(*store_, *client_, platform::ClientConfig{}, submitter_.get());
  outbox_->start(std::chrono::seconds(30));
}

Services::~Services() {
  if (outbox_) outbox_->stop();  // wiring: before the client it sends through
  if (print_.service) print_.service->stop();
  client_.reset();  // cancels outstanding calls before the simulator goes
  if (print_.sim) print_.sim->stop();
}

nlohmann::json Services::reply_json(const std::string& op, const platform::Response& r) {
  const bool business = !r.error || r.error.kind == platform::ErrorKind::Rejected;
  return {{"op", op},
          {"ok", r.ok()},
          {"error", business ? "" : platform::to_string(r.error.kind)},
          {"code", business ? r.reply.code : ""},
          {"message", business ? r.reply.message : platform::explain(r.error.kind).zh},
          {"message_en", business ? r.reply.message_en : platform::explain(r.error.kind).en},
          {"transaction_number", r.reply.transaction_number},
          {"data", business ? r.reply.data : nlohmann::json::object()}};
}

void Services::platform_call(const std::string& op, const core::SessionData& d) {
  const std::string base = op.substr(0, op.find(':'));
  platform::Request rq;
  try {
    auto built = build_platform_request(op, d, cfg_.terminal_id);
    if (!built) return;
    rq = std::move(*built);
  } catch (const std::invalid_argument& e) {
    spdlog::error("{}", e.what());
    queue_.post(core::Command{"platform.reply",
                              nlohmann::json{{"op", op}, {"ok", false}, {"error", "Config"}}.dump()});
    return;
  }
  // wiring: deferrable submissions go through the outbox: written durably first, delivered later if the
  // platform cannot be reached now; the resident is told 已受理，网络恢复后自动提交.
  if (submitter_ && (base == "certification_submit" || base == "sscard_loss_report" || base == "rating")) {
    const bool allow = base != "certification_submit" || deferrable_certifications.count(d.item_code) != 0;
    const std::string label =
        base + " " + core::mask_name(d.identity.name) + " " + core::mask_id(d.identity.id_number);
    spdlog::info("platform {} submitted (request {}, deferrable {})", base, rq.request_id, allow);
    submitter_->submit(std::move(rq), allow, label, [this, op](platform::SubmitOutcome o) {
      nlohmann::json j = reply_json(op, o.response);
      if (o.kind == platform::SubmitOutcome::Kind::Deferred) {
        j["ok"] = true;
        j["error"] = "";
        j["code"] = "DEFERRED";
        j["message"] = o.message.zh;
        j["message_en"] = o.message.en;
        j["data"] = {{"status", "deferred"}};
      }
      spdlog::info("platform {} answered: {}", op,
                   o.kind == platform::SubmitOutcome::Kind::Deferred
                       ? "deferred"
                       : (o.response.error ? platform::to_string(o.response.error.kind) : "ok"));
      queue_.post(core::Command{"platform.reply", j.dump()});
    });
    return;
  }
  spdlog::info("platform {} sent (request {})", base, rq.request_id);
  client_->submit(std::move(rq), [this, op](platform::Response r) {
    spdlog::info("platform {} answered: {} {} in {} ms", op,
                 r.error ? platform::to_string(r.error.kind) : "ok", r.reply.code, r.elapsed.count());
    queue_.post(core::Command{"platform.reply", reply_json(op, r).dump()});
  });
}

void Services::print(const std::string& template_id, const core::SessionData& d,
                     const std::string& service_name, const nlohmann::json& extra) {
  nlohmann::json f = print_fields(template_id, d, service_name, cfg_);
  if (extra.is_object()) f.update(extra);
  if (!print_.service) {  // production: the printer worker answers with print.result
    if (!printer_) {
      spdlog::error("print {}: no printer configured", template_id);
      queue_.post(core::Command{"print.result", "failed no printer"});
      return;
    }
    try {
      printer_->submit(template_id, f);
    } catch (const std::exception& e) {
      spdlog::error("print {}: {}", template_id, e.what());
      queue_.post(core::Command{"print.result", "failed template"});
    }
    return;
  }
  try {
    printing_.fetch_add(1);
    print_.service->submit(template_id, f);
  } catch (const std::exception& e) {
    printing_.fetch_sub(1);
    spdlog::error("print {}: {}", template_id, e.what());
    queue_.post(core::Command{"print.result", "failed template"});
  }
}

std::size_t Services::in_flight() const {
  return client_->in_flight() + static_cast<std::size_t>(std::max(0, printing_.load()));
}

}  // namespace kiosk::app
