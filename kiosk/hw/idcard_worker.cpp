#include "kiosk/hw/idcard_worker.hpp"

#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include "drivers/idcard/sim/simulator.hpp"
#include "drivers/transport/serial.hpp"
#include "drivers/transport/usb.hpp"
#include "kiosk/core/mask.hpp"

namespace kiosk::hw {

using idcard::PollEvent;

std::string default_idcard_config_path() {
  return std::string(KIOSK_SOURCE_DIR) + "/config/devices/idcard.toml";
}

IdCardSettings load_idcard_settings(const std::string& path, const std::string& profile) {
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error("idcard config " + path + ":" + std::to_string(e.source().begin.line) + ": " +
                             std::string(e.description()));
  }
  IdCardSettings s;
  auto t = doc["idcard"];
  auto ms = [&](const char* key, idcard::Millis def) {
    return idcard::Millis(t[key].value_or<long>(def.count()));
  };
  s.poller.interval = ms("poll_interval_ms", s.poller.interval);
  s.poller.removal_misses = t["removal_misses"].value_or(s.poller.removal_misses);
  s.poller.reconnect_backoff = ms("reconnect_backoff_ms", s.poller.reconnect_backoff);
  s.poller.reader.command_timeout = ms("command_timeout_ms", s.poller.reader.command_timeout);
  s.poller.reader.read_timeout = ms("read_timeout_ms", s.poller.reader.read_timeout);
  s.poller.reader.retries = t["retries"].value_or(s.poller.reader.retries);
  s.poller.reader.read_fingerprint = t["read_fingerprint"].value_or(false);
  s.poller.reader.read_extra_address = t["read_extra_address"].value_or(false);
  if (s.poller.interval.count() < 50 || s.poller.interval.count() > 10'000)
    throw std::runtime_error("idcard config: poll_interval_ms must be 50..10000");
  s.photo.library = t["photo"]["library"].value_or(std::string());
  s.photo.symbol = t["photo"]["symbol"].value_or(std::string("unpack"));
  s.photo.flag = t["photo"]["flag"].value_or(311);

  const std::string want = profile.empty() ? t["profile"].value_or(std::string()) : profile;
  const toml::array* profiles = t["profiles"].as_array();
  if (!profiles) throw std::runtime_error("idcard config " + path + ": no [[idcard.profiles]]");
  for (auto& node : *profiles) {
    const toml::table* p = node.as_table();
    if (!p || (*p)["name"].value_or(std::string()) != want) continue;
    auto& d = s.profile;
    d.name = want;
    d.transport = (*p)["transport"].value_or(std::string());
    d.port = (*p)["port"].value_or(std::string());
    d.baud = (*p)["baud"].value_or(115200);
    d.vid = static_cast<std::uint16_t>((*p)["vid"].value_or(0));
    d.pid = static_cast<std::uint16_t>((*p)["pid"].value_or(0));
    d.interface = (*p)["interface"].value_or(0);
    d.ep_out = static_cast<std::uint8_t>((*p)["ep_out"].value_or(0x02));
    d.ep_in = static_cast<std::uint8_t>((*p)["ep_in"].value_or(0x81));
    d.usb_mode = (*p)["usb_mode"].value_or(std::string("bulk"));
    d.detach_kernel_driver = (*p)["detach_kernel_driver"].value_or(true);
    if (d.transport != "serial" && d.transport != "usb" && d.transport != "sim")
      throw std::runtime_error("idcard profile " + want + ": transport must be serial, usb or sim");
    return s;
  }
  throw std::runtime_error("idcard config " + path + ": no profile named '" + want + "'");
}

core::Identity to_identity(const idcard::IdentityDocument& doc) {
  core::Identity id;
  id.source = core::IdSource::IdCard;
  switch (doc.kind) {
    case idcard::CardKind::Resident:
      id.document = core::DocumentType::ResidentIdCard;
      break;
    case idcard::CardKind::HkMacauTaiwan:
      id.document = core::DocumentType::HkMacauTaiwanResidence;
      break;
    case idcard::CardKind::ForeignPermanent2017:
    case idcard::CardKind::ForeignPermanent2023:
      id.document = core::DocumentType::ForeignPermanentResident;
      break;
  }
  id.name = doc.name.empty() ? doc.name_en : doc.name;
  id.id_number = doc.id_number;
  id.gender = doc.gender;
  id.birth_date = doc.birth_date;
  id.region_code = doc.region_code;
  id.valid_until = doc.valid_until;
  return id;
}

IdCardWorker::IdCardWorker(idcard::CardPoller::Opener opener, IdCardSettings settings)
    : opener_(std::move(opener)), settings_(std::move(settings)) {
  try {
    decoder_ = idcard::PhotoDecoder::load(settings_.photo);
    decoder_state_ = "loaded";
  } catch (const idcard::PhotoError& e) {
    decoder_state_ = e.what();  // "photo: no decoder ..." — the kiosk works without the photo
  }
}

IdCardWorker::~IdCardWorker() {
  stop();
}

void IdCardWorker::start(core::EventQueue& queue) {
  std::lock_guard lock(mu_);
  if (running_) return;
  running_ = true;
  stop_ = false;
  state_ = "starting";
  thread_ = std::thread([this, q = &queue] { run(q); });
}

void IdCardWorker::stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  running_ = false;
  state_ = "stopped";
}

