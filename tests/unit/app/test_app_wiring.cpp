// kiosk/app wiring: what the App constructs from the finished libraries reaches them for real.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "kiosk/app/app.hpp"
#include "kiosk/core/mask.hpp"

namespace fs = std::filesystem;
using namespace kiosk;
using namespace std::chrono_literals;

namespace {

// The source tree's configuration with a private data_dir; SDL's dummy audio driver as the speaker.
core::KioskConfig test_config(const std::string& name) {
  ::setenv("SDL_AUDIODRIVER", "dummy", 1);
  auto cfg = core::load_config(core::source_config_dir() + "/kiosk.toml");
  cfg.config_dir = core::source_config_dir();
  auto d = fs::temp_directory_path() / ("kiosk-app-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  cfg.data_dir = d.string();
  return cfg;
}

// Waits (sleeping, bounded) until the voice has handled `n` utterances: queued to the speaker, dropped
// by a screen change, or refused. Playback itself is not awaited (the dummy driver plays in real time).
bool handled(voice::Voice& v, std::uint64_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  for (;;) {
    auto s = v.stats();
    if (s.played + s.dropped + s.refused >= n) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

}  // namespace

TEST_CASE(
    "voice: the App speaks Speak effects of real keys and the home screen on entry; personal text is "
    "refused") {
  app::App app;
  app.load(test_config("voice"), std::make_unique<core::ManualClock>());
  CHECK_FALSE(app.voice);  // cold start: the audio probe waits until after the first frame
  app.start_voice();
  REQUIRE(app.voice);

  // A Speak effect of a configured key (the session's 「再听一遍」 on home emits home.spoken).
  app.apply(app.session->handle(core::UserAction{"nav.repeat"}));
  REQUIRE(handled(*app.voice, 1));
  auto s1 = app.voice->stats();
  CHECK(s1.refused == 0);
  CHECK(s1.played == 1);

  // Entering a category screen and going home again: each screen's instruction is spoken on entry.
  const std::string cat = app.catalog.categories().at(0).id;
  app.apply(app.session->handle(core::UserAction{"home.category." + cat}));
  CHECK(app.session->screen_name() == "category");
  app.apply(app.session->handle(core::UserAction{"nav.home"}));
  REQUIRE(handled(*app.voice, 3));
  auto s2 = app.voice->stats();
  CHECK(s2.refused == 0);
  CHECK(s2.played + s2.dropped >= s1.played + 2);

  // A filled template (personal) or an unknown key never reaches the speaker.
  app.apply({{core::Effect::Kind::Speak, "home.identified"}, {core::Effect::Kind::Speak, "no.such_key"}});
  REQUIRE(handled(*app.voice, s2.played + s2.dropped + s2.refused + 2));
  auto s3 = app.voice->stats();
  CHECK(s3.refused == s2.refused + 2);
  CHECK(s3.played == s2.played);
  app.voice->stop();
}

namespace {
// Pumps the App (as the main loop does, sleeping on the queue) until `done` or 10 s.
template <class Pred>
bool pump_until(app::App& app, Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    app.queue.wait_for(50ms);
    app.pump();
  }
  return true;
}
bool logged(const app::App& app, const std::string& kind, const std::string& arg) {
  for (auto& e : app.effects_log)
    if (e["kind"] == kind && e["arg"] == arg) return true;
  return false;
}
}  // namespace

TEST_CASE("demo devices: the presenter's panel drives the simulated readers and the session is identified") {
  app::App app;
  auto cfg = test_config("devices");
  app.load(cfg, std::make_unique<core::ManualClock>());
  app.voice.reset();  // silence: not under test here
  app.start_demo_devices();
  REQUIRE(app.devices);
  CHECK(app.devices->find("idcard"));
  CHECK(app.devices->find("sscard"));
  CHECK(app.devices->find("scanner"));

  // F1: the demo ID card on the reader → the real GA 467 driver reads it from the simulator.
  REQUIRE(app.demo_panel(1));
  REQUIRE(pump_until(app, [&] { return !app.session->data().identity.empty(); }));
  const auto& who = app.session->data().identity;
  CHECK(who.source == core::IdSource::IdCard);
  CHECK(who.id_number.size() == 18);
  CHECK(logged(app, "identified", "idcard"));
  // What the screen shows is masked.
  const std::string shown = core::mask_id(who.id_number);
  CHECK(shown != who.id_number);
  CHECK(shown.find(who.id_number.substr(6, 8)) == std::string::npos);

  // F2 removes it, F3 inserts the demo SS card: the SSSE application is read over the CCID simulator.
  REQUIRE(app.demo_panel(2));
  app.apply(app.session->handle(core::UserAction{"nav.home"}));  // end the ID card session
  REQUIRE(app.demo_panel(3));
  REQUIRE(pump_until(app, [&] { return app.session->data().identity.source == core::IdSource::SsCard; }));
  CHECK(!app.session->data().identity.card_number.empty());
  REQUIRE(app.demo_panel(4));
  REQUIRE(pump_until(app, [&] { return app.session->data().identity.empty(); }));

  // F5: a demo e-voucher QR code through the scanner's classification.
  REQUIRE(app.demo_panel(5));
  REQUIRE(pump_until(app, [&] { return app.session->data().identity.source == core::IdSource::QrVoucher; }));
  CHECK(!app.session->data().identity.token.empty());
  CHECK(!app.demo_panel(9));
  app.devices->stop_all();
}

TEST_CASE("production devices: a missing reader is a DeviceFault, never a crash") {
  app::App app;
  auto cfg = test_config("prod");
  // A config dir whose device profiles point at nothing plugged in, and one without profiles at all.
  app.load(cfg, std::make_unique<core::ManualClock>());
  app.voice.reset();
  app.config.config_dir = cfg.data_dir;  // no devices/*.toml here: every worker fails to construct
  app.start_devices();
  REQUIRE(app.devices);
  int faults = 0;
  for (auto& ev : app.queue.drain())
    if (auto* d = std::get_if<core::DeviceEvent>(&ev); d && d->kind == core::DeviceEvent::Kind::DeviceFault)
      ++faults;
  CHECK(faults == 4);
  CHECK(!app.demo_panel(1));
  app.devices->stop_all();

  // The shipped profiles on this machine, where no reader is plugged in: the workers run and report it.
  app.config.config_dir = core::source_config_dir();
  app.start_devices();
  std::set<std::string> faulted;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (!(faulted.count("idcard") && faulted.count("sscard")) &&
         std::chrono::steady_clock::now() < deadline) {
    app.queue.wait_for(100ms);
    for (auto& ev : app.queue.drain())
      if (auto* d = std::get_if<core::DeviceEvent>(&ev); d && d->kind == core::DeviceEvent::Kind::DeviceFault)
        faulted.insert(d->device);
  }
  CHECK(faulted.count("idcard"));
  CHECK(faulted.count("sscard"));
  app.devices->stop_all();
}

namespace {
// The next platform.reply the Services post (bounded wait).
nlohmann::json next_reply(core::EventQueue& q) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    q.wait_for(100ms);
    for (auto& ev : q.drain())
      if (auto* c = std::get_if<core::Command>(&ev); c && c->name == "platform.reply")
        return nlohmann::json::parse(c->arg);
  }
  return nullptr;
}
}  // namespace

