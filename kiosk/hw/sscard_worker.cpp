#include "kiosk/hw/sscard_worker.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <filesystem>

#include "drivers/sscard/pcsc_terminal.hpp"
#include "drivers/sscard/sim/loopback_device.hpp"
#include "drivers/sscard/usb_port.hpp"
#include "kiosk/core/mask.hpp"

namespace kiosk::hw {

using sscard::ErrorKind;
using sscard::Millis;
using sscard::SsCardError;

std::string default_sscard_config_path() {
  return std::string(KIOSK_SOURCE_DIR) + "/config/devices/sscard.toml";
}

SsCardSettings load_sscard_settings(const std::string& path) {
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error("sscard config " + path + ":" + std::to_string(e.source().begin.line) + ": " +
                             std::string(e.description()));
  }
  SsCardSettings s;
  auto t = doc["sscard"];
  s.backend = t["backend"].value_or(s.backend);
  if (s.backend != "ccid" && s.backend != "pcsc" && s.backend != "sim")
    throw std::runtime_error("sscard config: backend must be ccid, pcsc or sim");
  s.vid = static_cast<std::uint16_t>(t["vid"].value_or(0));
  s.pid = static_cast<std::uint16_t>(t["pid"].value_or(0));
  s.slot = t["slot"].value_or(0);
  s.psam_slot = t["psam_slot"].value_or(-1);
  s.psam_pcsc_reader = t["psam_pcsc_reader"].value_or(std::string());
  s.psam.cla = static_cast<std::uint8_t>(t["psam_cla"].value_or(0x80));
  s.psam.ins = static_cast<std::uint8_t>(t["psam_ins"].value_or(0xFA));
  s.psam.key_id = static_cast<std::uint8_t>(t["psam_key_id"].value_or(0x0A));
  s.pcsc_reader = t["pcsc_reader"].value_or(std::string());
  s.command_timeout = Millis(t["command_timeout_ms"].value_or<long>(3000));
  s.event_wait = Millis(t["event_wait_ms"].value_or<long>(500));
  s.reconnect_backoff = Millis(t["reconnect_backoff_ms"].value_or<long>(1000));
  if (s.slot < 0 || s.slot > 15) throw std::runtime_error("sscard config: slot must be 0..15");
  if (s.event_wait.count() < 10 || s.event_wait.count() > 10'000)
    throw std::runtime_error("sscard config: event_wait_ms must be 10..10000");
  return s;
}

core::Identity to_identity(const sscard::SocialSecurityCard& c) {
  core::Identity id;
  id.source = core::IdSource::SsCard;
  id.document = core::DocumentType::SocialSecurityCard;
  id.name = c.name;
  id.id_number = c.ss_number;
  id.card_number = c.card_number;
  id.region_code = c.region_code;
  id.gender = c.gender;
  id.birth_date = c.birth_date;
  id.valid_until = c.valid_until;
  return id;
}

SsCardWorker::SsCardWorker(Opener opener, SsCardSettings settings)
    : opener_(std::move(opener)), settings_(std::move(settings)) {}

SsCardWorker::~SsCardWorker() {
  {
    std::lock_guard l(pin_mu_);
    pin_quit_ = true;
  }
  pin_cv_.notify_all();
  if (pin_thread_.joinable()) pin_thread_.join();
  core::secure_clear(pin_digits_);
  stop();
}

void SsCardWorker::start(core::EventQueue& queue) {
  std::lock_guard l(mu_);
  if (running_) return;
  stop_ = false;
  running_ = true;
  state_ = "starting";
  thread_ = std::thread([this, q = &queue] { run(q); });
}

void SsCardWorker::stop() {
  {
    std::lock_guard l(mu_);
    if (!running_) return;
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::lock_guard io(io_mu_);
  app_.reset();
  psam_.reset();
  backend_ = {};
  std::lock_guard l(mu_);
  running_ = false;
  state_ = "stopped";
}

bool SsCardWorker::wait_stop(Millis d) {
  std::unique_lock l(mu_);
  return cv_.wait_for(l, d, [&] { return stop_; });
}

nlohmann::json SsCardWorker::status() const {
  std::lock_guard l(mu_);
  return {{"state", state_},
          {"transport", transport_},
          {"card_present", card_present_},
          {"reads", reads_},
          {"removals", removals_},
          {"faults", faults_},
          {"pin_checks", pin_checks_},
          {"last_fault", last_fault_},
          {"last_read_apdus", last_apdus_},
          {"last_generation", last_generation_}};
}

void SsCardWorker::fault(core::EventQueue& q, const std::string& detail) {
  const std::string safe = core::scrub(detail);
  spdlog::warn("sscard: {}", safe);
  {
    std::lock_guard l(mu_);
    last_fault_ = safe;
    ++faults_;
  }
  core::DeviceEvent e;
  e.kind = core::DeviceEvent::Kind::DeviceFault;
  e.device = "sscard";
  e.detail = safe;
  q.post(std::move(e));
}

void SsCardWorker::read_card(core::EventQueue& q) {
  std::unique_lock io(io_mu_);
  app_.reset();
  try {
    backend_.card->power_on();
    auto app = std::make_unique<sscard::SsCardApp>(*backend_.card, psam_.get());
    sscard::SocialSecurityCard card = app->read();
    core::DeviceEvent e;
    e.kind = core::DeviceEvent::Kind::SsCardInserted;
    e.device = "sscard";
    e.identity = to_identity(card);
    spdlog::info("sscard: card read: {} {} gen {} region {} ({} APDUs, {}{})", core::mask_name(card.name),
                 core::mask_id(card.ss_number), card.generation, card.region_code, app->channel().apdus(),
                 sscard::to_string(app->mode_used()),
                 card.needs_psam.empty() ? "" : ", needs PSAM for some fields");
    {
      std::lock_guard l(mu_);
      ++reads_;
      last_apdus_ = app->channel().apdus();
      last_generation_ = card.generation;
      card_present_ = true;
    }
    card.wipe();
    app_ = std::move(app);
    io.unlock();
    q.post(std::move(e));
  } catch (const SsCardError& e) {
    io.unlock();
    if (e.kind() == ErrorKind::NoCard) {  // pulled while reading: the removal event follows
      spdlog::info("sscard: card removed during read");
      return;
    }
    if (e.kind() == ErrorKind::ReaderGone) throw;
    {
      std::lock_guard l(mu_);
      card_present_ = true;
    }
    fault(q, std::string("card unreadable: ") + e.what());
  }
}

void SsCardWorker::run(core::EventQueue* queue) {
  core::EventQueue& q = *queue;
  while (true) {
    {
      std::lock_guard l(mu_);
      if (stop_) return;
    }
    if (!backend_.card) {
      try {
        Backend b = opener_();
        std::lock_guard io(io_mu_);
        backend_ = std::move(b);
        psam_.reset();
        if (backend_.psam) psam_ = std::make_unique<sscard::PsamOnTerminal>(*backend_.psam, settings_.psam);
        {
          std::lock_guard l(mu_);
          transport_ = backend_.card->describe();
          state_ = "ready";
        }
        spdlog::info("sscard: reader open: {}", backend_.card->describe());
        if (faulted_) {
          faulted_ = false;
          core::DeviceEvent e;
          e.kind = core::DeviceEvent::Kind::DeviceRecovered;
          e.device = "sscard";
          q.post(std::move(e));
        }
      } catch (const SsCardError& e) {
        if (!faulted_) {
          faulted_ = true;
          {
            std::lock_guard l(mu_);
            state_ = "no reader";
          }
          fault(q, std::string("reader unavailable: ") + e.what());
        }
        if (wait_stop(settings_.reconnect_backoff)) return;
        continue;
      }
      // A card already in the slot counts as inserted.
      try {
        if (backend_.card->card_present()) read_card(q);
      } catch (const SsCardError&) {
      }
    }
    try {
      const sscard::SlotEvent ev = backend_.card->wait_event(settings_.event_wait);
      if (ev == sscard::SlotEvent::CardInserted) {
        bool already;
        {
          std::lock_guard io(io_mu_);
          std::lock_guard l(mu_);
          already = card_present_ && app_;  // the read at open time already covered this card
        }
        if (!already) read_card(q);
      } else if (ev == sscard::SlotEvent::CardRemoved) {
        bool was;
        {
          std::lock_guard io(io_mu_);
          app_.reset();
          std::lock_guard l(mu_);
          was = card_present_;
          card_present_ = false;
          if (was) ++removals_;
        }
        if (was) {
          spdlog::info("sscard: card removed");
          core::DeviceEvent e;
          e.kind = core::DeviceEvent::Kind::SsCardRemoved;
          e.device = "sscard";
          q.post(std::move(e));
        }
      }
    } catch (const SsCardError& e) {
      if (e.kind() == ErrorKind::Timeout) continue;
      {
        std::lock_guard io(io_mu_);
        app_.reset();
        psam_.reset();
        backend_ = {};
      }
      bool was;
      {
        std::lock_guard l(mu_);
        was = card_present_;
        card_present_ = false;
        state_ = "no reader";
      }
      if (was) {
        core::DeviceEvent r;
        r.kind = core::DeviceEvent::Kind::SsCardRemoved;
        r.device = "sscard";
        q.post(std::move(r));
      }
      faulted_ = true;
      fault(q, std::string("reader lost: ") + e.what());
      if (wait_stop(settings_.reconnect_backoff)) return;
    }
  }
}

sscard::PinResult SsCardWorker::verify_pin(std::string digits) {
  std::lock_guard io(io_mu_);
  {
    std::lock_guard l(mu_);
    ++pin_checks_;
  }
  if (!app_) {
    sodium_memzero(digits.data(), digits.size());
    digits.clear();
    sscard::PinResult r;
    r.kind = sscard::PinResult::Kind::NoCard;
    r.detail = "no card";
    return r;
  }
  auto r = app_->verify_pin(digits);
  spdlog::info("sscard: PIN verify: {}{}", sscard::to_string(r.kind),
               r.tries_left >= 0 ? fmt::format(" ({} tries left)", r.tries_left) : std::string());
  return r;
}

std::string pin_result_arg(const sscard::PinResult& r) {
  using PK = sscard::PinResult::Kind;
  switch (r.kind) {
    case PK::Ok:
      return "ok";
    case PK::Wrong:
      return "wrong tries=" + std::to_string(r.tries_left);
    case PK::Blocked:
      return "blocked";
    case PK::NoCard:
      return "no_card";
    case PK::Invalid:
      return "error reason=invalid";
    case PK::Error:
      break;
  }
  return "error reason=card";
}

void SsCardWorker::verify_pin_async(std::string& digits, core::EventQueue& queue) {
  std::unique_lock l(pin_mu_);
  if (pin_pending_ || pin_running_) {
    l.unlock();
    core::secure_clear(digits);
    spdlog::warn("sscard: PIN check refused: another one is running");
    queue.post(core::Command{"pin.result", "error reason=busy"});
    return;
  }
  core::secure_clear(pin_digits_);
  pin_digits_.reserve(16);  // no reallocation that would leave a copy behind
  pin_digits_.assign(digits);
  core::secure_clear(digits);
  pin_queue_ = &queue;
  pin_pending_ = true;
  if (!pin_thread_.joinable()) pin_thread_ = std::thread([this] { pin_loop(); });
  l.unlock();
  pin_cv_.notify_all();
}

void SsCardWorker::pin_loop() {
  std::unique_lock l(pin_mu_);
  while (true) {
    pin_cv_.wait(l, [&] { return pin_quit_ || pin_pending_; });
    if (pin_quit_) return;
    std::string digits;
    digits.reserve(16);
    digits.assign(pin_digits_);
    core::secure_clear(pin_digits_);
    core::EventQueue* q = pin_queue_;
    pin_pending_ = false;
    pin_running_ = true;
    l.unlock();
    sscard::PinResult r;
    try {
      r = verify_pin(digits);  // a copy the card layer wipes; bounded by the reader's command timeout
    } catch (const std::exception& e) {
      r.kind = sscard::PinResult::Kind::Error;
      r.detail = core::scrub(e.what());
      spdlog::warn("sscard: PIN verify failed: {}", r.detail);
    }
    core::secure_clear(digits);
    l.lock();
    pin_running_ = false;  // before the answer is seen: the next request must not find us busy
    q->post(core::Command{"pin.result", pin_result_arg(r)});
  }
}

void SsCardWorker::attach_demo(std::shared_ptr<sscard::sim::CcidDeviceModel> model,
                               std::shared_ptr<sscard::sim::LoopbackCcidDevice> device) {
  demo_model_ = std::move(model);
  demo_device_ = std::move(device);
}

std::vector<std::string> SsCardWorker::fixture_ids() const {
  std::vector<std::string> ids;
  const char* env = std::getenv("KIOSK_SOURCE_DIR");
  const std::filesystem::path dir =
      std::filesystem::path(env && *env ? env : KIOSK_SOURCE_DIR) / "tests/data/sscard";
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") ids.push_back(e.path().stem().string());
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool SsCardWorker::insert_card(const std::string& fixture_id) {
  if (!demo_model_) return false;
  try {
    auto f = sscard::sim::load_named_fixture(fixture_id);
    if (demo_model_->present(0)) demo_model_->remove(0);
    demo_model_->insert(0, std::make_shared<sscard::sim::SsCardModel>(std::move(f)));
    return true;
  } catch (const std::exception& e) {
    spdlog::warn("sscard demo: cannot insert '{}': {}", fixture_id, e.what());
    return false;
  }
}

void SsCardWorker::remove_card() {
  if (demo_model_ && demo_model_->present(0)) demo_model_->remove(0);
}

std::unique_ptr<SsCardWorker> make_sscard_worker(const SsCardSettings& s) {
  if (s.backend == "sim") return make_demo_sscard_worker(s);
  SsCardWorker::Opener opener;
  if (s.backend == "pcsc") {
    opener = [s] {
      SsCardWorker::Backend b;
      b.card = std::make_unique<sscard::PcscTerminal>(sscard::PcscOptions{s.pcsc_reader});
      if (!s.psam_pcsc_reader.empty())
        b.psam = std::make_unique<sscard::PcscTerminal>(sscard::PcscOptions{s.psam_pcsc_reader});
      return b;
    };
  } else {
    opener = [s] {
      sscard::UsbCcidOptions o;
      o.vid = s.vid;
      o.pid = s.pid;
      sscard::CcidOptions co;
      co.command_timeout = s.command_timeout;
      auto reader = std::make_shared<sscard::CcidReader>(sscard::open_usb_ccid(o), co);
      SsCardWorker::Backend b;
      b.card = std::make_unique<sscard::CcidTerminal>(reader, static_cast<std::uint8_t>(s.slot));
      if (s.psam_slot >= 0)
        b.psam = std::make_unique<sscard::CcidTerminal>(reader, static_cast<std::uint8_t>(s.psam_slot));
      else if (!s.psam_pcsc_reader.empty())
        b.psam = std::make_unique<sscard::PcscTerminal>(sscard::PcscOptions{s.psam_pcsc_reader});
      return b;
    };
  }
  return std::make_unique<SsCardWorker>(std::move(opener), s);
}

std::unique_ptr<SsCardWorker> make_demo_sscard_worker(SsCardSettings s) {
  sscard::sim::CcidDeviceConfig cfg;
  cfg.level = sscard::ccid::ExchangeLevel::Tpdu;
  cfg.slots = 2;
  auto model = std::make_shared<sscard::sim::CcidDeviceModel>(cfg);
  auto device = std::make_shared<sscard::sim::LoopbackCcidDevice>(model, "sscard-demo");
  // The demo PSAM shares the gen-3 fixture's key.
  try {
    model->insert(1,
                  std::make_shared<sscard::sim::PsamModel>(sscard::sim::load_named_fixture("gen3").psam_key));
  } catch (const std::exception&) {
  }
  s.backend = "sim";
  s.psam_slot = 1;
  std::weak_ptr<sscard::sim::LoopbackCcidDevice> weak = device;
  auto opener = [weak, s] {
    auto d = weak.lock();
    if (!d) throw SsCardError(ErrorKind::ReaderGone, "demo device gone");
    sscard::CcidOptions co;
    co.command_timeout = s.command_timeout;
    auto reader = std::make_shared<sscard::CcidReader>(d->host_port(), co);
    SsCardWorker::Backend b;
    b.card = std::make_unique<sscard::CcidTerminal>(reader, 0);
    b.psam = std::make_unique<sscard::CcidTerminal>(reader, 1);
    return b;
  };
  auto w = std::make_unique<SsCardWorker>(opener, s);
  w->attach_demo(model, device);
  return w;
}

}  // namespace kiosk::hw
