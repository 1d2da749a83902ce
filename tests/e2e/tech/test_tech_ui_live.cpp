// Technician mode in a live kiosk App (real KioskUI, offscreen): a diagnostic runs on the check thread
// while the screen shows 检测中…, then its result; a technician card read by the demo SS card reader
// (real SsCardWorker over the CCID loopback, fixture tests/data/sscard/gen3.json) opens the menu.
#include <SDL.h>

#include "kiosk/app/app.hpp"
#include "kiosk/hw/sscard_worker.hpp"
#include "kiosk/tech/wiring.hpp"
#include "tests/e2e/tech/tech_ui_env.hpp"

using tech_ui::Env;
using namespace kiosk;

namespace {
struct Live {
  Env env;
  app::App app;
  core::ManualClock* clock = nullptr;
  explicit Live(const std::string& name, std::set<std::string> faults = {}) : env(name) {
    ::setenv("KIOSK_CONFIG_DIR", env.config.string().c_str(), 1);
    auto cfg = core::load_config((env.config / "kiosk.toml").string());
    cfg.config_dir = env.config.string();
    cfg.data_dir = (env.root / "data").string();
    auto c = std::make_unique<core::ManualClock>();
    clock = c.get();
    app.load(cfg, std::move(c));
    ui::UiOptions uo;
    uo.width = cfg.width_px;
    uo.height = cfg.height_px;
    uo.headless = true;
    app.create_ui(uo);
    // The technician mode as the running kiosk builds it, but asynchronous (no script settling).
    tech::TechWiring w;
    w.paths = tech::resolve_paths(cfg.config_dir, cfg.data_dir);
    w.demo = true;
    w.faults = std::move(faults);
    w.queue = &app.queue;
    w.notify = [q = &app.queue] { q->post(core::Command{"tech.check_done", ""}); };
    app.tech = tech::make_tech_mode(w, *app.clock, app.strings);
    app.ui->set_tech(app.tech.get());
    frames(3);
  }
  ~Live() {
    app.tech.reset();
    app.ui.reset();
    SDL_Quit();
  }
  void frames(int n) {
    for (int i = 0; i < n; ++i) {
      app.pump();
      app.ui->request_redraw(1);
      app.frame();
    }
  }
  void tap(const std::string& id) {
    clock->advance_ms(1000);
    frames(2);
    const ui::UiWidget* w = app.ui->map().find(id);
    INFO("screen " << app.ui->map().screen << ", widget " << id);
    REQUIRE(w);
    app.ui->input().inject_tap(w->box.cx(), w->box.cy(), clock->now_ms());
    frames(4);
  }
  void enter_pin_pad() {
    clock->advance_ms(1000);
    app.ui->input().inject_press(4, 4, clock->now_ms());
    frames(2);
    clock->advance_ms(5000);
    app.ui->input().inject_release(4, 4, clock->now_ms());
    frames(3);
    REQUIRE(app.ui->map().screen == "tech_pin");
  }
  bool shows(const std::string& s) const { return app.ui->map().has_text(s); }
  void shot(const std::string& name) {
    fs::create_directories(env.out);
    CHECK(app.ui->save_png((env.out / (name + ".png")).string()));
  }
};
}  // namespace

