#include "kiosk/voice/voice.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

namespace kiosk::voice {

Voice::Voice(VoiceConfig cfg, const core::Strings& strings, std::unique_ptr<AudioSink> sink,
             std::unique_ptr<Synthesizer> tts)
    : cfg_(std::move(cfg)),
      strings_(strings),
      tts_(std::move(tts)),
      sink_(std::move(sink)),
      volume_(std::clamp(cfg_.volume_percent, 0, 100)) {
  if (!tts_) tts_ = std::make_unique<EspeakSynthesizer>();
  if (!sink_) sink_ = std::make_unique<SdlAudioSink>(tts_->sample_rate());
  if (cfg_.cache_dir.empty())
    cfg_.cache_dir = (std::filesystem::temp_directory_path() / "kiosk-voice-cache").string();
  cache_ = std::make_unique<PcmCache>(cfg_.cache_dir, cfg_.cache_max_bytes);
  thread_ = std::thread([this] { run(); });
}

Voice::~Voice() {
  {
    std::lock_guard lk(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
  sink_->clear();
}

SpeakResult Voice::speak(const std::string& lang, const std::string& key, const std::string& text) {
  if (!cfg_.enabled) return {SpeakResult::Status::Disabled, std::nullopt};
  if (auto why = check_speakable(strings_, cfg_.languages(), key, text)) {
    std::lock_guard lk(mu_);
    ++stats_.refused;
    // The text itself is never logged: it failed the check precisely because it may be personal.
    spdlog::warn("voice: refused to speak key '{}' ({})", key, to_string(*why));
    return {SpeakResult::Status::Refused, why};
  }
  std::lock_guard lk(mu_);
  const bool restart =
      !current_key_.empty() && key == current_key_ && jobs_.empty() && !busy_ && sink_->queued_bytes() > 0;
  if (restart) {
    ++gen_;
    sink_->clear();
  }
  enqueue_locked({lang, key, text, gen_});
  return {};
}

SpeakResult Voice::speak_key(const std::string& lang, const std::string& key) {
  // Strings::get falls back to zh-CN; then the zh-CN voice must read it.
  const std::string& text_lang = strings_.has(lang, key) ? lang : std::string("zh-CN");
  if (!strings_.has(text_lang, key)) {
    std::lock_guard lk(mu_);
    ++stats_.refused;
    spdlog::warn("voice: no string '{}' to speak", key);
    return {SpeakResult::Status::Refused, Refusal::UnknownKey};
  }
  return speak(text_lang, key, strings_.get(text_lang, key));
}

void Voice::on_effect(const core::Effect& e, const std::string& lang) {
  switch (e.kind) {
    case core::Effect::Kind::Speak:
      speak_key(lang, e.arg);
      break;
    case core::Effect::Kind::ScreenChanged:
    case core::Effect::Kind::WipeSessionData:
      stop();
      break;
    default:
      break;
  }
}

std::unique_ptr<Voice> open_voice(const core::KioskConfig& kc, const core::Strings& strings) {
  try {
    const auto path = kc.config_dir + "/voice.toml";
    VoiceConfig vc = std::filesystem::exists(path) ? load_voice_config(path) : VoiceConfig{};
    if (!vc.enabled) {
      spdlog::info("voice: disabled in {}", path);
      return nullptr;
    }
    if (vc.cache_dir.empty()) vc.cache_dir = kc.data_dir + "/voice-cache";
    return std::make_unique<Voice>(std::move(vc), strings);
  } catch (const std::exception& e) {
    spdlog::error("voice: unavailable, running silent: {}", e.what());
    return nullptr;
  }
}

void Voice::enqueue_locked(Job j) {
  last_ = j;
  jobs_.push_back(std::move(j));
  cv_.notify_all();
}

void Voice::repeat() {
  std::lock_guard lk(mu_);
  if (!last_) return;
  ++gen_;
  jobs_.clear();
  sink_->clear();
  Job j = *last_;
  j.gen = gen_;
  enqueue_locked(std::move(j));
}

void Voice::stop() {
  std::lock_guard lk(mu_);
  ++gen_;
  stats_.dropped += jobs_.size();
  jobs_.clear();
  sink_->clear();
  current_key_.clear();
  idle_cv_.notify_all();
}

void Voice::set_volume(int percent) {
  std::lock_guard lk(mu_);
  volume_ = std::clamp(percent, 0, 100);
}

int Voice::volume() const {
  std::lock_guard lk(mu_);
  return volume_;
}

VoiceStats Voice::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

std::optional<Pcm> Voice::pcm_for(const Job& j) {
  const auto v = cfg_.voices.find(j.lang);
  const std::string voice = v != cfg_.voices.end() ? v->second : cfg_.voices.begin()->second;
  const auto key = PcmCache::key_for(tts_->engine_id(), voice, cfg_.rate_wpm, cfg_.pitch, j.text);
  if (auto hit = cache_->get(key)) {
    std::lock_guard lk(mu_);
    ++stats_.cache_hits;
    return hit;
  }
  try {
    const auto t0 = std::chrono::steady_clock::now();
    Pcm pcm = tts_->render(j.text, {voice, cfg_.rate_wpm, cfg_.pitch});
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    cache_->put(key, pcm);
    std::lock_guard lk(mu_);
    ++stats_.renders;
    if (ms.count() > cfg_.render_timeout_ms) {
      spdlog::warn("voice: rendering '{}' took {} ms, over the {} ms budget; dropped", j.key, ms.count(),
                   cfg_.render_timeout_ms);
      return std::nullopt;  // too late to be useful now; the cache serves it next time
    }
    return pcm;
  } catch (const TtsError& e) {
    std::lock_guard lk(mu_);
    ++stats_.errors;
    spdlog::error("voice: cannot render key '{}': {}", j.key, e.what());
    return std::nullopt;
  }
}

void Voice::run() {
  std::unique_lock lk(mu_);
  for (;;) {
    cv_.wait(lk, [&] { return quit_ || !jobs_.empty(); });
    if (quit_) return;
    Job j = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    lk.unlock();
    auto pcm = pcm_for(j);
    lk.lock();
    busy_ = false;
    if (pcm && j.gen == gen_) {  // a stop() while rendering drops the utterance
      std::vector<std::int16_t> scaled(pcm->samples.size());
      for (std::size_t i = 0; i < scaled.size(); ++i)
        scaled[i] = static_cast<std::int16_t>(pcm->samples[i] * volume_ / 100);
      try {
        sink_->queue(scaled, pcm->sample_rate);
        current_key_ = j.key;
        ++stats_.played;
      } catch (const AudioError& e) {
        ++stats_.errors;
        spdlog::error("voice: playback failed: {}", e.what());
      }
    } else if (j.gen != gen_) {
      ++stats_.dropped;
    }
    idle_cv_.notify_all();
  }
}

bool Voice::wait_idle(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lk(mu_);
  if (!idle_cv_.wait_until(lk, deadline, [&] { return jobs_.empty() && !busy_; })) return false;
  lk.unlock();
  // Then let the device drain: sleep for the queued audio's duration, not a spin.
  for (;;) {
    const auto q = sink_->queued_bytes();
    if (q == 0) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    const int rate = std::max(8000, tts_->sample_rate());
    auto need = std::chrono::milliseconds(static_cast<long long>(q / 2 * 1000 / rate) + 5);
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(need, deadline - now));
  }
}

}  // namespace kiosk::voice
