// kiosk/app wiring: what the App constructs from the finished libraries reaches them for real.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "kiosk/app/app.hpp"

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

TEST_CASE("voice: the App speaks Speak effects of real keys and the home screen on entry; personal text is refused") {
  app::App app;
  app.load(test_config("voice"), std::make_unique<core::ManualClock>());
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