void IdCardWorker::run(core::EventQueue* queue) {
  idcard::CardPoller poller(opener_, settings_.poller);
  spdlog::info("idcard: polling every {} ms ({})", settings_.poller.interval.count(),
               settings_.profile.name.empty() ? "demo" : settings_.profile.name);
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    PollEvent ev = poller.step();
    handle(*queue, ev);
    lock.lock();
    transport_ = poller.describe();
    if (state_ == "starting" && !poller.faulted()) state_ = "ready";
    cv_.wait_for(lock, poller.next_delay(), [&] { return stop_; });
  }
}

void IdCardWorker::handle(core::EventQueue& queue, PollEvent& ev) {
  using K = core::DeviceEvent::Kind;
  auto post = [&](K kind, std::string detail = {}, core::Identity identity = {}) {
    core::DeviceEvent e;
    e.kind = kind;
    e.device = "idcard";
    e.detail = std::move(detail);
    e.identity = std::move(identity);
    queue.post(std::move(e));
  };
  switch (ev.kind) {
    case PollEvent::Kind::None:
      return;
    case PollEvent::Kind::CardRead: {
      auto& doc = ev.card->document;
      spdlog::info("idcard: {} read, name {}, id {}, region {}", idcard::to_string(doc.kind),
                   core::mask_name(doc.name.empty() ? doc.name_en : doc.name), core::mask_id(doc.id_number),
                   doc.region_code.empty() ? "-" : doc.region_code);
      if (photo_sink_) {
        std::vector<std::uint8_t> rgb;
        if (decoder_) {
          try {
            rgb = decoder_->decode(ev.card->photo_wlt);
          } catch (const idcard::PhotoError& e) {
            spdlog::warn("idcard: {}", e.what());
          }
        }
        photo_sink_(ev.card->photo_wlt, std::move(rgb));
      }
      core::Identity id = to_identity(doc);
      ev.card->wipe();
      {
        std::lock_guard lock(mu_);
        ++reads_;
        card_present_ = true;
      }
      post(K::IdCardRead, {}, std::move(id));
      return;
    }
    case PollEvent::Kind::CardRemoved: {
      {
        std::lock_guard lock(mu_);
        ++removals_;
        card_present_ = false;
      }
      spdlog::info("idcard: card removed");
      post(K::IdCardRemoved);
      return;
    }
    case PollEvent::Kind::CardError: {
      spdlog::warn("{} (lift and replace the card)", ev.detail);
      std::lock_guard lock(mu_);
      last_card_error_ = ev.detail;
      return;
    }
    case PollEvent::Kind::Fault: {
      bool was_present;
      {
        std::lock_guard lock(mu_);
        ++faults_;
        was_present = card_present_;
        card_present_ = false;
        state_ = "fault";
        last_fault_ = ev.detail;
      }
      spdlog::error("idcard: fault: {}", ev.detail);
      if (was_present) post(K::IdCardRemoved);
      post(K::DeviceFault, ev.detail);
      return;
    }
    case PollEvent::Kind::Recovered: {
      {
        std::lock_guard lock(mu_);
        state_ = "ready";
      }
      spdlog::info("{}", ev.detail);
      post(K::DeviceRecovered, ev.detail);
      return;
    }
  }
}

