// kiosk/voice: the speakable-text guard, the PCM cache, espeak-ng rendering and SDL playback.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kiosk/core/catalog.hpp"
#include "kiosk/core/clock.hpp"
#include "kiosk/core/config.hpp"
#include "kiosk/core/session.hpp"
#include "kiosk/voice/voice.hpp"

namespace fs = std::filesystem;
using namespace kiosk;
using namespace kiosk::voice;
using namespace std::chrono_literals;

namespace {

core::Strings repo_strings() {
  core::Strings s;
  s.load_dir(core::source_config_dir() + "/strings");
  return s;
}

std::string fresh_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("kiosk-voice-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

// Records what reaches the audio output; plays instantly unless `hold` keeps it queued.
struct RecordingSink : AudioSink {
  std::vector<std::vector<std::int16_t>> chunks;
  mutable std::mutex mu;
  std::size_t pending = 0;
  int clears = 0;
  bool hold = false;
  void queue(const std::vector<std::int16_t>& m, int) override {
    std::lock_guard lk(mu);
    chunks.push_back(m);
    if (hold) pending += m.size() * 2;
  }
  void clear() override {
    std::lock_guard lk(mu);
    pending = 0;
    ++clears;
  }
  std::size_t queued_bytes() const override {
    std::lock_guard lk(mu);
    return pending;
  }
  void drain() {
    std::lock_guard lk(mu);
    pending = 0;
  }
};

// The real engine, counting how often it is asked to render (cache behaviour).
struct CountingTts : Synthesizer {
  EspeakSynthesizer real;
  std::atomic<int> calls{0};
  Pcm render(const std::string& t, const RenderParams& p) override {
    ++calls;
    return real.render(t, p);
  }
  std::string engine_id() const override { return real.engine_id(); }
  int sample_rate() const override { return real.sample_rate(); }
};

double rms(const std::vector<std::int16_t>& v) {
  double acc = 0;
  for (auto s : v) acc += double(s) * s;
  return v.empty() ? 0 : std::sqrt(acc / v.size());
}

VoiceConfig cfg_in(const std::string& dir) {
  VoiceConfig c = load_voice_config(core::source_config_dir() + "/voice.toml");
  c.cache_dir = dir;
  return c;
}

}  // namespace

TEST_CASE("digit runs of six or more are found, with separators and full-width digits") {
  CHECK(longest_digit_run("请稍候") == 0);
  CHECK(longest_digit_run("剩余 20 秒，12345 热线") == 5);
  CHECK(longest_digit_run("410101199001011234") == 18);
  CHECK(longest_digit_run("卡号 4101 0119 9001") == 12);
  CHECK(longest_digit_run("电话１３８００１３８０００") == 11);
  CHECK(longest_digit_run("第2步/共5步") == 1);
}

TEST_CASE("only configured, fixed, digit-free texts may be spoken") {
  const auto s = repo_strings();
  const std::vector<std::string> langs{"zh-CN", "en"};
  CHECK_FALSE(check_speakable(s, langs, "help.spoken", s.get("zh-CN", "help.spoken")));
  CHECK_FALSE(check_speakable(s, langs, "help.spoken", s.get("en", "help.spoken")));
  CHECK(check_speakable(s, langs, "no.such.key", "请稍候") == Refusal::UnknownKey);
  // A template filled with a resident's name or ID is not the configured text.
  const auto filled = s.format("zh-CN", "home.identified", {{"who", "张三丰"}});
  CHECK(check_speakable(s, langs, "home.identified", filled) == Refusal::NotFromConfig);
  CHECK(check_speakable(s, langs, "home.identified", s.get("zh-CN", "home.identified")) ==
        Refusal::Placeholder);
  CHECK(check_speakable(s, langs, "help.spoken", "请输入 410101199001011234") == Refusal::DigitRun);
  CHECK(check_speakable(s, langs, "help.spoken", "") == Refusal::Empty);
  // Even a configured text is refused when it carries a number that could be personal.
  core::Strings bad;
  bad.set("zh-CN", "x.spoken", "您的卡号是 123456");
  CHECK(check_speakable(bad, langs, "x.spoken", "您的卡号是 123456") == Refusal::DigitRun);
}

TEST_CASE("every *.spoken text in config/strings passes the guard") {
  const auto s = repo_strings();
  int n = 0;
  for (const std::string lang : {"zh-CN", "en"})
    for (const auto& k : s.keys(lang))
      if (k.size() > 7 && k.ends_with("spoken")) {
        INFO(lang << " " << k);
        CHECK_FALSE(check_speakable(s, {"zh-CN", "en"}, k, s.get(lang, k)));
        ++n;
      }
  CHECK(n >= 8);
}

TEST_CASE("voice.toml parses; bad values are named") {
  const auto c = load_voice_config(core::source_config_dir() + "/voice.toml");
  CHECK(c.voices.at("zh-CN") == "cmn");
  CHECK(c.volume_percent == 80);
  CHECK_THROWS_WITH(parse_voice_config("[voice]\nvolume_percent = 150\n", "v.toml"),
                    Catch::Contains("voice.volume_percent must be in 0..100"));
  CHECK_THROWS_WITH(parse_voice_config("[voice]\nenabled = \"yes\"\n", "v.toml"),
                    Catch::Contains("voice.enabled"));
  CHECK_THROWS_WITH(parse_voice_config("[voice\n", "v.toml"), Catch::Contains("v.toml:1"));
}

TEST_CASE("PCM cache entries round-trip and corrupt ones are rejected with a reason") {
  Pcm p{22050, {0, 1, -1, 32767, -32768}};
  const auto bytes = encode_pcm(p);
  auto back = decode_pcm(bytes);
  REQUIRE(std::holds_alternative<Pcm>(back));
  CHECK(std::get<Pcm>(back).samples == p.samples);
  CHECK(std::get<std::string>(decode_pcm(bytes.substr(0, bytes.size() - 1))) ==
        "length does not match sample count");
  CHECK(std::get<std::string>(decode_pcm("KVPCM1")) == "truncated header");
  auto wrong = bytes;
  wrong[0] = 'X';
  CHECK(std::get<std::string>(decode_pcm(wrong)) == "bad magic");
}

TEST_CASE("espeak-ng renders Mandarin speech with the cmn voice") {
  EspeakSynthesizer tts;
  const auto pcm = tts.render("您好，请点击要办理的事项", {"cmn", 150, 50});
  CHECK(pcm.sample_rate == tts.sample_rate());
  CHECK(pcm.seconds() > 1.0);
  CHECK(pcm.seconds() < 10.0);
  CHECK(rms(pcm.samples) > 300.0);  // speech, not silence
  const auto shorter = tts.render("您好", {"cmn", 150, 50});
  CHECK(shorter.seconds() < pcm.seconds());
  CHECK_THROWS_AS(tts.render("你好", {"no-such-voice", 150, 50}), TtsError);
}

TEST_CASE("a text is rendered once, then served from the disk cache, also after a restart") {
  const auto strings = repo_strings();
  const auto dir = fresh_dir("cache");
  std::vector<std::int16_t> first;
  {
    auto tts = std::make_unique<CountingTts>();
    auto* counter = tts.get();
    auto sink = std::make_unique<RecordingSink>();
    auto* rec = sink.get();
    Voice v(cfg_in(dir), strings, std::move(sink), std::move(tts));
    REQUIRE(v.speak_key("zh-CN", "help.spoken").ok());
    REQUIRE(v.wait_idle(10s));
    REQUIRE(v.speak_key("zh-CN", "help.spoken").ok());
    REQUIRE(v.wait_idle(10s));
    CHECK(counter->calls == 1);
    CHECK(v.stats().renders == 1);
    CHECK(v.stats().cache_hits == 1);
    REQUIRE(rec->chunks.size() == 2);
    CHECK(rec->chunks[0] == rec->chunks[1]);
    first = rec->chunks[0];
  }
  // Exactly one entry on disk, named by hash (not by text).
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    CHECK(e.path().extension() == ".pcm");
    CHECK(e.path().stem().string().size() == 40);
    ++files;
  }
  CHECK(files == 1);
  {
    auto tts = std::make_unique<CountingTts>();
    auto* counter = tts.get();
    auto sink = std::make_unique<RecordingSink>();
    auto* rec = sink.get();
    Voice v(cfg_in(dir), strings, std::move(sink), std::move(tts));
    REQUIRE(v.speak_key("zh-CN", "help.spoken").ok());
    REQUIRE(v.wait_idle(10s));
    CHECK(counter->calls == 0);
    REQUIRE(rec->chunks.size() == 1);
    CHECK(rec->chunks[0] == first);
  }
  // A corrupted entry is a miss: rendered again, not played as noise.
  for (const auto& e : fs::directory_iterator(dir)) fs::resize_file(e.path(), 100);
  {
    auto tts = std::make_unique<CountingTts>();
    auto* counter = tts.get();
    Voice v(cfg_in(dir), strings, std::make_unique<RecordingSink>(), std::move(tts));
    REQUIRE(v.speak_key("zh-CN", "help.spoken").ok());
    REQUIRE(v.wait_idle(10s));
    CHECK(counter->calls == 1);
  }
  fs::remove_all(dir);
}

