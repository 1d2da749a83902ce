// DeviceHub worker for QR scanners (role "scanner"): opens the device named by a profile
// (config/devices/scanner-*.toml), reads scans on its own thread, classifies them (config/qr.toml) and
// posts DeviceEvent{QrScanned}. Faults and recoveries are posted too; it reconnects with backoff.
// Payloads are tokens: only kiosk/core/mask.hpp forms reach the log.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "drivers/scanner/evdev_scanner.hpp"
#include "drivers/scanner/serial_scanner.hpp"
#include "drivers/scanner/usb_hid_scanner.hpp"
#include "kiosk/hw/device_worker.hpp"
#include "kiosk/qr/payload.hpp"

namespace kiosk::hw {

struct ScannerProfile {
  enum class Backend { UsbHid, Evdev, Serial, Demo };
  std::string name = "scanner";
  Backend backend = Backend::Demo;
  scanner::UsbHidConfig usb;
  scanner::EvdevConfig evdev;
  scanner::SerialConfig serial;
  std::chrono::milliseconds repeat_hold{1500};
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{10000};
};

class ProfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

ScannerProfile parse_scanner_profile(std::string_view toml_text, std::string_view source = "scanner.toml");
ScannerProfile load_scanner_profile(const std::string& path);
const char* to_string(ScannerProfile::Backend b);

class ScannerWorker : public DeviceWorker {
 public:
  using Factory = std::function<std::unique_ptr<scanner::Scanner>(const ScannerProfile&)>;
  // factory: opens the device (default: by backend). Tests and the demo pass their own.
  ScannerWorker(ScannerProfile profile, qr::Rules rules, Factory factory = {});
  ~ScannerWorker() override;

  std::string role() const override { return "scanner"; }
  void start(core::EventQueue& queue) override;
  void stop() override;
  nlohmann::json status() const override;

  // Demo / simulator panel: the payload goes through classification and events as if scanned.
  void show(std::string payload);
  // Session ended: the same code may be scanned again at once.
  void reset_repeat();

 private:
  void run();
  void handle(std::string payload);
  bool wait_or_stop(std::chrono::milliseconds d);

  ScannerProfile profile_;
  qr::Rules rules_;
  Factory factory_;
  core::EventQueue* queue_ = nullptr;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool reset_requested_ = false;
  std::deque<std::string> injected_;
  std::string state_ = "stopped";
  std::string last_error_;
  std::atomic<std::uint64_t> scans_{0}, posted_{0}, rejected_{0}, faults_{0};
};

// --demo: a scanner without hardware; show() is the simulator panel's "scan this".
std::unique_ptr<ScannerWorker> make_demo_scanner_worker(qr::Rules rules);

}  // namespace kiosk::hw