nlohmann::json IdCardWorker::status() const {
  std::lock_guard lock(mu_);
  return {{"state", state_},
          {"transport", transport_},
          {"profile", settings_.profile.name.empty() ? "demo" : settings_.profile.name},
          {"card_present", card_present_},
          {"reads", reads_},
          {"removals", removals_},
          {"faults", faults_},
          {"last_fault", last_fault_},
          {"last_card_error", last_card_error_},
          {"photo_decoder", decoder_state_},
          {"poll_interval_ms", settings_.poller.interval.count()}};
}

void IdCardWorker::attach_simulator(std::shared_ptr<idcard::sim::Simulator> sim) {
  sim_ = std::move(sim);
}

bool IdCardWorker::place_card(const std::string& fixture_id) {
  if (!sim_) return false;
  for (auto& c : idcard::sim::load_fixtures(idcard::sim::default_fixture_path()))
    if (c.id == fixture_id) {
      sim_->place_card(std::move(c));
      return true;
    }
  return false;
}

void IdCardWorker::remove_card() {
  if (sim_) sim_->remove_card();
}

std::vector<std::string> IdCardWorker::fixture_ids() const {
  std::vector<std::string> ids;
  if (!sim_) return ids;
  for (auto& c : idcard::sim::load_fixtures(idcard::sim::default_fixture_path())) ids.push_back(c.id);
  return ids;
}

std::unique_ptr<IdCardWorker> make_idcard_worker(const IdCardSettings& settings) {
  const auto& p = settings.profile;
  idcard::CardPoller::Opener opener;
  if (p.transport == "serial") {
    opener = [p]() -> std::unique_ptr<transport::Transport> {
      return transport::SerialPort::open(p.port, {p.baud});
    };
  } else if (p.transport == "usb") {
    transport::UsbOptions o;
    o.vid = p.vid;
    o.pid = p.pid;
    o.interface = p.interface;
    o.ep_out = p.ep_out;
    o.ep_in = p.ep_in;
    o.detach_kernel_driver = p.detach_kernel_driver;
    o.mode = p.usb_mode == "interrupt" ? transport::UsbOptions::Mode::Interrupt
             : p.usb_mode == "cdc_acm" ? transport::UsbOptions::Mode::CdcAcm
                                       : transport::UsbOptions::Mode::Bulk;
    o.cdc_baud = p.baud;
    opener = [o]() -> std::unique_ptr<transport::Transport> { return transport::UsbTransport::open(o); };
  } else if (p.transport == "sim") {
    return make_demo_idcard_worker(settings);
  } else {
    throw std::runtime_error("idcard: profile '" + p.name + "' has no usable transport");
  }
  return std::make_unique<IdCardWorker>(std::move(opener), settings);
}

std::unique_ptr<IdCardWorker> make_demo_idcard_worker(IdCardSettings settings) {
  auto sim = std::make_shared<idcard::sim::Simulator>(idcard::sim::Simulator::Link::Loopback, "idcard-demo");
  sim->set_latency(idcard::cmd::kReadBase, idcard::Millis(40));  // a real reader needs ~100 ms here
  sim->start();
  auto w = std::make_unique<IdCardWorker>([sim] { return sim->open_host(); }, std::move(settings));
  w->attach_simulator(std::move(sim));
  return w;
}

}  // namespace kiosk::hw
