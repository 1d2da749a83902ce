// config/voice.toml: which espeak-ng voice speaks each UI language, speed, volume, PCM cache.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace kiosk::voice {

struct VoiceConfig {
  bool enabled = true;
  std::map<std::string, std::string> voices{{"zh-CN", "cmn"}, {"en", "en"}};  // UI language → espeak voice
  int rate_wpm = 150;       // espeak words per minute (80..450)
  int pitch = 50;           // espeak 0..100
  int volume_percent = 80;  // playback gain 0..100, applied at playback (cache stays volume-free)
  std::string cache_dir;    // empty: <data_dir>/voice-cache (set by the caller)
  long long cache_max_bytes = 64LL << 20;  // oldest entries purged beyond this
  int render_timeout_ms = 5000;            // a text taking longer to render is dropped
  std::vector<std::string> languages() const;
};

// Throws std::runtime_error naming the file and key on a bad value.
VoiceConfig parse_voice_config(const std::string& text, const std::string& name);
VoiceConfig load_voice_config(const std::string& path);

}  // namespace kiosk::voice
