// Dear ImGui 1.86 draw data → SDL_Renderer (SDL_RenderGeometryRaw). Our own small backend: Debian's
// libimgui.a does not include imgui_impl_sdlrenderer, and the same code runs on the software renderer
// (tests, pixel-identical screenshots) and on GL/GLES renderers (terminal).
#pragma once

struct SDL_Renderer;
struct SDL_Texture;
struct ImDrawData;

namespace kiosk::ui {

class SdlRenderBackend {
 public:
  explicit SdlRenderBackend(SDL_Renderer* r) : renderer_(r) {}
  ~SdlRenderBackend();
  // (Re)creates the font texture from io.Fonts; call after every atlas build.
  void upload_fonts();
  void render(ImDrawData* data);

 private:
  SDL_Renderer* renderer_;
  SDL_Texture* font_tex_ = nullptr;
};

}  // namespace kiosk::ui
