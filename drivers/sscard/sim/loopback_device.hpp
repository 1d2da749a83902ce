// Runs a CcidDeviceModel on a thread behind two in-process loopback pairs (bulk, interrupt), so the
// real CcidReader talks to it through a StreamCcidPort. Used by tests and the --demo kiosk.
#pragma once

#include <atomic>
#include <memory>
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

 private:
  void run();
  void flush_interrupts();
  std::shared_ptr<CcidDeviceModel> model_;
  transport::LoopbackPair bulk_, intr_;
  std::mutex intr_mu_;
  std::atomic<bool> stop_{false}, plugged_{true};
  std::atomic<int> ext_delay_ms_{0};
  std::thread thread_;
};

}  // namespace kiosk::sscard::sim
