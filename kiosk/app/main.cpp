// kiosk: the self-service terminal. Modes: production (reads /etc/kiosk/kiosk.toml or --config),
// --demo (simulated devices, embedded platform simulator), --headless (scripted, offscreen).
#include <SDL.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "kiosk/app/app.hpp"
#include "kiosk/core/log.hpp"

using namespace kiosk;

int main(int argc, char** argv) {
  const auto t_start = std::chrono::steady_clock::now();
  CLI::App cli{"kiosk — 政务服务自助终端 (self-service terminal)"};
  bool demo = false, headless = false, windowed_fs = false;
  std::string config_path = "/etc/kiosk/kiosk.toml", window, script, out = "kiosk-out", log_level;
  long exit_after_ms = 0;
  bool print_startup = false;
  cli.add_flag("--demo", demo, "simulated devices and platform, default config from the source tree");
  cli.add_flag("--headless", headless, "no window: run --script against the offscreen driver");
  cli.add_option("--config", config_path, "kiosk.toml to use (production default /etc/kiosk/kiosk.toml)");
  cli.add_option("--window", window, "windowed WxH for development, e.g. 1920x1080");
  cli.add_option("--script", script, "headless script to run");
  cli.add_option("--out", out, "headless output directory (screenshots, transcript.json)");
  cli.add_option("--log-level", log_level, "override [log] level");
  cli.add_option("--exit-after-ms", exit_after_ms, "quit after this long (benchmarks)");
  cli.add_flag("--print-startup", print_startup, "print milliseconds from start to the first frame");
  cli.add_flag("--fullscreen", windowed_fs, "force full screen");
  CLI11_PARSE(cli, argc, argv);

  core::init_logging({"", true, false, log_level.empty() ? "info" : log_level});
  app::App app;
  core::KioskConfig cfg;
  try {
    if (demo || headless) {
      std::string p = config_path;
      if (p == "/etc/kiosk/kiosk.toml" || p.empty()) p = core::source_config_dir() + "/kiosk.toml";
      cfg = core::load_config(p);
      cfg.config_dir = core::source_config_dir();
      auto tmp = std::filesystem::temp_directory_path() / ("kiosk-demo-" + std::to_string(::getpid()));
      cfg.data_dir = tmp.string();
      cfg.fullscreen = !headless;
    } else {
      cfg = core::load_config(config_path);
      // wiring: the fleet agent decides which config tree runs (the committed A/B slot or the factory
      // tree). Off or broken ops.toml: the kiosk serves residents without it (ops see it offline).
      try {
        const std::string ops_path = ops::ops_settings_path(config_path, cfg.config_dir);
        ops::OpsSettings os = ops_path.empty() ? ops::OpsSettings{} : ops::load_ops_settings(ops_path);
        ops::AgentHooks h;
        h.between_sessions = [&app] { return app.fleet_idle.load(); };
        h.on_committed = [&app](const std::filesystem::path& d) {
          app.queue.post(core::Command{"ops.restart", d.string()});
        };
        app.fleet = std::make_unique<ops::FleetAgent>(
            os, ops::AgentIdentity{cfg.terminal_id, cfg.region_code, KIOSK_VERSION}, cfg.config_dir, h);
        cfg.config_dir = app.fleet->config_dir().string();
      } catch (const std::exception& e) {
        spdlog::error("ops: fleet agent disabled: {}", e.what());
      }
    }
  } catch (const core::ConfigLoadError& e) {
    std::fprintf(stderr, "kiosk: configuration error\n%s\n", e.what());
    return 2;
  }
  core::init_logging({cfg.log_file, true, !demo && !headless && cfg.log_journald,
                      log_level.empty() ? cfg.log_level : log_level});

  ui::UiOptions uo;
  uo.width = cfg.width_px;
  uo.height = cfg.height_px;
  uo.fullscreen = cfg.fullscreen || windowed_fs;
  uo.headless = headless;
  uo.title = demo ? "kiosk --demo" : "kiosk";
  if (!window.empty()) {
    int w = 0, h = 0;
    if (std::sscanf(window.c_str(), "%dx%d", &w, &h) != 2 || w < 320 || h < 240) {
      std::fprintf(stderr, "kiosk: --window wants WxH, e.g. 1920x1080\n");
      return 2;
    }
    uo.width = w;
    uo.height = h;
    uo.fullscreen = windowed_fs;
  }

  try {
    if (headless) {
      auto clock = std::make_unique<core::ManualClock>();
      auto* manual = clock.get();
      app.load(cfg, std::move(clock));
      app.start_voice();
      app.start_demo_services();
      app.create_ui(uo);
      if (script.empty()) {
        std::fprintf(stderr, "kiosk: --headless needs --script\n");
        return 2;
      }
      int rc = app::run_script(app, *manual, script, out);
      app.ui.reset();
      SDL_Quit();
      return rc;
    }
    auto since = [](std::chrono::steady_clock::time_point t) {
      return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
    };
    const double config_ms = since(t_start);  // CLI, kiosk.toml, fleet agent, logging
    auto t = std::chrono::steady_clock::now();
    app.load(cfg, std::make_unique<core::SystemClock>());
    const double load_ms = since(t);  // strings, catalog, flows, session
    app.demo_devices = demo;          // technician mode diagnoses the simulators in demo
    t = std::chrono::steady_clock::now();
    app.create_ui(uo);
    const double ui_ms = since(t);  // SDL window + renderer, fonts, technician mode
    t = std::chrono::steady_clock::now();
    app.frame();  // first frame: the resident sees the home screen before devices and services are up
    const double frame_ms = since(t);
    double startup_ms = since(t_start);
    app.start_voice();  // the audio probe after the first frame (cold start)
    if (demo) app.start_demo_services();
    if (demo)  // wiring: simulated readers (F1–F5 drive them); production opens the configured devices
      app.start_demo_devices();
    else {
      app.start_devices();
      app.start_services();
    }
    if (app.fleet) app.fleet->start();  // wiring: telemetry + update polling
    app.start_camera(demo);  // wiring: face capture + camera QR (demo: simulated resident without a camera)
    spdlog::info("kiosk {} started in {:.0f} ms (terminal {}, {}x{}, font atlas {:.0f} ms)",
                 demo ? "demo" : "", startup_ms, cfg.terminal_id, app.ui->width(), app.ui->height(),
                 app.ui->stats().font_build_ms);
    spdlog::info("startup phases: config {:.0f} ms, load {:.0f} ms, ui {:.0f} ms, first frame {:.0f} ms",
                 config_ms, load_ms, ui_ms, frame_ms);
    if (print_startup)
      std::printf("startup_ms %.1f\nphases_ms config %.1f load %.1f ui %.1f frame %.1f\n", startup_ms,
                  config_ms, load_ms, ui_ms, frame_ms);
    // Under systemd (Type=notify, WatchdogSec): READY=1 after the first frame, keep-alives from the loop.
    core::Watchdog watchdog;
    if (watchdog.notify_enabled()) {
      watchdog.ready();
      watchdog.status(demo ? "demo: home screen" : "home screen");
    }
    int rc = app::run_interactive(app, exit_after_ms, &watchdog);
    app.ui.reset();
    SDL_Quit();
    return rc;
  } catch (const core::ConfigLoadError& e) {
    std::fprintf(stderr, "kiosk: configuration error\n%s\n", e.what());
    return 2;
  } catch (const flow::FlowLoadError& e) {
    std::fprintf(stderr, "kiosk: configuration error\n%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    spdlog::critical("kiosk: {}", e.what());
    return 1;
  }
}
