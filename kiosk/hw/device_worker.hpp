// DeviceHub side of a device: one thread per blocking device, posting core::DeviceEvent into the
// session's EventQueue. Each device folder provides a worker implementing this interface.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "kiosk/core/events.hpp"

namespace kiosk::hw {

class DeviceWorker {
 public:
  virtual ~DeviceWorker() = default;
  virtual std::string role() const = 0;             // "idcard", "sscard", "printer", "camera", "scanner"
  virtual void start(core::EventQueue& queue) = 0;  // spawns the worker thread; returns at once
  virtual void stop() = 0;                          // joins the thread; idempotent
  virtual nlohmann::json status() const = 0;        // log-safe state for diagnostics/telemetry
};

}  // namespace kiosk::hw
