#include "kiosk/hw/device_hub.hpp"

namespace kiosk::hw {

void DeviceHub::add(std::unique_ptr<DeviceWorker> w) {
  if (started_) w->start(queue_);
  workers_.push_back(std::move(w));
}

void DeviceHub::start_all() {
  if (started_) return;
  started_ = true;
  for (auto& w : workers_) w->start(queue_);
}

void DeviceHub::stop_all() {
  if (!started_) return;
  started_ = false;
  for (auto& w : workers_) w->stop();
}

nlohmann::json DeviceHub::status() const {
  nlohmann::json j = nlohmann::json::object();
  for (auto& w : workers_) j[w->role()] = w->status();
  return j;
}

DeviceWorker* DeviceHub::find(const std::string& role) const {
  for (auto& w : workers_)
    if (w->role() == role) return w.get();
  return nullptr;
}

}  // namespace kiosk::hw
