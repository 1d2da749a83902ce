// The social security card reader on its own thread: waits for slot changes (CCID interrupt pipe or
// SCardGetStatusChange, never spinning), reads SSSE EF05/EF06 on insertion and posts
// core::DeviceEvent SsCardInserted / SsCardRemoved / DeviceFault / DeviceRecovered (device "sscard").
// PIN verification is a thread-safe call the session makes later. Logs only masked data.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "drivers/sscard/sscard_app.hpp"
#include "kiosk/hw/device_worker.hpp"

namespace kiosk::sscard::sim {
class CcidDeviceModel;
class LoopbackCcidDevice;
}  // namespace kiosk::sscard::sim

namespace kiosk::hw {

struct SsCardSettings {
  std::string backend = "ccid";  // ccid | pcsc | sim
  std::uint16_t vid = 0, pid = 0;
  int slot = 0;
  int psam_slot = -1;
  std::string psam_pcsc_reader;
  sscard::PsamOnTerminal::Options psam;
  std::string pcsc_reader;
  sscard::Millis command_timeout{3000};
  sscard::Millis event_wait{500};
  sscard::Millis reconnect_backoff{1000};
};

// Reads [sscard] from config/devices/sscard.toml (or the given file). Throws std::runtime_error.
SsCardSettings load_sscard_settings(const std::string& path);
std::string default_sscard_config_path();

// SocialSecurityCard → session Identity (source SsCard, document SocialSecurityCard).
core::Identity to_identity(const sscard::SocialSecurityCard& card);

class SsCardWorker : public DeviceWorker {
 public:
  struct Backend {
    std::unique_ptr<sscard::CardTerminal> card;
    std::unique_ptr<sscard::CardTerminal> psam;  // optional
  };
  using Opener = std::function<Backend()>;  // throws sscard::SsCardError when the reader is missing

  SsCardWorker(Opener opener, SsCardSettings settings);
  ~SsCardWorker() override;
  std::string role() const override { return "sscard"; }
  void start(core::EventQueue& queue) override;
  void stop() override;
  nlohmann::json status() const override;

  // VERIFY on the inserted card. Thread-safe; `digits` is wiped before returning.
  sscard::PinResult verify_pin(std::string digits);
  // The session's Effect::Kind::VerifyPin: takes the digits (the caller's string is wiped at once, e.g.
  // SessionData::pin), verifies on the worker's PIN thread and posts
  // Command{"pin.result", pin_result_arg(..)}. Never blocks the caller; one check at a time (a second
  // request while one runs is answered "error reason=busy").
  void verify_pin_async(std::string& digits, core::EventQueue& queue);

  // Demo mode (card model behind the CCID device model over loopback).
  bool insert_card(const std::string& fixture_id);  // "gen2", "gen3", … (tests/data/sscard/*.json)
  void remove_card();
  std::vector<std::string> fixture_ids() const;
  sscard::sim::LoopbackCcidDevice* demo_device() const { return demo_device_.get(); }
  void attach_demo(std::shared_ptr<sscard::sim::CcidDeviceModel> model,
                   std::shared_ptr<sscard::sim::LoopbackCcidDevice> device);

 private:
  void run(core::EventQueue* queue);
  void read_card(core::EventQueue& q);
  void fault(core::EventQueue& q, const std::string& detail);
  bool wait_stop(sscard::Millis d);
  void pin_loop();

  Opener opener_;
  SsCardSettings settings_;
  std::shared_ptr<sscard::sim::CcidDeviceModel> demo_model_;
  std::shared_ptr<sscard::sim::LoopbackCcidDevice> demo_device_;

  std::mutex io_mu_;  // card I/O: the worker's reads and the session's verify_pin
  Backend backend_;
  std::unique_ptr<sscard::Psam> psam_;
  std::unique_ptr<sscard::SsCardApp> app_;  // valid while a card is inserted and read

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  bool stop_ = false, running_ = false;
  std::string state_ = "stopped", last_fault_, transport_;
  bool card_present_ = false, faulted_ = false;
  unsigned long reads_ = 0, removals_ = 0, faults_ = 0, pin_checks_ = 0;
  int last_apdus_ = 0, last_generation_ = 0;

  // verify_pin_async: one pending check, run on pin_thread_ (started on first use, joined in ~SsCardWorker).
  std::mutex pin_mu_;
  std::condition_variable pin_cv_;
  std::thread pin_thread_;
  bool pin_quit_ = false, pin_pending_ = false, pin_running_ = false;
  std::string pin_digits_;
  core::EventQueue* pin_queue_ = nullptr;
};

// "ok" | "wrong tries=N" | "blocked" | "no_card" | "error reason=<invalid|card>" (the pin.result argument).
std::string pin_result_arg(const sscard::PinResult& r);

// Production: CCID over libusb or PC/SC, per settings.
std::unique_ptr<SsCardWorker> make_sscard_worker(const SsCardSettings& settings);
// kiosk --demo: card model + CCID device model over loopback (TPDU reader, card + PSAM slots).
// Drive it with insert_card("gen2") / remove_card().
std::unique_ptr<SsCardWorker> make_demo_sscard_worker(SsCardSettings settings = {});

}  // namespace kiosk::hw
