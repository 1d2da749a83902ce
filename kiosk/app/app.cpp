#include "kiosk/app/app.hpp"

#include <SDL.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "kiosk/hw/printer_worker.hpp"  // wiring
#include "kiosk/tech/wiring.hpp"        // technician hook

namespace kiosk::app {

void App::load(core::KioskConfig cfg, std::unique_ptr<core::Clock> clk) {
  config = std::move(cfg);
  clock = std::move(clk);
  strings.load_dir(config.config_dir + "/strings");
  catalog.load_dir(config.config_dir + "/catalog");
  core::SessionOptions so;
  so.timeouts = config.timeouts;
  so.default_language = config.language;
  so.default_elder_mode = config.elder_mode_default;
  session = std::make_unique<core::Session>(catalog, so, *clock);
  regions = std::make_unique<idcard::RegionTable>(
      idcard::RegionTable::load(config.config_dir + "/regions/gb2260.tsv"));
  // A broken flow file stops start-up with "file:line: reason" (main reports it as a configuration error).
  flows = std::make_unique<flow::FlowLibrary>(flow::FlowSet::load_dir(config.config_dir + "/flows"),
                                              regions.get());
  for (auto& problem : flows->flows().check(strings, catalog)) spdlog::warn("flows: {}", problem);
  session->set_flows(flows.get());
}

void App::post_not_started(const std::string& role, const std::string& why) {
  spdlog::error("device {}: not started: {}", role, why);
  core::DeviceEvent f;
  f.kind = core::DeviceEvent::Kind::DeviceFault;
  f.device = role;
  f.detail = "not started: " + why;
  queue.post(std::move(f));
}

void App::start_voice() {
  voice = voice::open_voice(config, strings);
}

void App::start_demo_services() {
  services = Services::demo(config, queue);
  demo_devices = true;  // technician hook
}

void App::start_services() {
  try {
    services = Services::production(config, queue, printer);
  } catch (const std::exception& e) {
    spdlog::error("platform services not started: {}", e.what());
  }
}

// wiring: device workers ------------------------------------------------------------------------
namespace {
constexpr const char* kDemoIdCard = "henan-resident";
constexpr const char* kDemoSsCard = "gen3";
constexpr const char* kDemoQr = "MV-410105-7f3a9c2e51d04b8e";  // a voucher the platform simulator knows
}  // namespace

void App::start_demo_devices() {
  devices = std::make_unique<hw::DeviceHub>(queue);
  const std::string dev = config.config_dir + "/devices/";
  auto id = hw::make_demo_idcard_worker(hw::load_idcard_settings(dev + "idcard-demo.toml"));
  demo_idcard = id.get();
  devices->add(std::move(id));
  auto ss = hw::make_demo_sscard_worker();
  sscard = ss.get();
  devices->add(std::move(ss));
  auto sc = hw::make_demo_scanner_worker(qr::load_rules(config.config_dir + "/qr.toml"));
  demo_scanner = sc.get();
  devices->add(std::move(sc));
  devices->start_all();  // the printer is the Services' simulated printer (start_demo_services)
}

void App::start_devices() {
  devices = std::make_unique<hw::DeviceHub>(queue);
  const std::string dev = config.config_dir + "/devices/";
  // Any failure to construct a worker (bad or missing profile) is a fault of that device, not of the kiosk.
  auto guarded = [&](const char* role, auto make) {
    try {
      devices->add(make());
    } catch (const std::exception& e) {
      post_not_started(role, e.what());
    }
  };
  guarded("idcard", [&] { return hw::make_idcard_worker(hw::load_idcard_settings(dev + "idcard.toml")); });
  guarded("sscard", [&] {
    auto w = hw::make_sscard_worker(hw::load_sscard_settings(dev + "sscard.toml"));
    sscard = w.get();
    return w;
  });
  guarded("scanner", [&] {
    const std::string prof =
        std::filesystem::exists(dev + "scanner.toml") ? dev + "scanner.toml" : dev + "scanner-hid.toml";
    return std::make_unique<hw::ScannerWorker>(hw::load_scanner_profile(prof),
                                               qr::load_rules(config.config_dir + "/qr.toml"));
  });
  guarded("printer", [&] {
    auto ps = hw::load_printer_settings(dev + "printer.toml");
    if (ps.service.data_dir.empty()) ps.service.data_dir = config.data_dir + "/print";
    ps.service.template_dir = config.config_dir + "/receipts";
    auto w = hw::make_printer_worker(ps);
    printer = w.get();
    return w;
  });
  devices->start_all();
}

void App::start_camera(bool demo, bool force_simulated) {
  try {
    CameraConfig cc = load_camera_config(config.config_dir + "/devices/camera.toml");
    auto vc = vision::load_vision_config(config.config_dir + "/vision.toml");  // model paths resolved
    const bool device_present =
        cc.source.rfind("v4l2:", 0) != 0 || std::filesystem::exists(cc.source.substr(5));
    std::unique_ptr<vision::sim::SimulatedResident> simulated;
    if (force_simulated || (demo && !device_present)) {
      simulated = std::make_unique<vision::sim::SimulatedResident>(vc);
      spdlog::info("camera: {} not present; demo uses a simulated resident (F6 cooperate, F7 photo attack)",
                   cc.source);
    }
    qr::QrWorker* qrw = nullptr;
    if (cc.qr && !simulated) {
      auto w = std::make_unique<qr::QrWorker>(qr::load_rules(config.config_dir + "/qr.toml"));
      qrw = w.get();
      if (!devices) devices = std::make_unique<hw::DeviceHub>(queue);
      devices->add(std::move(w));
      qrw->start(queue);
    }
    camera = std::make_unique<CameraService>(cc, vc, queue, qrw, std::move(simulated));
    if (ui) ui->set_face_view(camera.get());
  } catch (const std::exception& e) {
    post_not_started("camera", e.what());
  }
}

bool App::demo_panel(int n) {
  if ((n == 6 || n == 7) && camera && camera->simulated()) {
    camera->simulated()->set_mode(n == 6 ? vision::sim::SimulatedResident::Mode::Cooperative
                                         : vision::sim::SimulatedResident::Mode::Photo);
    return true;
  }
  if (!demo_idcard || !sscard || !demo_scanner) return false;
  switch (n) {
    case 1:
      return demo_idcard->place_card(kDemoIdCard);
    case 2:
      demo_idcard->remove_card();
      return true;
    case 3:
      return sscard->insert_card(kDemoSsCard);
    case 4:
      sscard->remove_card();
      return true;
    case 5:
      demo_scanner->show(kDemoQr);
      return true;
    default:
      return false;
  }
}

void App::create_ui(ui::UiOptions opts) {
  ui = std::make_unique<ui::KioskUI>(std::move(opts), config, strings, catalog, *session, *clock);
  try {  // technician hook
    tech = tech::make_app_tech_mode(
        config.config_dir, config.data_dir, demo_devices, *clock, strings, [this] { return devices.get(); },
        &queue);
    ui->set_tech(tech.get());
  } catch (const std::exception& e) {
    spdlog::error("technician mode unavailable: {}", e.what());
  }
}

void App::apply(const std::vector<core::Effect>& fx) {
  for (auto& e : fx) {
    effects_log.push_back({{"kind", core::to_string(e.kind)}, {"arg", e.arg}});
    if (voice) {  // wiring: Speak → voice; a screen change stops what is playing
      voice->on_effect(e, session->language());
      // Home and category screens carry no Speak of their own: speak their instruction on entry.
      if (e.kind == core::Effect::Kind::ScreenChanged && (e.arg == "home" || e.arg == "category"))
        voice->speak_key(session->language(), e.arg + ".spoken");
    }
    switch (e.kind) {
      case core::Effect::Kind::ScreenChanged:
        spdlog::info("screen {}", e.arg);
        if (ui) ui->on_screen_changed();
        break;
      case core::Effect::Kind::WipeSessionData:
        spdlog::info("session data wiped");
        if (fleet)
          fleet->on_session_end(session->data().item_code.empty() ? "none" : session->data().item_code,
                                session->data().transaction_number.empty() ? "ended" : "completed");
        if (camera) {  // wiring: no face evidence survives the session
          if (auto ev = camera->take_evidence()) ev->wipe();
          camera->stop_face();
        }
        if (ui) ui->on_session_end();
        break;
      case core::Effect::Kind::Speak:
        spdlog::debug("speak {}", e.arg);
        break;
      case core::Effect::Kind::CallStaff:
        spdlog::warn("staff called from screen {}", e.arg);
        if (fleet) fleet->on_staff_call("help_button");
        break;
      case core::Effect::Kind::Identified:
        spdlog::info("resident identified by {}", e.arg);
        if (fleet) fleet->on_identified(e.arg);
        break;
      case core::Effect::Kind::Log:
        spdlog::info("{}", e.arg);
        break;
      case core::Effect::Kind::Platform:
        if (services) {
          services->platform_call(e.arg, session->data());
        } else {  // no platform configured: the flow shows its platform error instead of waiting forever
          spdlog::error("platform {}: no platform client (see platform.toml)", e.arg);
          queue.post(core::Command{"platform.reply",
                                   nlohmann::json{{"op", e.arg}, {"ok", false}, {"error", "Config"}}.dump()});
        }
        break;
      case core::Effect::Kind::Print:
        if (!services) {
          spdlog::error("print {}: no print service", e.arg);
          queue.post(core::Command{"print.result", "failed no printer"});
        } else {
          const core::CatalogItem* item = catalog.item(session->data().item_code);
          nlohmann::json extra;  // the guide slip prints the item's guide, not a transaction
          if (e.arg == core::Session::kGuideSlipTemplate && item) extra = catalog.guide_slip_fields(*item);
          services->print(e.arg, session->data(), item ? item->name : session->data().item_code, extra);
        }
        break;
      case core::Effect::Kind::StartFace:
      case core::Effect::Kind::StopFace:
        spdlog::info("{} {}", core::to_string(e.kind), e.arg);
        // Without a camera (headless scripts) the script answers with `face pass|fail`.
        if (camera && e.kind == core::Effect::Kind::StartFace) camera->start_face();
        if (camera && e.kind == core::Effect::Kind::StopFace) camera->stop_face();
        break;
      case core::Effect::Kind::VerifyPin:  // the SS card checks the PIN; the digits are wiped either way
        spdlog::info("verify_pin {}", e.arg);
        if (sscard) {
          sscard->verify_pin_async(session->data().pin, queue);
        } else {
          core::secure_clear(session->data().pin);
          if (!scripted) queue.post(core::Command{"pin.result", "no_card"});  // scripts answer themselves
        }
        break;
    }
  }
  if (!fx.empty() && ui) ui->request_redraw();
}

bool App::pump() {
  bool any = false;
  for (auto& ev : queue.drain()) {
    if (fleet) feed_fleet(ev);
    // technician hook: a diagnostic finished; cards and codes go to technician mode while it is open.
    if (auto* c = std::get_if<core::Command>(&ev); c && c->name == "tech.check_done") {
      any = true;
      if (ui) ui->request_redraw();
      continue;
    }
    if (auto* d = std::get_if<core::DeviceEvent>(&ev); d && tech && tech->device_event(*d)) {
      any = true;
      continue;
    }
    if (auto* c = std::get_if<core::Command>(&ev); c && c->name == "ops.restart") {
      spdlog::info("ops: new configuration committed; restarting between sessions to load it");
      restart_requested = true;
      any = true;
      continue;
    }
    if (auto* c = std::get_if<core::Command>(&ev)) {
      // wiring: the vision worker's instruction changed: speak it and redraw (not the session's business).
      if (c->name == "face.guidance" || c->name == "face.action") {
        if (voice && c->name == "face.action") voice->speak_key(session->language(), c->arg);
        if (ui) ui->request_redraw(1);
        any = true;
        continue;
      }
      if (c->name == "face.result") {
        apply(session->handle(ev));
        attach_face_evidence();
        any = true;
        continue;
      }
    }
    apply(session->handle(ev));
    any = true;
  }
  auto fx = session->tick();
  any = any || !fx.empty();
  if (tech && tech->tick() && ui) ui->on_screen_changed();  // technician hook: idle exit
  if (tech && tech->version() != tech_version_) {           // technician hook: its screens changed
    tech_version_ = tech->version();
    if (ui) ui->request_redraw();
  }
  apply(fx);
  if (camera) camera->set_qr_scanning(wants_camera_qr());  // wiring
  return any;
}

void App::frame() {
  for (auto& a : ui->render_frame()) {
    spdlog::debug("tap {}", flow::loggable_action(a));  // pin.7 → pin.#
    apply(session->handle(core::UserAction{a}));
  }
  if (camera) camera->set_qr_scanning(wants_camera_qr());  // wiring
}

void App::feed_fleet(const core::Event& ev) {
  if (auto* c = std::get_if<core::Command>(&ev)) {
    if (c->name == "face.result") fleet->on_certification(c->arg.rfind("pass", 0) == 0);
    if (c->name == "print.result") fleet->on_receipt(c->arg == "printed");
  } else if (auto* d = std::get_if<core::DeviceEvent>(&ev)) {
    if (d->kind == core::DeviceEvent::Kind::DeviceFault) fleet->on_device_state(d->device, "fault");
    if (d->kind == core::DeviceEvent::Kind::DeviceRecovered) fleet->on_device_state(d->device, "ok");
  }
}

void App::update_fleet_idle() {
  const bool idle = session->screen().id == core::ScreenId::Home && !session->data().has_personal() &&
                    !(tech && tech->active());
  if (fleet && fleet_idle && !idle) fleet->on_session_start();
  fleet_idle = idle;
}

bool App::wants_camera_qr() const {
  auto* run = dynamic_cast<const flow::FlowRun*>(session->flow());
  if (!run || session->screen_name() != "flow.identify") return false;
  const auto& src = run->step().sources;
  return std::find(src.begin(), src.end(), "qr") != src.end();
}

void App::attach_face_evidence() {
  if (!camera) return;
  auto ev = camera->take_evidence();
  if (!ev) return;
  auto& face = session->data().face;
  // The flow has just stored the passed result; the certification submit sends the best frame.
  if (face.is_object() && face.value("passed", false)) face["image_base64"] = vision::face_jpeg_base64(*ev);
  ev->wipe();
}

namespace {
// What the screen shows; a change means a redraw.
struct ViewKey {
  core::ScreenState screen;
  std::string screen_name;  // flow steps change it without changing `screen`
  std::string notice;
  int remaining = 0;
  bool warning = false, staff = false, elder = false, identified = false;
  std::string lang;
  std::time_t minute = 0;
  bool operator==(const ViewKey&) const = default;
};
ViewKey view_of(const App& app) {
  const auto& s = *app.session;
  return {s.screen(),   s.screen_name(),       s.notice(),     s.remaining_s(),
          s.warning(),  s.staff_called(),      s.elder_mode(), s.data().has_personal(),
          s.language(), app.clock->wall() / 60};
}
}  // namespace

int run_interactive(App& app, long exit_after_ms, core::Watchdog* watchdog) {
  const Uint32 wake = SDL_RegisterEvents(1);
  SDL_StartTextInput();  // technician hook: hall names typed on a USB keyboard
  app.queue.set_waker([wake] {
    SDL_Event ev{};
    ev.type = wake;
    SDL_PushEvent(&ev);
  });
  const auto start = std::chrono::steady_clock::now();
  ViewKey last = view_of(app);
  bool running = true;
  while (running) {
    int timeout = app.ui->needs_frame()
                      ? 0
                      : static_cast<int>(std::clamp<std::int64_t>(app.ui->ms_until_change(), 1, 60'000));
    const bool face_live = app.camera && app.camera->face_active();  // wiring: live preview ~15 fps
    if (face_live) timeout = std::min(timeout, 66);
    if (app.tech && app.tech->any_checking()) timeout = std::min(timeout, 1000);  // check timeouts show
    if (watchdog && watchdog->watchdog_enabled())
      timeout = static_cast<int>(
          std::min<std::int64_t>(timeout, std::max<std::int64_t>(1, watchdog->next_due().count())));
    if (exit_after_ms > 0) {
      auto left = exit_after_ms - std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - start)
                                      .count();
      if (left <= 0) break;
      timeout = static_cast<int>(std::min<long>(timeout, left));
    }
    SDL_Event e;
    if (timeout == 0 ? SDL_PollEvent(&e) : SDL_WaitEventTimeout(&e, timeout)) {
      do {
        if (e.type == SDL_QUIT)
          running = false;
        else if (e.type == SDL_KEYDOWN && e.key.keysym.sym == SDLK_ESCAPE && (e.key.keysym.mod & KMOD_CTRL))
          running = false;
        else if (e.type == SDL_KEYDOWN && e.key.keysym.sym >= SDLK_F1 && e.key.keysym.sym <= SDLK_F7 &&
                 app.demo_panel(e.key.keysym.sym - SDLK_F1 + 1))  // wiring: presenter's demo panel
          spdlog::info("demo panel F{}", e.key.keysym.sym - SDLK_F1 + 1);
        else if (e.type == SDL_TEXTINPUT && app.tech && app.tech->wants_text()) {  // technician: USB keyboard
          app.tech->text_input(e.text.text);
          app.ui->request_redraw(1);
        } else if (e.type == SDL_KEYDOWN && app.tech && app.tech->wants_text() &&
                   (e.key.keysym.sym == SDLK_BACKSPACE || e.key.keysym.sym == SDLK_RETURN ||
                    e.key.keysym.sym == SDLK_KP_ENTER)) {
          app.tech->action(e.key.keysym.sym == SDLK_BACKSPACE ? "tech.kb.bksp" : "tech.kb.ok");
          app.ui->request_redraw(1);
        } else if (app.ui->process_event(e))
          app.ui->request_redraw(1);
      } while (SDL_PollEvent(&e));
    }
    app.pump();
    if (face_live) app.ui->request_redraw(1);
    app.update_fleet_idle();  // wiring: updates apply only between sessions
    if (app.restart_requested && app.fleet_idle) {
      spdlog::info("ops: exiting for the restart onto the new configuration");
      running = false;
    }
    ViewKey now = view_of(app);
    if (!(now == last)) {
      app.ui->request_redraw(2);
      last = now;
    }
    if (app.ui->needs_frame()) app.frame();
    if (watchdog) watchdog->tick();
  }
  if (watchdog) watchdog->stopping();
  return 0;
}

}  // namespace kiosk::app