TEST_CASE("personal text is refused and nothing reaches the speaker") {
  const auto strings = repo_strings();
  const auto dir = fresh_dir("refuse");
  auto sink = std::make_unique<RecordingSink>();
  auto* rec = sink.get();
  Voice v(cfg_in(dir), strings, std::move(sink));
  CHECK(v.speak("zh-CN", "home.identified", strings.format("zh-CN", "home.identified", {{"who", "张三丰"}}))
            .refusal == Refusal::NotFromConfig);
  CHECK(v.speak("zh-CN", "help.spoken", "身份证号 410101199001011234").refusal == Refusal::DigitRun);
  CHECK(v.speak_key("zh-CN", "resident.name").refusal == Refusal::UnknownKey);
  REQUIRE(v.wait_idle(5s));
  CHECK(rec->chunks.empty());
  CHECK(v.stats().refused == 3);
  CHECK(v.stats().renders == 0);
  fs::remove_all(dir);
}

TEST_CASE("volume scales playback; stop drops the queue; repeat replays; disabled is silent") {
  const auto strings = repo_strings();
  const auto dir = fresh_dir("control");
  auto sink = std::make_unique<RecordingSink>();
  auto* rec = sink.get();
  auto cfg = cfg_in(dir);
  cfg.volume_percent = 100;
  Voice v(cfg, strings, std::move(sink));
  REQUIRE(v.speak_key("zh-CN", "staff.spoken").ok());
  REQUIRE(v.wait_idle(10s));
  REQUIRE(rec->chunks.size() == 1);
  const auto full = rec->chunks[0];
  v.set_volume(50);
  v.repeat();  // 「再听一遍」
  REQUIRE(v.wait_idle(10s));
  REQUIRE(rec->chunks.size() == 2);
  REQUIRE(rec->chunks[1].size() == full.size());
  for (std::size_t i = 0; i < full.size(); i += 97) CHECK(rec->chunks[1][i] == full[i] * 50 / 100);

  // Screen change: the queue is dropped, the sink cleared, nothing more is played.
  const auto clears = rec->clears;
  v.speak_key("zh-CN", "help.spoken");
  v.speak_key("zh-CN", "guide.spoken");
  v.speak_key("zh-CN", "timeout.spoken");
  v.stop();
  REQUIRE(v.wait_idle(10s));
  CHECK(rec->clears > clears);
  CHECK(rec->queued_bytes() == 0);
  CHECK(rec->chunks.size() <= 3);  // at most the one being rendered when stop() came... and it is dropped
  CHECK(v.stats().played + v.stats().dropped >= 5);

  // 「再听一遍」 while the same instruction is still playing restarts it: one copy queued, not two.
  rec->hold = true;
  REQUIRE(v.speak_key("zh-CN", "help.spoken").ok());
  for (int i = 0; i < 200 && rec->queued_bytes() == 0; ++i) std::this_thread::sleep_for(5ms);
  const auto one = rec->queued_bytes();
  REQUIRE(one > 0);
  const auto clears_before = rec->clears;
  REQUIRE(v.speak_key("zh-CN", "help.spoken").ok());
  for (int i = 0; i < 200 && rec->clears == clears_before; ++i) std::this_thread::sleep_for(5ms);
  for (int i = 0; i < 200 && rec->queued_bytes() == 0; ++i) std::this_thread::sleep_for(5ms);
  CHECK(rec->clears == clears_before + 1);
  CHECK(rec->queued_bytes() == one);
  rec->hold = false;
  v.stop();

  cfg.enabled = false;
  Voice quiet(cfg, strings, std::make_unique<RecordingSink>());
  CHECK(quiet.speak_key("zh-CN", "help.spoken").status == SpeakResult::Status::Disabled);
  fs::remove_all(dir);
}

