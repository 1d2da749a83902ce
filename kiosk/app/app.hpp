// Wiring of one running kiosk: config, strings, catalog, session, event queue, UI.
#pragma once

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "drivers/idcard/region.hpp"
#include "kiosk/app/camera.hpp"  // wiring
#include "kiosk/app/services.hpp"
#include "kiosk/core/catalog.hpp"
#include "kiosk/core/clock.hpp"
#include "kiosk/core/config.hpp"
#include "kiosk/core/events.hpp"
#include "kiosk/core/session.hpp"
#include "kiosk/core/strings.hpp"
#include "kiosk/core/watchdog.hpp"
#include "kiosk/flow/run.hpp"
#include "kiosk/hw/device_hub.hpp"      // wiring
#include "kiosk/hw/idcard_worker.hpp"   // wiring
#include "kiosk/hw/printer_worker.hpp"  // wiring
#include "kiosk/hw/scanner_worker.hpp"  // wiring
#include "kiosk/hw/sscard_worker.hpp"   // wiring
#include "kiosk/ops/agent.hpp"          // wiring
#include "kiosk/tech/tech_mode.hpp"     // technician hook
#include "kiosk/ui/kiosk_ui.hpp"
#include "kiosk/voice/voice.hpp"  // wiring

namespace kiosk::app {

struct App {
  App() = default;
  App(const App&) = delete;
  App& operator=(const App&) = delete;
  // Technician mode first: a check in flight may restart a paused device worker.
  ~App() { tech.reset(); }
  core::KioskConfig config;
  core::Strings strings;
  core::Catalog catalog;
  std::unique_ptr<core::Clock> clock;
  std::unique_ptr<core::Session> session;
  core::EventQueue queue;
  // wiring: fleet agent (ops.toml: config updates + MQTT telemetry); production only, null when off.
  // Its hooks run on its own thread: they read fleet_idle and post "ops.restart" to the queue.
  std::unique_ptr<ops::FleetAgent> fleet;
  std::atomic<bool> fleet_idle{false}, restart_requested{false};
  std::unique_ptr<ui::KioskUI> ui;
  // Service flows (config/flows) and the region table they route with.
  std::unique_ptr<idcard::RegionTable> regions;
  std::unique_ptr<flow::FlowLibrary> flows;
  // Platform + printer behind the flows' effects; demo/headless: simulators (start_demo_services).
  std::unique_ptr<Services> services;
  // technician hook: technician mode (hidden corner hold + PIN), created by create_ui.
  std::unique_ptr<tech::TechMode> tech;
  std::uint64_t tech_version_ = 0;  // technician hook: redraw when its screens change
  bool demo_devices = false;        // technician hook: diagnostics use the simulators
  bool scripted = false;            // headless script: the script answers device work (face, PIN)
  // wiring: spoken instructions; null when disabled or no audio device (the kiosk runs silent).
  std::unique_ptr<voice::Voice> voice;
  nlohmann::json effects_log = nlohmann::json::array();  // for the harness transcript
  // wiring: the device workers (post into `queue`); declared last so they stop before anything they use.
  std::unique_ptr<hw::DeviceHub> devices;
  hw::SsCardWorker* sscard = nullptr;       // PIN verification (demo or production reader)
  hw::IdCardWorker* demo_idcard = nullptr;  // kiosk --demo: the presenter's panel drives these
  hw::ScannerWorker* demo_scanner = nullptr;
  hw::PrinterWorker* printer = nullptr;  // production receipt/A4 printer (owned by devices)
  // wiring: camera (face capture + camera QR); after `devices` so it stops before the QrWorker it feeds.
  std::unique_ptr<CameraService> camera;

  // Loads strings and catalog from config.config_dir and builds the session (no UI yet).
  void load(core::KioskConfig cfg, std::unique_ptr<core::Clock> clk);
  void create_ui(ui::UiOptions opts);
  // wiring: voice from voice.toml (the audio probe; the kiosk calls it after the first frame).
  // A kiosk without audio runs silent, logged.
  void start_voice();
  // Embedded platform simulator and simulated printer (kiosk --demo, --headless).
  void start_demo_services();
  // Production: platform client + outbox from platform.toml, printing through the printer worker.
  // Call after start_devices(). A broken platform.toml is logged and the kiosk runs without services
  // (flows then fail with a clear message at their platform step).
  void start_services();
  // wiring: kiosk --demo: simulated ID card reader, SS card reader and QR scanner, started.
  void start_demo_devices();
  // wiring: production: the readers named in <config_dir>/devices/*.toml; a device that cannot be
  // opened is reported as a DeviceFault event, never a crash.
  void start_devices();
  // wiring: the camera from <config_dir>/devices/camera.toml. demo: a simulated resident when the
  // configured camera is absent. A camera QR worker joins `devices` when QR scanning is enabled.
  void start_camera(bool demo, bool force_simulated = false);
  // A device that could not be constructed: logged and reported as DeviceFault, never a crash.
  void post_not_started(const std::string& role, const std::string& why);
  // wiring: the presenter's demo panel: 1 place the demo ID card, 2 remove it, 3 insert the demo SS
  // card, 4 remove it, 5 show a demo e-voucher QR code. False when not in demo or n is unknown.
  bool demo_panel(int n);
  // Routes effects to the UI, logs and (later) devices, voice and the platform.
  void apply(const std::vector<core::Effect>& fx);
  // Drains the queue, runs timers; returns true if anything happened.
  bool pump();
  // Renders one frame and feeds its taps to the session.
  void frame();
  // wiring: fleet telemetry from the queue's events (never the detail texts).
  void feed_fleet(const core::Event& ev);
  // wiring: fleet_idle = home screen, no resident data, no technician; counts session starts.
  void update_fleet_idle();
  // wiring: an identify step that accepts QR codes is on screen (the camera decodes while it is).
  bool wants_camera_qr() const;
  // wiring: after face.result: the best evidence frame into SessionData::face["image_base64"].
  void attach_face_evidence();
};

// Interactive loop: event-driven, idle costs nothing; wakes for systemd watchdog keep-alives when
// `watchdog` is given. Returns the exit code.
int run_interactive(App& app, long exit_after_ms, core::Watchdog* watchdog = nullptr);

// Headless script runner (kiosk --headless --script S --out DIR).
int run_script(App& app, core::ManualClock& clock, const std::string& script, const std::string& out_dir);

}  // namespace kiosk::app
