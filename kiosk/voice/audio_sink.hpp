// Where rendered speech goes. SdlAudioSink queues PCM on an SDL audio device (SDL converts the rate);
// tests run it with SDL_AUDIODRIVER=dummy or disk (SDL_DISKAUDIOFILE captures the exact bytes played).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace kiosk::voice {

struct AudioError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class AudioSink {
 public:
  virtual ~AudioSink() = default;
  virtual void queue(const std::vector<std::int16_t>& mono, int sample_rate) = 0;
  virtual void clear() = 0;                      // drop everything not yet played
  virtual std::size_t queued_bytes() const = 0;  // 0 when idle
};

class SdlAudioSink : public AudioSink {
 public:
  // Opens the default output device for mono int16 at `sample_rate`. Throws AudioError.
  explicit SdlAudioSink(int sample_rate);
  ~SdlAudioSink() override;
  SdlAudioSink(const SdlAudioSink&) = delete;
  SdlAudioSink& operator=(const SdlAudioSink&) = delete;
  void queue(const std::vector<std::int16_t>& mono, int sample_rate) override;
  void clear() override;
  std::size_t queued_bytes() const override;

 private:
  unsigned device_ = 0;
  int rate_;
};

}  // namespace kiosk::voice