TEST_CASE(
    "outbox: platform down → deferred answer for the resident → platform back → delivered exactly once") {
  auto cfg = test_config("outbox");
  core::EventQueue queue;
  auto services = app::Services::demo(cfg, queue);
  REQUIRE(services->outbox_store());
  CHECK(fs::exists(cfg.data_dir + "/store.db"));
  services->deferrable_certifications.insert("KS-A013");

  core::SessionData d;
  d.item_code = "KS-A013";
  d.identity.source = core::IdSource::IdCard;
  d.identity.name = "李秀英";
  d.identity.id_number = "130102196005210029";
  d.region_code = "130100";
  d.face = {{"passed", true}, {"score", 0.95}, {"quality", 0.9}, {"actions", {"nod", "open_mouth"}}};

  platform::sim::Fault down;
  down.kind = platform::sim::Fault::Kind::Status;
  down.status = 503;
  services->sim()->inject(std::nullopt, down, 100);
  services->platform_call("certification_submit", d);
  auto reply = next_reply(queue);
  REQUIRE(reply.is_object());
  CHECK(reply["ok"] == true);
  CHECK(reply["code"] == "DEFERRED");
  CHECK(reply["message"] == platform::deferred_message().zh);
  CHECK(reply["message"] == "已受理，网络恢复后自动提交");
  CHECK(services->outbox_store()->pending_count() == 1);
  CHECK(services->sim()->certifications_for(d.identity.id_number) == 0);
  // Nothing personal in the stored label.
  auto items = services->outbox_store()->list();
  REQUIRE(items.size() == 1);
  CHECK(items[0].label.find(d.identity.id_number) == std::string::npos);

  services->sim()->clear_faults();
  auto pass = services->outbox()->deliver_due(store::now_ms() + 3'600'000);
  INFO("retry " << pass.retry << " failed " << pass.failed << " state "
                << store::to_string(services->outbox_store()->list()[0].state) << " "
                << services->outbox_store()->list()[0].last_error);
  CHECK(pass.delivered == 1);
  CHECK(services->outbox_store()->pending_count() == 0);
  CHECK(services->sim()->certifications_for(d.identity.id_number) == 1);
  // Another pass delivers nothing again.
  CHECK(services->outbox()->deliver_due(store::now_ms() + 7'200'000).delivered == 0);
  CHECK(services->sim()->certifications_for(d.identity.id_number) == 1);

  SECTION("a certification of an item not marked deferrable fails as before (the resident may retry)") {
    d.item_code = "KS-B018";
    services->sim()->inject(std::nullopt, down, 100);
    services->platform_call("certification_submit", d);
    auto r2 = next_reply(queue);
    REQUIRE(r2.is_object());
    CHECK(r2["ok"] == false);
    CHECK(r2["error"] != "");
    CHECK(services->outbox_store()->pending_count() == 0);
  }
}

