// The kiosk window: SDL2 + Dear ImGui through SDL_Renderer, drawing a view of the Session. It decides
// nothing: taps become UserAction ids returned from render_frame().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kiosk/core/catalog.hpp"
#include "kiosk/core/clock.hpp"
#include "kiosk/core/config.hpp"
#include "kiosk/core/session.hpp"
#include "kiosk/core/strings.hpp"
#include "kiosk/ui/face_view.hpp"
#include "kiosk/ui/fonts.hpp"
#include "kiosk/ui/input.hpp"
#include "kiosk/ui/keyboard.hpp"
#include "kiosk/ui/theme.hpp"
#include "kiosk/ui/ui_map.hpp"

struct SDL_Window;
struct SDL_Renderer;
struct ImGuiContext;
union SDL_Event;

namespace kiosk::tech {
class TechMode;  // technician hook
}

namespace kiosk::ui {

class SdlRenderBackend;

struct UiOptions {
  int width = 1920;
  int height = 1080;
  bool fullscreen = false;
  bool headless = false;  // offscreen video driver + software renderer
  bool software = false;  // force the software renderer
  std::string title = "kiosk";
  // Glyph atlas cache (cold start). Empty: $KIOSK_CACHE_DIR, else <data_dir>/cache (a data dir under
  // the temp dir — demo, headless — shares <tmp>/kiosk-atlas-cache).
  std::string cache_dir;
};

struct FrameStats {
  double ms = 0;  // last frame's CPU time (build + render + present)
  double font_build_ms = 0;
  std::uint64_t frames = 0;
};

class KioskUI {
 public:
  KioskUI(UiOptions opts, const core::KioskConfig& cfg, const core::Strings& strings,
          const core::Catalog& catalog, core::Session& session, const core::Clock& clock);
  ~KioskUI();
  KioskUI(const KioskUI&) = delete;
  KioskUI& operator=(const KioskUI&) = delete;

  // Feeds an SDL event; returns true if the screen should be redrawn.
  bool process_event(const SDL_Event& e);
  // Draws and presents one frame; returns the action ids tapped in it.
  std::vector<std::string> render_frame();
  // True while input transitions are queued or a redraw was requested.
  bool needs_frame() const { return input_.pending() || redraw_frames_ > 0; }
  void request_redraw(int frames = 3) { redraw_frames_ = std::max(redraw_frames_, frames); }
  // Milliseconds until the display changes by itself (clock minute, countdown second).
  std::int64_t ms_until_change() const;

  void on_screen_changed();
  void on_session_end();  // drops run-time glyphs (rare name characters)
  InputLayer& input() { return input_; }
  // technician hook: while the mode is active its screens replace the resident UI; "tech.*" taps go
  // to TechMode::action and the corner long press to TechMode::long_press (never to the session).
  void set_tech(tech::TechMode* t) { tech_ = t; }
  // wiring: the face step's live preview, instruction and progress (null: the static hint only).
  void set_face_view(FaceViewSource* v) { face_view_ = v; }
  const UiMap& map() const { return map_; }
  const Theme& theme() const { return theme_; }
  const FrameStats& stats() const { return stats_; }
  const FontSet& fonts() const { return *fonts_; }
  bool save_png(const std::string& path);
  SDL_Renderer* renderer() const { return renderer_; }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  std::string tr(const std::string& key) const;
  std::string trf(const std::string& key, const std::vector<std::pair<std::string, std::string>>& args) const;
  void draw(class Painter& p, std::vector<std::string>& actions);
  void draw_top_bar(Painter& p, float h);
  void draw_bottom_bar(Painter& p, const Box& area, std::vector<std::string>& actions);
  void draw_home(Painter& p, const Box& area, std::vector<std::string>& actions);
  void draw_category(Painter& p, const Box& area, std::vector<std::string>& actions);
  void draw_guide(Painter& p, const Box& area, std::vector<std::string>& actions);
  void draw_help(Painter& p, const Box& area);
  // Catalog search (search_screen.cpp).
  void draw_search(Painter& p, const Box& area, std::vector<std::string>& actions);
  Box search_button_box(const Box& content) const;
  // Service flow screens (flow_screens.cpp).
  void draw_flow(Painter& p, const Box& a, std::vector<std::string>& actions);
  float draw_flow_header(Painter& p, const Box& a, const std::string& title);
  void draw_action_row(Painter& p, const Box& a, std::vector<std::string>& actions,
                       const std::vector<std::pair<std::string, std::string>>& buttons);
  void draw_face_step(Painter& p, const Box& a, float y);  // face_screen.cpp
  void draw_overlays(Painter& p, std::vector<std::string>& actions);
  void ensure_fonts();
  void note_first_frame();

  UiOptions opts_;
  const core::KioskConfig& cfg_;
  const core::Strings& strings_;
  const core::Catalog& catalog_;
  core::Session& session_;
  const core::Clock& clock_;
  Theme theme_;
  SDL_Window* window_ = nullptr;
  SDL_Renderer* renderer_ = nullptr;
  ImGuiContext* imgui_ = nullptr;
  std::unique_ptr<SdlRenderBackend> backend_;
  std::unique_ptr<FontSet> fonts_;
  std::unique_ptr<TtfFallback> ttf_;
  InputLayer input_;
  UiMap map_;
  FrameStats stats_;
  int width_ = 0, height_ = 0;
  int redraw_frames_ = 3;
  std::map<std::string, std::int64_t> last_activation_;
  tech::TechMode* tech_ = nullptr;  // technician hook
  KeyboardState search_kb_;         // the search screen's on-screen keyboard
  FaceViewSource* face_view_ = nullptr;
  std::unique_ptr<FacePreviewTexture> face_tex_;  // released before the renderer
};

// Civil time in China (UTC+8) regardless of the machine's zone: "11月23日 星期一 09:30".
std::string format_cst(std::time_t t, const std::string& lang);

}  // namespace kiosk::ui
