#include "kiosk/voice/audio_sink.hpp"

#include <SDL.h>

#include <string>

namespace kiosk::voice {

SdlAudioSink::SdlAudioSink(int sample_rate) : rate_(sample_rate) {
  if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0)
    throw AudioError(std::string("SDL audio init failed: ") + SDL_GetError());
  SDL_AudioSpec want{}, have{};
  want.freq = sample_rate;
  want.format = AUDIO_S16SYS;
  want.channels = 1;
  want.samples = 1024;
  device_ = SDL_OpenAudioDevice(nullptr, 0, &want, &have, 0);  // SDL converts to the device's format
  if (device_ == 0) {
    const std::string why = SDL_GetError();
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    throw AudioError("SDL audio device: " + why);
  }
  SDL_PauseAudioDevice(device_, 0);
}

SdlAudioSink::~SdlAudioSink() {
  SDL_CloseAudioDevice(device_);
  SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

void SdlAudioSink::queue(const std::vector<std::int16_t>& mono, int sample_rate) {
  if (sample_rate != rate_) throw AudioError("sample rate changed: " + std::to_string(sample_rate));
  if (mono.empty()) return;
  if (SDL_QueueAudio(device_, mono.data(), static_cast<Uint32>(mono.size() * sizeof(std::int16_t))) != 0)
    throw AudioError(std::string("SDL_QueueAudio: ") + SDL_GetError());
}

void SdlAudioSink::clear() {
  SDL_ClearQueuedAudio(device_);
}

std::size_t SdlAudioSink::queued_bytes() const {
  return SDL_GetQueuedAudioSize(device_);
}

}  // namespace kiosk::voice
