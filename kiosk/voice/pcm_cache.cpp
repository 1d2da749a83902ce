#include "kiosk/voice/pcm_cache.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

namespace kiosk::voice {

PcmCache::PcmCache(std::string dir, long long max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (sodium_init() < 0) throw std::runtime_error("libsodium init failed");
}

std::string PcmCache::key_for(const std::string& engine, const std::string& voice, int rate, int pitch,
                              const std::string& text) {
  std::string m = "kvpcm1\n" + engine + "\n" + voice + "\n" + std::to_string(rate) + "\n" +
                  std::to_string(pitch) + "\n" + text;
  unsigned char h[20];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(m.data()), m.size(), nullptr, 0);
  char hex[sizeof h * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

std::string PcmCache::path_for(const std::string& key) const {
  return dir_ + "/" + key + ".pcm";
}

std::optional<Pcm> PcmCache::get(const std::string& key) const {
  std::ifstream f(path_for(key), std::ios::binary);
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  auto r = decode_pcm(ss.str());
  if (auto* why = std::get_if<std::string>(&r)) {
    spdlog::warn("voice cache: entry {} invalid ({}), re-rendering", key, *why);
    return std::nullopt;
  }
  std::error_code ec;
  fs::last_write_time(path_for(key), fs::file_time_type::clock::now(), ec);  // LRU touch
  return std::get<Pcm>(std::move(r));
}

void PcmCache::put(const std::string& key, const Pcm& pcm) {
  const auto path = path_for(key), tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    const auto bytes = encode_pcm(pcm);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f.flush()) {
      spdlog::warn("voice cache: cannot write {}", tmp);
      std::error_code ec;
      fs::remove(tmp, ec);
      return;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) spdlog::warn("voice cache: cannot store {}: {}", key, ec.message());
  purge();
}

long long PcmCache::total_bytes() const {
  long long total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec))
    if (e.path().extension() == ".pcm") total += static_cast<long long>(e.file_size(ec));
  return total;
}

void PcmCache::purge() {
  struct Entry {
    fs::path p;
    fs::file_time_type t;
    long long size;
  };
  std::vector<Entry> all;
  long long total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (e.path().extension() != ".pcm") continue;
    Entry en{e.path(), e.last_write_time(ec), static_cast<long long>(e.file_size(ec))};
    total += en.size;
    all.push_back(std::move(en));
  }
  if (total <= max_bytes_) return;
  std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) { return a.t < b.t; });
  for (const auto& e : all) {
    if (total <= max_bytes_) break;
    fs::remove(e.p, ec);
    total -= e.size;
  }
}

}  // namespace kiosk::voice
