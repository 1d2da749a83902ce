#include "kiosk/qr/sim/demo.hpp"

#include <random>

namespace kiosk::qr::sim {

Rules demo_rules() {
  Rules r = default_rules();
  Rule essc{"demo-e-sscard", PayloadKind::ESsCard, {"DEMO-ESSC-"}, false, 16, 1024, Charset::Base64};
  r.rules.insert(r.rules.begin() + 1, essc);
  return r;
}

std::string demo_payload(PayloadKind kind, unsigned seed) {
  std::mt19937 rng(seed ? seed : std::random_device{}());
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto token = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += kB64[rng() % 64];
    return s;
  };
  switch (kind) {
    case PayloadKind::MedicalVoucher:
      return token(64);
    case PayloadKind::ESsCard:
      return "DEMO-ESSC-" + token(40);
    case PayloadKind::Url:
      return "https://zwfw.example.gov.cn/case?id=" + std::to_string(rng() % 1000000);
    case PayloadKind::CaseNumber: {
      std::string s = "2026";
      for (int i = 0; i < 14; ++i) s += static_cast<char>('0' + rng() % 10);
      return s;
    }
    case PayloadKind::Unknown:
      break;
  }
  return "hello";
}

void DemoQrCamera::show(const std::string& payload, const PhoneScreenOptions& opts) {
  worker_.submit(render_phone_frame(payload, opts));
}

void DemoQrCamera::clear(unsigned seed) {
  worker_.submit(render_background({1280, 720}, seed));
}

std::unique_ptr<QrWorker> make_demo_qr_worker() {
  return std::make_unique<QrWorker>(demo_rules());
}

}  // namespace kiosk::qr::sim
