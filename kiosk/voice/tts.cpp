#include "kiosk/voice/tts.hpp"

#include <espeak-ng/speak_lib.h>

#include <mutex>
#include <vector>

namespace kiosk::voice {
namespace {
std::mutex g_mu;  // espeak-ng is one global engine
int g_rate = 0;   // sample rate once initialised

int on_samples(short* wav, int n, espeak_EVENT* ev) {
  if (!wav || n <= 0 || !ev) return 0;
  auto* out = static_cast<std::vector<std::int16_t>*>(ev->user_data);
  if (out) out->insert(out->end(), wav, wav + n);
  return out && out->size() > kMaxPcmSamples ? 1 : 0;  // 1 aborts a runaway synthesis
}
}  // namespace

EspeakSynthesizer::EspeakSynthesizer() {
  std::lock_guard lk(g_mu);
  if (g_rate > 0) return;
  const int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, 0);
  if (rate <= 0) throw TtsError("espeak-ng: initialisation failed (is espeak-ng-data installed?)");
  espeak_SetSynthCallback(on_samples);
  g_rate = rate;
}

Pcm EspeakSynthesizer::render(const std::string& text, const RenderParams& p) {
  std::lock_guard lk(g_mu);
  if (espeak_SetVoiceByName(p.voice.c_str()) != EE_OK)
    throw TtsError("espeak-ng: unknown voice '" + p.voice + "'");
  espeak_SetParameter(espeakRATE, p.rate_wpm, 0);
  espeak_SetParameter(espeakPITCH, p.pitch, 0);
  espeak_SetParameter(espeakVOLUME, 100, 0);
  Pcm out;
  out.sample_rate = g_rate;
  const auto rc = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr,
                               &out.samples);
  if (rc != EE_OK)
    throw TtsError("espeak-ng: synthesis failed (" + std::to_string(static_cast<int>(rc)) + ")");
  espeak_Synchronize();
  if (out.samples.size() > kMaxPcmSamples) throw TtsError("espeak-ng: utterance too long");
  return out;
}

std::string EspeakSynthesizer::engine_id() const {
  const char* path = nullptr;
  const char* ver = espeak_Info(&path);
  return std::string("espeak-ng ") + (ver ? ver : "?");
}

int EspeakSynthesizer::sample_rate() const {
  std::lock_guard lk(g_mu);
  return g_rate;
}

}  // namespace kiosk::voice
