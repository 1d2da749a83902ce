// The kiosk's voice: speaks a config/strings text on screen entry. speak() never blocks the caller:
// rendering (espeak-ng, cached on disk) and queueing run on the voice thread. Utterances play in order;
// stop() (screen change) drops what is queued and playing; repeat() (「再听一遍」) replays the last one.
// Only texts that pass check_speakable() are accepted: nothing personal is ever spoken.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kiosk/core/config.hpp"
#include "kiosk/core/session.hpp"
#include "kiosk/core/strings.hpp"
#include "kiosk/voice/audio_sink.hpp"
#include "kiosk/voice/guard.hpp"
#include "kiosk/voice/pcm_cache.hpp"
#include "kiosk/voice/tts.hpp"
#include "kiosk/voice/voice_config.hpp"

namespace kiosk::voice {

struct SpeakResult {
  enum class Status { Queued, Refused, Disabled };
  Status status = Status::Queued;
  std::optional<Refusal> refusal;
  bool ok() const { return status == Status::Queued; }
};

struct VoiceStats {
  std::uint64_t renders = 0, cache_hits = 0, played = 0, refused = 0, dropped = 0, errors = 0;
};

class Voice {
 public:
  // `strings` must outlive the Voice. sink/tts may be null: then SDL and espeak-ng are opened here
  // (throws AudioError / TtsError when unavailable; the kiosk then runs silent).
  Voice(VoiceConfig cfg, const core::Strings& strings, std::unique_ptr<AudioSink> sink = nullptr,
        std::unique_ptr<Synthesizer> tts = nullptr);
  ~Voice();
  Voice(const Voice&) = delete;
  Voice& operator=(const Voice&) = delete;

  // `text` is the caller's resolved text for `key` in `lang`; it must equal the configured text.
  // Speaking the key that is playing right now restarts it instead of queueing a duplicate.
  SpeakResult speak(const std::string& lang, const std::string& key, const std::string& text);
  // Resolves the text from config/strings (what the App hook calls with core::Effect::Speak's arg).
  SpeakResult speak_key(const std::string& lang, const std::string& key);
  void repeat();  // 「再听一遍」: stop, then the last accepted utterance again
  void stop();    // screen change / session end
  void set_volume(int percent);
  int volume() const;

  // The App hook: Speak → speak_key(lang, arg); ScreenChanged / WipeSessionData → stop(); others ignored.
  void on_effect(const core::Effect& e, const std::string& lang);

  // True once everything accepted so far has been rendered and played (tests, shutdown).
  bool wait_idle(std::chrono::milliseconds timeout);
  VoiceStats stats() const;
  const VoiceConfig& config() const { return cfg_; }

 private:
  struct Job {
    std::string lang, key, text;
    std::uint64_t gen;
  };
  void run();
  std::optional<Pcm> pcm_for(const Job& j);
  void enqueue_locked(Job j);

  VoiceConfig cfg_;
  const core::Strings& strings_;
  std::unique_ptr<Synthesizer> tts_;
  std::unique_ptr<AudioSink> sink_;
  std::unique_ptr<PcmCache> cache_;

  mutable std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<Job> jobs_;
  std::optional<Job> last_;
  std::string current_key_;  // last key handed to the sink
  std::uint64_t gen_ = 0;
  bool busy_ = false, quit_ = false;
  int volume_;
  VoiceStats stats_;
  std::thread thread_;
};

// For the App: config_dir/voice.toml (defaults when absent), cache in data_dir/voice-cache. Returns null,
// with the reason logged, when voice is disabled or no audio device / espeak-ng data is available: the
// kiosk then runs silent rather than failing.
std::unique_ptr<Voice> open_voice(const core::KioskConfig& cfg, const core::Strings& strings);

}  // namespace kiosk::voice
