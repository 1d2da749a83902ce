#include "kiosk/ui/face_view.hpp"

#include <SDL.h>

namespace kiosk::ui {

FacePreviewTexture::~FacePreviewTexture() {
  if (tex_) SDL_DestroyTexture(tex_);
}

SDL_Texture* FacePreviewTexture::update(SDL_Renderer* r, const FacePreview& p) {
  if (!r || p.rgb.empty() || p.seq == seq_ || p.width <= 0 || p.height <= 0 ||
      p.rgb.size() < static_cast<std::size_t>(p.width) * static_cast<std::size_t>(p.height) * 3)
    return tex_;
  if (!tex_ || w_ != p.width || h_ != p.height) {
    if (tex_) SDL_DestroyTexture(tex_);
    tex_ = SDL_CreateTexture(r, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STREAMING, p.width, p.height);
    if (!tex_) return nullptr;
    w_ = p.width;
    h_ = p.height;
  }
  SDL_UpdateTexture(tex_, nullptr, p.rgb.data(), p.width * 3);
  seq_ = p.seq;
  return tex_;
}

}  // namespace kiosk::ui
