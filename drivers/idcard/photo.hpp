// WLT photo → 102×126 RGB through the vendor's closed decoder, loaded as a plugin (dlopen). The
// library path and entry point come from the device profile; `int unpack(char* wlt, char* out, int flag)`
// returning 1 on success ([MEGVII]/[WLTPY] in the reference). Without a decoder the kiosk shows no
// photo; the photo bytes stay in SessionData only.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiosk::idcard {

inline constexpr int kPhotoWidth = 102, kPhotoHeight = 126;
inline constexpr std::size_t kPhotoRgbSize = 102 * 126 * 3;  // 38 556

struct PhotoPluginConfig {
  std::string library;  // e.g. /opt/vendor/lib/libwlt.so; empty = no decoder configured
  std::string symbol = "unpack";
  int flag = 311;  // third argument (311 seen for libwlt.so, 310 for ZKTeco)
};

class PhotoError : public std::runtime_error {
 public:
  enum class Kind { NoDecoder, DecodeFailed };
  PhotoError(Kind k, const std::string& what) : std::runtime_error(what), kind_(k) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

class PhotoDecoder {
 public:
  // Throws PhotoError(NoDecoder) with the dlopen/dlsym reason if the plugin cannot be loaded.
  static std::unique_ptr<PhotoDecoder> load(const PhotoPluginConfig& cfg);
  ~PhotoDecoder();
  PhotoDecoder(const PhotoDecoder&) = delete;
  PhotoDecoder& operator=(const PhotoDecoder&) = delete;

  // 1024-byte WLT → 38 556 bytes of 24-bit pixels (vendor order, usually BGR). Throws DecodeFailed.
  std::vector<std::uint8_t> decode(std::span<const std::uint8_t> wlt) const;
  const std::string& library() const { return cfg_.library; }

 private:
  using UnpackFn = int (*)(char*, char*, int);
  PhotoDecoder(void* handle, UnpackFn fn, PhotoPluginConfig cfg);
  void* handle_;
  UnpackFn fn_;
  PhotoPluginConfig cfg_;
};

}  // namespace kiosk::idcard
