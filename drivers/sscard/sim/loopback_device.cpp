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
  {
    std::lock_guard g(plug_mu_);
    stop_ = true;
  }
  plug_cv_.notify_all();
  bulk_.device->close();  // wakes the reader thread (a blocked read throws Disconnected)
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
  {
    std::lock_guard g(plug_mu_);
    plugged_ = false;
  }
  bulk_.device->close();
  intr_.device->close();
}

void LoopbackCcidDevice::replug() {
  bulk_.device->reopen();
  intr_.device->reopen();
  {
    std::lock_guard g(plug_mu_);
    plugged_ = true;
  }
  plug_cv_.notify_all();
}

void LoopbackCcidDevice::run() {
  // The loopback delivers each host write whole, so one long timeout covers a whole message; the
  // destructor's close() wakes an idle read at once.
  const Millis idle = transport::idle_read_timeout(*bulk_.device);
  while (!stop_) {
    std::optional<Bytes> msg;
    try {
      msg = read_ccid_message(*bulk_.device, idle, 1 << 20);
      ++wakeups_;
    } catch (const SsCardError& e) {
      ++wakeups_;
      if (stop_) return;
      std::unique_lock l(plug_mu_);
      if (!plugged_) {
        // Unplugged: sleep until replug or stop, no polling.
        plug_cv_.wait(l, [&] { return stop_ || plugged_; });
      } else {
        // Garbage from the host (or a replug race): pause briefly so it cannot spin.
        plug_cv_.wait_for(l, Millis{20}, [&] { return stop_.load(); });
      }
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
