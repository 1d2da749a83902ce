// The App's camera wiring (kiosk/app/camera.cpp): on an identify screen, camera frames reach the QR
// worker and a voucher shown to the camera becomes a QrScanned event; off the identify screen nothing
// is decoded. The "camera" is a phone-screen frame rendered by the QR simulator and saved as an image.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "drivers/camera/image_io.hpp"
#include "kiosk/app/camera.hpp"
#include "kiosk/core/config.hpp"
#include "kiosk/qr/sim/phone_screen.hpp"

using namespace kiosk;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
std::optional<core::DeviceEvent> next_scan(core::EventQueue& q, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    q.wait_for(100ms);
    for (auto& e : q.drain())
      if (auto* d = std::get_if<core::DeviceEvent>(&e); d && d->kind == core::DeviceEvent::Kind::QrScanned)
        return *d;
  }
  return std::nullopt;
}
}  // namespace

TEST_CASE("camera QR: frames reach the QR worker only while an identify screen asks for them") {
  char tmpl[] = "/tmp/kiosk_camqr_XXXXXX";
  const fs::path dir = ::mkdtemp(tmpl);
  const std::string token = "MV-410105-7f3a9c2e51d04b8e";
  REQUIRE(kiosk::camera::write_image((dir / "frame.png").string(), qr::sim::render_phone_frame(token)));

  core::EventQueue queue;
  qr::QrWorker qrw(qr::load_rules(core::source_config_dir() + "/qr.toml"));
  qrw.start(queue);
  app::CameraConfig cc;
  cc.source = "images:" + dir.string();
  cc.qr_fps = 30;
  app::CameraService cam(cc, vision::VisionConfig{}, queue, &qrw);

  // Not scanning: nothing decoded.
  CHECK_FALSE(next_scan(queue, 500ms));

  cam.set_qr_scanning(true);
  CHECK(cam.qr_scanning());
  auto scan = next_scan(queue, 10s);
  REQUIRE(scan);
  CHECK(scan->device == "camera");
  CHECK(scan->identity.token == token);

  cam.set_qr_scanning(false);
  CHECK_FALSE(cam.qr_scanning());
  qrw.stop();
  fs::remove_all(dir);
}

TEST_CASE("camera.toml: defaults when absent, malformed input refused with the file name") {
  char tmpl[] = "/tmp/kiosk_camcfg_XXXXXX";
  const fs::path dir = ::mkdtemp(tmpl);
  CHECK(app::load_camera_config((dir / "absent.toml").string()).source == "v4l2:/dev/video0");
  const auto bad = [&](const std::string& text) {
    std::ofstream((dir / "camera.toml").string()) << text;
    try {
      (void)app::load_camera_config((dir / "camera.toml").string());
      return std::string("accepted");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
  };
  CHECK(bad("[camera\nsource = 1\n").find("camera.toml") != std::string::npos);
  CHECK(bad("[camera]\nwidth = 10\n").find("out of range") != std::string::npos);
  CHECK(bad("[camera]\nqr_fps = 0\n").find("out of range") != std::string::npos);
  fs::remove_all(dir);
}
