// Owns the device workers of a running kiosk; starts and stops them together.
#pragma once

#include <memory>
#include <vector>

#include "kiosk/hw/device_worker.hpp"

namespace kiosk::hw {

class DeviceHub {
 public:
  explicit DeviceHub(core::EventQueue& queue) : queue_(queue) {}
  ~DeviceHub() { stop_all(); }
  void add(std::unique_ptr<DeviceWorker> w);
  void start_all();
  void stop_all();
  nlohmann::json status() const;
  DeviceWorker* find(const std::string& role) const;

 private:
  core::EventQueue& queue_;
  std::vector<std::unique_ptr<DeviceWorker>> workers_;
  bool started_ = false;
};

}  // namespace kiosk::hw
