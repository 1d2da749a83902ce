// The ID card reader on its own thread: polls a CardPoller every interval (waiting on a condition
// variable, never spinning) and posts core::DeviceEvent IdCardRead / IdCardRemoved / DeviceFault /
// DeviceRecovered (device "idcard") into the session's EventQueue. Logs only masked data.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "drivers/idcard/photo.hpp"
#include "drivers/idcard/profile.hpp"
#include "drivers/idcard/reader.hpp"
#include "kiosk/hw/device_worker.hpp"

namespace kiosk::idcard::sim {
class Simulator;
}

namespace kiosk::hw {

struct IdCardSettings {
  idcard::PollerOptions poller;
  idcard::PhotoPluginConfig photo;
  idcard::DeviceProfile profile;
};

// Reads config/devices/idcard.toml (or the given file): [idcard] tuning, [idcard.photo], and the
// [[idcard.profiles]] entry named by `profile` (or by [idcard].profile). Throws std::runtime_error.
IdCardSettings load_idcard_settings(const std::string& path, const std::string& profile = "");
std::string default_idcard_config_path();  // KIOSK_SOURCE_DIR/config/devices/idcard.toml

// Maps a decoded document to the session's Identity (source IdCard).
core::Identity to_identity(const idcard::IdentityDocument& doc);

class IdCardWorker : public DeviceWorker {
 public:
  IdCardWorker(idcard::CardPoller::Opener opener, IdCardSettings settings);
  ~IdCardWorker() override;

  std::string role() const override { return "idcard"; }
  void start(core::EventQueue& queue) override;
  void stop() override;
  nlohmann::json status() const override;

  // Receives the 1024-byte WLT of each read (and the decoded RGB if a decoder plugin loaded) for
  // SessionData; never logged, never stored elsewhere. Set before start().
  using PhotoSink = std::function<void(std::vector<std::uint8_t> wlt, std::vector<std::uint8_t> rgb)>;
  void set_photo_sink(PhotoSink sink) { photo_sink_ = std::move(sink); }

  // Demo mode (simulator attached): place / remove a fixture card by id, list the fixture ids.
  idcard::sim::Simulator* simulator() const { return sim_.get(); }
  bool place_card(const std::string& fixture_id);
  void remove_card();
  std::vector<std::string> fixture_ids() const;
  void attach_simulator(std::shared_ptr<idcard::sim::Simulator> sim);

 private:
  void run(core::EventQueue* queue);
  void handle(core::EventQueue& queue, idcard::PollEvent& ev);

  idcard::CardPoller::Opener opener_;
  IdCardSettings settings_;
  std::unique_ptr<idcard::PhotoDecoder> decoder_;
  std::string decoder_state_;
  PhotoSink photo_sink_;
  std::shared_ptr<idcard::sim::Simulator> sim_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  bool stop_ = false, running_ = false;
  // status (under mu_)
  std::string state_ = "stopped";
  std::string last_fault_;
  std::string last_card_error_;
  std::string transport_;
  unsigned long reads_ = 0, removals_ = 0, faults_ = 0;
  bool card_present_ = false;
};

// Production: the reader described by the profile (serial or USB).
std::unique_ptr<IdCardWorker> make_idcard_worker(const IdCardSettings& settings);
// kiosk --demo: the GA 467 simulator over loopback with the fixture cards
// (tests/data/idcard/cards.json or $KIOSK_IDCARD_FIXTURES); drive it with place_card/remove_card.
std::unique_ptr<IdCardWorker> make_demo_idcard_worker(IdCardSettings settings = {});

}  // namespace kiosk::hw
