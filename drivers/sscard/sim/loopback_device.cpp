#include "drivers/sscard/sim/loopback_device.hpp"

#include "drivers/sscard/loopback_port.hpp"

namespace kiosk::sscard::sim {

LoopbackCcidDevice::LoopbackCcidDevice(std::shared_ptr<CcidDeviceModel> model, std::string name)
    : model_(std::move(model)),
      bulk_(transport::make_loopback(name + "-bulk")),
      intr_(transport::make_loopback(name + "-intr")) {
  model_->set_interrupt_listener([this] { flush_interrupts(); });
  thread_ = std::thread([this] { run(); });
}

LoopbackCcidDevice::~LoopbackCcidDevice() {
  model_->set_interrupt_listener(nullptr);
  stop_ = true;
  bulk_.device->close();  // wakes the reader thread
  thread_.join();
}

std::unique_ptr<CcidPort> LoopbackCcidDevice::host_port() {
  return std::make_unique<StreamCcidPort>(bulk_.host, intr_.host, model_->descriptor());
}

void LoopbackCcidDevice::flush_interrupts() {
  std::lock_guard g(intr_mu_);
  for (auto& m : model_->take_interrupts()) {
    if (!plugged_) continue;
    try {
      intr_.device->write(m, Millis{200});
    } catch (const transport::TransportError&) {
    }
  }
}

void LoopbackCcidDevice::unplug() {
  plugged_ = false;
  bulk_.device->close();
  intr_.device->close();
}

void LoopbackCcidDevice::replug() {
  bulk_.device->reopen();
  intr_.device->reopen();
  plugged_ = true;
}

void LoopbackCcidDevice::run() {
  while (!stop_) {
    std::optional<Bytes> msg;
    try {
      msg = read_ccid_message(*bulk_.device, Millis{200}, 1 << 20);
    } catch (const SsCardError& e) {
      if (stop_) return;
      // Unplugged (or garbage): wait for a replug without spinning.
      std::this_thread::sleep_for(Millis{20});
      continue;
    }
    if (!msg) continue;
    auto replies = model_->handle(*msg);
    for (std::size_t i = 0; i < replies.size(); ++i) {
      if (i > 0 && ext_delay_ms_ > 0) std::this_thread::sleep_for(Millis{ext_delay_ms_.load()});
      try {
        bulk_.device->write(replies[i], Millis{1000});
      } catch (const transport::TransportError&) {
        break;
      }
    }
  }
}

}  // namespace kiosk::sscard::sim