TEST_CASE("fleet restart: a committed configuration makes the kiosk exit, but only between sessions") {
  app::App app;
  app.load(test_config("restart"), std::make_unique<core::ManualClock>());
  app.voice.reset();
  ui::UiOptions uo;
  uo.width = 1280;
  uo.height = 720;
  uo.headless = true;
  app.create_ui(uo);
  // A resident is browsing: the agent's commit (FleetAgent on_committed posts ops.restart) must wait.
  const std::string cat = app.catalog.categories().at(0).id;
  app.apply(app.session->handle(core::UserAction{"home.category." + cat}));
  REQUIRE(app.session->screen_name() == "category");
  app.queue.post(core::Command{"ops.restart", "/var/lib/kiosk/config-slots/b"});
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(app::run_interactive(app, 1500) == 0);
  CHECK(std::chrono::steady_clock::now() - t0 >= 1400ms);  // ran to its time limit: nobody was cut off
  CHECK(app.restart_requested);
  CHECK_FALSE(app.fleet_idle);
  CHECK(app.session->screen_name() == "category");
  // Back on the idle home screen: the loop exits for systemd to start the kiosk on the new slot.
  app.apply(app.session->handle(core::UserAction{"nav.home"}));
  const auto t1 = std::chrono::steady_clock::now();
  CHECK(app::run_interactive(app, 60000) == 0);
  CHECK(std::chrono::steady_clock::now() - t1 < 30s);
  CHECK(app.fleet_idle);
  app.ui.reset();
}