TEST_CASE("SDL audio (disk driver) plays exactly the rendered, volume-scaled samples") {
  const auto strings = repo_strings();
  const auto dir = fresh_dir("sdl");
  const auto out = dir + "/played.raw";
  ::setenv("SDL_AUDIODRIVER", "disk", 1);
  ::setenv("SDL_DISKAUDIOFILE", out.c_str(), 1);
  ::setenv("SDL_DISKAUDIODELAY", "1", 1);  // do not pace at real time
  auto cfg = cfg_in(dir + "/cache");
  cfg.volume_percent = 60;
  std::vector<std::int16_t> expected;
  {
    Voice v(cfg, strings);  // real espeak-ng + real SDL audio device
    REQUIRE(v.speak_key("zh-CN", "staff.spoken").ok());
    REQUIRE(v.wait_idle(20s));
    CHECK(v.stats().played == 1);
    PcmCache cache(cfg.cache_dir, cfg.cache_max_bytes);
    EspeakSynthesizer tts;
    auto pcm = cache.get(PcmCache::key_for(tts.engine_id(), "cmn", cfg.rate_wpm, cfg.pitch,
                                           strings.get("zh-CN", "staff.spoken")));
    REQUIRE(pcm);
    for (auto s : pcm->samples) expected.push_back(static_cast<std::int16_t>(s * 60 / 100));
  }
  ::setenv("SDL_AUDIODRIVER", "dummy", 1);
  std::ifstream f(out, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  const auto raw = ss.str();
  std::vector<std::int16_t> played(raw.size() / 2);
  std::memcpy(played.data(), raw.data(), played.size() * 2);
  INFO("played " << played.size() << " samples, expected " << expected.size());
  REQUIRE(played.size() >= expected.size());
  CHECK(std::search(played.begin(), played.end(), expected.begin(), expected.end()) != played.end());
  fs::remove_all(dir);
}

TEST_CASE("SDL audio (dummy driver): speaking the key that is playing restarts it") {
  const auto strings = repo_strings();
  const auto dir = fresh_dir("dummy");
  ::setenv("SDL_AUDIODRIVER", "dummy", 1);
  Voice v(cfg_in(dir), strings);
  REQUIRE(v.speak_key("zh-CN", "help.spoken").ok());
  // Rendering finished and queued; the dummy device plays in real time, so it is still playing.
  for (int i = 0; i < 100 && v.stats().played == 0; ++i) std::this_thread::sleep_for(20ms);
  REQUIRE(v.stats().played == 1);
  REQUIRE(v.speak_key("zh-CN", "help.spoken").ok());  // 「再听一遍」 from the session
  for (int i = 0; i < 100 && v.stats().played < 2; ++i) std::this_thread::sleep_for(20ms);
  CHECK(v.stats().played == 2);
  CHECK(v.stats().cache_hits == 1);
  v.stop();
  CHECK(v.wait_idle(2s));
  fs::remove_all(dir);
}

TEST_CASE("the App hook: a real Session's effects speak on screen entry and stop on screen change") {
  const auto strings = repo_strings();
  core::Catalog catalog;
  catalog.load_dir(core::source_config_dir() + "/catalog");
  core::ManualClock clock;
  core::Session session(catalog, core::SessionOptions{}, clock);
  const auto dir = fresh_dir("hook");
  auto sink = std::make_unique<RecordingSink>();
  auto* rec = sink.get();
  Voice v(cfg_in(dir), strings, std::move(sink));
  auto apply = [&](const std::vector<core::Effect>& fx) {
    for (const auto& e : fx) v.on_effect(e, session.language());
  };
  apply(session.handle(core::UserAction{"nav.help"}));  // ScreenChanged, then Speak help.spoken
  REQUIRE(v.wait_idle(10s));
  REQUIRE(rec->chunks.size() == 1);
  const auto clears = rec->clears;
  apply(session.handle(core::UserAction{"nav.home"}));  // leaving the screen silences it
  CHECK(rec->clears > clears);
  REQUIRE(v.wait_idle(10s));
  CHECK(v.stats().refused == 0);
  fs::remove_all(dir);
}

TEST_CASE("open_voice reads config/voice.toml and puts the cache under data_dir") {
  const auto strings = repo_strings();
  core::KioskConfig kc;
  kc.config_dir = core::source_config_dir();
  kc.data_dir = fresh_dir("open");
  ::setenv("SDL_AUDIODRIVER", "dummy", 1);
  auto v = open_voice(kc, strings);
  REQUIRE(v);
  CHECK(v->config().cache_dir == kc.data_dir + "/voice-cache");
  CHECK(v->volume() == 80);
  CHECK(fs::is_directory(kc.data_dir + "/voice-cache"));
  v.reset();
  fs::remove_all(kc.data_dir);
}
