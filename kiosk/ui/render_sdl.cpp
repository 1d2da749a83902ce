#include "kiosk/ui/render_sdl.hpp"

#include <SDL.h>
#include <imgui.h>

#include <stdexcept>

namespace kiosk::ui {

SdlRenderBackend::~SdlRenderBackend() {
  if (font_tex_) SDL_DestroyTexture(font_tex_);
}

void SdlRenderBackend::upload_fonts() {
  ImGuiIO& io = ImGui::GetIO();
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  if (font_tex_) SDL_DestroyTexture(font_tex_);
  // ImGui's RGBA bytes in memory are ABGR8888 in SDL's packed-little-endian naming.
  font_tex_ = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_STATIC, w, h);
  if (!font_tex_) throw std::runtime_error(std::string("font texture: ") + SDL_GetError());
  SDL_UpdateTexture(font_tex_, nullptr, pixels, w * 4);
  SDL_SetTextureBlendMode(font_tex_, SDL_BLENDMODE_BLEND);
  SDL_SetTextureScaleMode(font_tex_, SDL_ScaleModeLinear);
  io.Fonts->SetTexID(static_cast<ImTextureID>(font_tex_));
  io.Fonts->ClearTexData();  // the CPU copy is not needed once uploaded
}

void SdlRenderBackend::render(ImDrawData* data) {
  const ImVec2 off = data->DisplayPos;
  for (int n = 0; n < data->CmdListsCount; ++n) {
    const ImDrawList* list = data->CmdLists[n];
    const ImDrawVert* vtx = list->VtxBuffer.Data;
    const ImDrawIdx* idx = list->IdxBuffer.Data;
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) {
        cmd.UserCallback(list, &cmd);
        continue;
      }
      SDL_Rect clip{static_cast<int>(cmd.ClipRect.x - off.x), static_cast<int>(cmd.ClipRect.y - off.y),
                    static_cast<int>(cmd.ClipRect.z - cmd.ClipRect.x),
                    static_cast<int>(cmd.ClipRect.w - cmd.ClipRect.y)};
      if (clip.w <= 0 || clip.h <= 0) continue;
      SDL_RenderSetClipRect(renderer_, &clip);
      const ImDrawVert* v = vtx + cmd.VtxOffset;
      const int stride = static_cast<int>(sizeof(ImDrawVert));
      SDL_RenderGeometryRaw(
          renderer_, static_cast<SDL_Texture*>(cmd.GetTexID()),
          reinterpret_cast<const float*>(reinterpret_cast<const char*>(v) + offsetof(ImDrawVert, pos)),
          stride,
          reinterpret_cast<const SDL_Color*>(reinterpret_cast<const char*>(v) + offsetof(ImDrawVert, col)),
          stride, reinterpret_cast<const float*>(reinterpret_cast<const char*>(v) + offsetof(ImDrawVert, uv)),
          stride, list->VtxBuffer.Size - static_cast<int>(cmd.VtxOffset), idx + cmd.IdxOffset,
          static_cast<int>(cmd.ElemCount), sizeof(ImDrawIdx));
    }
  }
  SDL_RenderSetClipRect(renderer_, nullptr);
}

}  // namespace kiosk::ui
