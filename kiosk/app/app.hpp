// Wiring of one running kiosk: config, strings, catalog, session, event queue, UI.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "kiosk/core/catalog.hpp"
#include "kiosk/core/clock.hpp"
#include "kiosk/core/config.hpp"
#include "kiosk/core/events.hpp"
#include "kiosk/core/session.hpp"
#include "kiosk/core/strings.hpp"
#include "kiosk/core/watchdog.hpp"
#include "drivers/idcard/region.hpp"
#include "kiosk/app/services.hpp"
#include "kiosk/flow/run.hpp"
#include "kiosk/tech/tech_mode.hpp"  // technician hook
#include "kiosk/ui/kiosk_ui.hpp"
#include "kiosk/voice/voice.hpp"  // wiring

namespace kiosk::app {

struct App {
  core::KioskConfig config;
  core::Strings strings;
  core::Catalog catalog;
  std::unique_ptr<core::Clock> clock;
  std::unique_ptr<core::Session> session;
  core::EventQueue queue;
  std::unique_ptr<ui::KioskUI> ui;
  // Service flows (config/flows) and the region table they route with.
  std::unique_ptr<idcard::RegionTable> regions;
  std::unique_ptr<flow::FlowLibrary> flows;
  // Platform + printer behind the flows' effects; demo/headless: simulators (start_demo_services).
  std::unique_ptr<Services> services;
  // technician hook: technician mode (hidden corner hold + PIN), created by create_ui.
  std::unique_ptr<tech::TechMode> tech;
  bool demo_devices = false;  // technician hook: diagnostics use the simulators
  // wiring: spoken instructions; null when disabled or no audio device (the kiosk runs silent).
  std::unique_ptr<voice::Voice> voice;
  nlohmann::json effects_log = nlohmann::json::array();  // for the harness transcript

  // Loads strings and catalog from config.config_dir and builds the session (no UI yet).
  void load(core::KioskConfig cfg, std::unique_ptr<core::Clock> clk);
  void create_ui(ui::UiOptions opts);
  // Embedded platform simulator and simulated printer (kiosk --demo, --headless).
  void start_demo_services();
  // Routes effects to the UI, logs and (later) devices, voice and the platform.
  void apply(const std::vector<core::Effect>& fx);
  // Drains the queue, runs timers; returns true if anything happened.
  bool pump();
  // Renders one frame and feeds its taps to the session.
  void frame();
};

// Interactive loop: event-driven, idle costs nothing; wakes for systemd watchdog keep-alives when
// `watchdog` is given. Returns the exit code.
int run_interactive(App& app, long exit_after_ms, core::Watchdog* watchdog = nullptr);

// Headless script runner (kiosk --headless --script S --out DIR).
int run_script(App& app, core::ManualClock& clock, const std::string& script, const std::string& out_dir);

}  // namespace kiosk::app
