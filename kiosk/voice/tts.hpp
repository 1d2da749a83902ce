// Text to PCM. EspeakSynthesizer drives libespeak-ng in synchronous mode (no audio device of its own);
// espeak-ng has process-global state, so every instance shares one lock.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "kiosk/voice/pcm_codec.hpp"

namespace kiosk::voice {

struct TtsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RenderParams {
  std::string voice = "cmn";
  int rate_wpm = 150;
  int pitch = 50;
};

class Synthesizer {
 public:
  virtual ~Synthesizer() = default;
  // Throws TtsError (unknown voice, engine failure).
  virtual Pcm render(const std::string& utf8_text, const RenderParams& p) = 0;
  // Identifies the engine build in the cache key, so an upgrade re-renders.
  virtual std::string engine_id() const = 0;
  virtual int sample_rate() const = 0;  // of every Pcm it renders
};

class EspeakSynthesizer : public Synthesizer {
 public:
  EspeakSynthesizer();  // throws TtsError when espeak-ng data is missing
  Pcm render(const std::string& utf8_text, const RenderParams& p) override;
  std::string engine_id() const override;
  int sample_rate() const override;
};

}  // namespace kiosk::voice
