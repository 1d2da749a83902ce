#include "drivers/idcard/photo.hpp"

#include <dlfcn.h>

#include <mutex>

#include "drivers/idcard/codec.hpp"

namespace kiosk::idcard {

namespace {
// Vendor decoders keep global state and may write ./zp.bmp: one call at a time.
std::mutex g_decode_mu;
}  // namespace

std::unique_ptr<PhotoDecoder> PhotoDecoder::load(const PhotoPluginConfig& cfg) {
  if (cfg.library.empty()) throw PhotoError(PhotoError::Kind::NoDecoder, "photo: no decoder configured");
  void* h = dlopen(cfg.library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* err = dlerror();
    throw PhotoError(PhotoError::Kind::NoDecoder,
                     std::string("photo: no decoder: ") + (err ? err : cfg.library));
  }
  dlerror();
  void* sym = dlsym(h, cfg.symbol.c_str());
  if (!sym) {
    const char* err = dlerror();
    dlclose(h);
    throw PhotoError(PhotoError::Kind::NoDecoder,
                     "photo: no decoder: symbol " + cfg.symbol + " missing (" + (err ? err : "") + ")");
  }
  UnpackFn fn;
  static_assert(sizeof fn == sizeof sym);
  __builtin_memcpy(&fn, &sym, sizeof fn);
  return std::unique_ptr<PhotoDecoder>(new PhotoDecoder(h, fn, cfg));
}

PhotoDecoder::PhotoDecoder(void* handle, UnpackFn fn, PhotoPluginConfig cfg)
    : handle_(handle), fn_(fn), cfg_(std::move(cfg)) {}

PhotoDecoder::~PhotoDecoder() {
  if (handle_) dlclose(handle_);
}

std::vector<std::uint8_t> PhotoDecoder::decode(std::span<const std::uint8_t> wlt) const {
  if (wlt.size() != kPhotoSize)
    throw PhotoError(PhotoError::Kind::DecodeFailed,
                     "photo: WLT is " + std::to_string(wlt.size()) + " bytes, expected 1024");
  std::vector<char> in(wlt.begin(), wlt.end());
  in.resize(2048, 0);  // some vendor builds read past 1024
  std::vector<char> out(kPhotoRgbSize + 4096, 0);
  int rc;
  {
    std::lock_guard lock(g_decode_mu);
    rc = fn_(in.data(), out.data(), cfg_.flag);
  }
  if (rc != 1)
    throw PhotoError(PhotoError::Kind::DecodeFailed, "photo: decoder returned " + std::to_string(rc));
  return std::vector<std::uint8_t>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(kPhotoRgbSize));
}

}  // namespace kiosk::idcard
