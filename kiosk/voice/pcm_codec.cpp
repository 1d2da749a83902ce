#include "kiosk/voice/pcm_codec.hpp"

#include <cstring>

namespace kiosk::voice {
namespace {
constexpr char kMagic[8] = {'K', 'V', 'P', 'C', 'M', '1', 0, 0};
void put32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
std::uint32_t get32(std::string_view s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}
}  // namespace

std::string encode_pcm(const Pcm& pcm) {
  std::string out(kMagic, sizeof kMagic);
  put32(out, static_cast<std::uint32_t>(pcm.sample_rate));
  put32(out, static_cast<std::uint32_t>(pcm.samples.size()));
  out.reserve(out.size() + pcm.samples.size() * 2);
  for (auto s : pcm.samples) {
    const auto u = static_cast<std::uint16_t>(s);
    out.push_back(static_cast<char>(u & 0xFF));
    out.push_back(static_cast<char>(u >> 8));
  }
  return out;
}

std::variant<Pcm, std::string> decode_pcm(std::string_view b) {
  if (b.size() < 16) return std::string("truncated header");
  if (std::memcmp(b.data(), kMagic, sizeof kMagic) != 0) return std::string("bad magic");
  Pcm p;
  const auto rate = get32(b, 8), n = get32(b, 12);
  if (rate < 8000 || rate > 48000) return std::string("sample rate out of range");
  if (n > kMaxPcmSamples) return std::string("too many samples");
  if (b.size() != 16 + std::size_t(n) * 2) return std::string("length does not match sample count");
  p.sample_rate = static_cast<int>(rate);
  p.samples.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto lo = static_cast<unsigned char>(b[16 + 2 * i]), hi = static_cast<unsigned char>(b[17 + 2 * i]);
    p.samples[i] = static_cast<std::int16_t>(static_cast<std::uint16_t>(lo | (hi << 8)));
  }
  return p;
}

}  // namespace kiosk::voice
