// On-disk form of one rendered utterance: "KVPCM1\0\0", u32 sample rate, u32 sample count (LE), then
// mono int16 LE samples. decode_pcm rejects anything else with a reason (the cache then re-renders).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kiosk::voice {

struct Pcm {
  int sample_rate = 0;
  std::vector<std::int16_t> samples;  // mono
  double seconds() const { return sample_rate ? double(samples.size()) / sample_rate : 0.0; }
};

std::string encode_pcm(const Pcm& pcm);
// Pcm on success, otherwise the reason the bytes are not a valid cache entry.
std::variant<Pcm, std::string> decode_pcm(std::string_view bytes);

constexpr std::uint32_t kMaxPcmSamples = 48000u * 120u;  // two minutes at 48 kHz: far above any instruction

}  // namespace kiosk::voice