TEST_CASE("a diagnostic runs off the UI thread: 检测中… first, then the result", "[tech][e2e][async]") {
  Live l("async", {"diag.slow"});
  l.enter_pin_pad();
  for (char c : std::string("24681357")) l.tap(std::string("tech.key.") + c);
  l.tap("tech.key.ok");
  l.tap("tech.menu.diagnostics");
  REQUIRE(l.app.ui->map().screen == "tech_diagnostics");
  // Button labels and result lines name the device, not the check id.
  CHECK(l.app.ui->map().find("tech.check.printer.status")->label == "打印机状态\nPrinter status");
  auto t0 = std::chrono::steady_clock::now();
  l.tap("tech.check.printer.status");
  // The tap returned while the check still runs (it takes ≥ 1.5 s): frames keep coming, progress shows.
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1400));
  CHECK(l.app.tech->checking("printer.status"));
  CHECK(l.shows("检测中… Checking…"));
  l.shot("01-checking");
  REQUIRE(l.app.tech->wait_idle(20000));
  l.frames(3);  // the posted tech.check_done wakes the loop; tick() takes the result
  CHECK_FALSE(l.app.tech->checking("printer.status"));
  CHECK_FALSE(l.shows("检测中"));
  CHECK(l.shows("正常 OK"));
  CHECK(l.shows("printer ready"));
  l.shot("02-result");
  // A second check while the first is in flight: both show progress, both finish.
  l.tap("tech.check.system.disk");
  l.tap("tech.check.system.clock");
  CHECK(l.app.tech->checking("system.clock"));
  REQUIRE(l.app.tech->wait_idle(20000));
  l.frames(3);
  CHECK_FALSE(l.app.tech->any_checking());
  CHECK(l.shows("磁盘空间"));
}

TEST_CASE("technician card read by the demo SS card reader opens the menu", "[tech][e2e][card]") {
  // Register the gen3 fixture's card (B00000002) the way a technician does.
  std::string add_card =
      "printf 'B00000002\\n' | " + std::string(KIOSKCTL_EXE) + " provision --tech-card --config-dir ";
  Live l("card");
  REQUIRE(std::system((add_card + l.env.config.string() + " >/dev/null").c_str()) == 0);
  // Rebuild the mode so it reads the new technician.toml (the app does this at start-up).
  tech::TechWiring w;
  w.paths = tech::resolve_paths(l.env.config.string(), (l.env.root / "data").string());
  w.demo = true;
  l.app.tech = tech::make_tech_mode(w, *l.app.clock, l.app.strings);
  l.app.ui->set_tech(l.app.tech.get());
  REQUIRE(l.app.tech->hooks().check_ids.size() > 0);

  auto reader = hw::make_demo_sscard_worker();
  core::EventQueue q;
  reader->start(q);
  // Drains the reader's events into technician mode — what App::pump does while the mode is active.
  auto feed = [&](core::DeviceEvent::Kind want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      q.wait_for(std::chrono::milliseconds(200));
      for (auto& ev : q.drain())
        if (auto* d = std::get_if<core::DeviceEvent>(&ev)) {
          bool consumed = l.app.tech->device_event(*d);
          if (d->kind == want) return consumed;
        }
    }
    FAIL("no event from the demo SS card reader");
    return false;
  };
  // Not in technician mode: the card is the resident's business.
  REQUIRE(reader->insert_card("gen3"));
  CHECK_FALSE(feed(core::DeviceEvent::Kind::SsCardInserted));
  reader->remove_card();
  feed(core::DeviceEvent::Kind::SsCardRemoved);

  l.enter_pin_pad();
  CHECK(l.shows("维护卡"));
  l.shot("01-pin-pad");
  REQUIRE(reader->insert_card("gen2"));  // not a technician card
  CHECK(feed(core::DeviceEvent::Kind::SsCardInserted));
  l.frames(3);
  CHECK(l.app.ui->map().screen == "tech_pin");
  CHECK(l.shows("此卡不是维护卡"));
  reader->remove_card();
  feed(core::DeviceEvent::Kind::SsCardRemoved);
  REQUIRE(reader->insert_card("gen3"));
  CHECK(feed(core::DeviceEvent::Kind::SsCardInserted));
  l.frames(3);
  CHECK(l.app.ui->map().screen == "tech_menu");
  l.shot("02-menu-by-card");
  reader->stop();
  auto audit = kiosk::tech::read_text(w.paths.audit_log);
  CHECK(audit.find("technician card B0*****02") != std::string::npos);
  CHECK(audit.find("B00000002") == std::string::npos);
}
