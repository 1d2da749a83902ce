// --demo wiring for the camera QR path: a QrWorker with demo rules and a simulated phone the
// simulator panel can "show". The frame goes through the real decoder, classifier and event path.
#pragma once

#include <memory>
#include <string>

#include "kiosk/qr/payload.hpp"
#include "kiosk/qr/qr_worker.hpp"
#include "kiosk/qr/sim/phone_screen.hpp"

namespace kiosk::qr::sim {

// config/qr.toml's rules plus a demo-only e_sscard prefix ("DEMO-ESSC-") so the panel can show both
// national codes. Production never uses these.
Rules demo_rules();
// Sample payloads the panel offers: medical_voucher, e_sscard, url, case_number (fresh random tokens).
std::string demo_payload(PayloadKind kind, unsigned seed = 0);

class DemoQrCamera {
 public:
  explicit DemoQrCamera(QrWorker& worker) : worker_(worker) {}
  // Renders `payload` on a simulated phone (dark mode, tilt etc. from opts) and submits the frame.
  void show(const std::string& payload, const PhoneScreenOptions& opts = {});
  // Hands an empty scene to the worker (the phone was taken away).
  void clear(unsigned seed = 1);

 private:
  QrWorker& worker_;
};

std::unique_ptr<QrWorker> make_demo_qr_worker();

}  // namespace kiosk::qr::sim
