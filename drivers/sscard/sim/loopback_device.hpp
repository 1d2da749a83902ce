// Runs a CcidDeviceModel on a thread behind two in-process loopback pairs (bulk, interrupt), so the
// real CcidReader talks to it through a StreamCcidPort. Used by tests and the --demo kiosk.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "drivers/sscard/ccid_reader.hpp"
#include "drivers/sscard/sim/ccid_device.hpp"
#include "drivers/transport/loopback.hpp"

namespace kiosk::sscard::sim {

class LoopbackCcidDevice {
 public:
  explicit LoopbackCcidDevice(std::shared_ptr<CcidDeviceModel> model, std::string name = "sscard");
  ~LoopbackCcidDevice();
  LoopbackCcidDevice(const LoopbackCcidDevice&) = delete;
  LoopbackCcidDevice& operator=(const LoopbackCcidDevice&) = delete;

  // A new host-side port on the shared endpoints (one owner at a time).
  std::unique_ptr<CcidPort> host_port();
  CcidDeviceModel& model() { return *model_; }
  void unplug();  // the host sees ReaderGone
  void replug();
  bool plugged() const { return plugged_; }
  // Delay between time-extension frames (emulates a slow card).
  void set_extension_delay(Millis d) { ext_delay_ms_ = static_cast<int>(d.count()); }
  // Times the device thread woke up (a message, a timeout, an unplug/replug); for tests showing an
  // idle device does not wake periodically.
  std::uint64_t wakeups() const { return wakeups_; }

 private:
  void run();
  void flush_interrupts();
  std::shared_ptr<CcidDeviceModel> model_;
  transport::LoopbackPair bulk_, intr_;
  std::mutex intr_mu_;
  std::mutex plug_mu_;
  std::condition_variable plug_cv_;  // unplugged thread waits here for replug / stop
  std::atomic<bool> stop_{false}, plugged_{true};
  std::atomic<std::uint64_t> wakeups_{0};
  std::atomic<int> ext_delay_ms_{0};
  std::thread thread_;
};

}  // namespace kiosk::sscard::sim
