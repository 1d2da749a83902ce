// Rendered utterances on disk, named by a BLAKE2b hash of (engine, voice, rate, pitch, text). Writes are
// atomic (temp file + rename); a corrupt entry is treated as a miss; total size is bounded (oldest first).
#pragma once

#include <optional>
#include <string>

#include "kiosk/voice/pcm_codec.hpp"

namespace kiosk::voice {

class PcmCache {
 public:
  PcmCache(std::string dir, long long max_bytes);  // creates dir (0700)
  static std::string key_for(const std::string& engine, const std::string& voice, int rate, int pitch,
                             const std::string& text);
  std::optional<Pcm> get(const std::string& key) const;
  void put(const std::string& key, const Pcm& pcm);  // best effort: a full disk only loses the cache
  std::string path_for(const std::string& key) const;
  long long total_bytes() const;

 private:
  void purge();
  std::string dir_;
  long long max_bytes_;
};

}  // namespace kiosk::voice
