#include "kiosk/ui/kiosk_ui.hpp"

#include <SDL.h>
#include <imgui.h>
#include <spdlog/spdlog.h>
#include <stb_image_write.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include "kiosk/core/mask.hpp"
#include "kiosk/tech/tech_mode.hpp"  // technician hook
#include "kiosk/ui/painter.hpp"
#include "kiosk/ui/render_sdl.hpp"
#include "kiosk/ui/tech_screens.hpp"  // technician hook

namespace kiosk::ui {

std::string format_cst(std::time_t t, const std::string& lang) {
  std::time_t local = t + 8 * 3600;
  std::tm tm{};
  gmtime_r(&local, &tm);
  char buf[64];
  if (lang == "en") {
    std::strftime(buf, sizeof buf, "%a %d %b %H:%M", &tm);
    return buf;
  }
  static const char* wd[] = {"日", "一", "二", "三", "四", "五", "六"};
  std::snprintf(buf, sizeof buf, "%d月%d日 星期%s %02d:%02d", tm.tm_mon + 1, tm.tm_mday, wd[tm.tm_wday],
                tm.tm_hour, tm.tm_min);
  return buf;
}

KioskUI::KioskUI(UiOptions opts, const core::KioskConfig& cfg, const core::Strings& strings,
                 const core::Catalog& catalog, core::Session& session, const core::Clock& clock)
    : opts_(std::move(opts)),
      cfg_(cfg),
      strings_(strings),
      catalog_(catalog),
      session_(session),
      clock_(clock) {
  theme_.mm_per_px = cfg.mm_per_px;
  theme_.elder = session.elder_mode();
  if (opts_.headless) SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
  // We read fingers ourselves; no synthetic mouse<->touch duplicates.
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
  SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
  SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
  if (SDL_InitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0)
    throw std::runtime_error(std::string("SDL video: ") + SDL_GetError());
  Uint32 wflags = SDL_WINDOW_SHOWN | SDL_WINDOW_ALLOW_HIGHDPI;
  if (opts_.fullscreen && !opts_.headless) wflags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
  window_ = SDL_CreateWindow(opts_.title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, opts_.width,
                             opts_.height, wflags);
  if (!window_) throw std::runtime_error(std::string("SDL window: ") + SDL_GetError());
  Uint32 rflags = (opts_.headless || opts_.software) ? SDL_RENDERER_SOFTWARE : SDL_RENDERER_ACCELERATED;
  renderer_ = SDL_CreateRenderer(window_, -1, rflags);
  if (!renderer_ && !(rflags & SDL_RENDERER_SOFTWARE))
    renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_SOFTWARE);
  if (!renderer_) throw std::runtime_error(std::string("SDL renderer: ") + SDL_GetError());
  SDL_GetRendererOutputSize(renderer_, &width_, &height_);
  SDL_ShowCursor(opts_.headless || !opts_.fullscreen ? SDL_ENABLE : SDL_DISABLE);
  input_.set_window_size(width_, height_);

  IMGUI_CHECKVERSION();
  imgui_ = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.LogFilename = nullptr;
  io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
  io.MouseDragThreshold = theme_.px(3.0);  // shaky fingers still click
  io.MouseDoubleClickTime = 0.05f;         // nothing is bound to double taps
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowPadding = ImVec2(0, 0);
  style.WindowBorderSize = 0;
  style.WindowRounding = 0;
  backend_ = std::make_unique<SdlRenderBackend>(renderer_);

  std::vector<std::string> ui_texts = strings_.all_texts();
  for (auto& c : catalog_.categories()) {
    ui_texts.push_back(c.name);
    ui_texts.push_back(c.name_en);
  }
  for (auto& i : catalog_.items()) ui_texts.push_back(i.name);
  ui_texts.push_back(cfg_.hall_name);
  ui_texts.push_back("0123456789月日星期一二三四五六日");
  std::string font = default_font_path();
  fonts_ = std::make_unique<FontSet>(font, ui_texts, catalog_.all_texts());
  std::string cache = opts_.cache_dir;
  if (const char* env = std::getenv("KIOSK_CACHE_DIR"); cache.empty() && env && *env) cache = env;
  if (cache.empty() && !cfg_.data_dir.empty()) {
    // A data dir under the temp dir is a throwaway per-run one (--demo, --headless): share one cache
    // there instead of leaving a 4 MB atlas behind in every run's directory.
    std::error_code ec;
    const auto tmp = std::filesystem::temp_directory_path(ec).string();
    const bool throwaway = !ec && !tmp.empty() && cfg_.data_dir.rfind(tmp, 0) == 0;
    cache = throwaway ? tmp + "/kiosk-atlas-cache" : cfg_.data_dir + "/cache";
  }
  fonts_->set_cache_dir(cache);
  ttf_ = std::make_unique<TtfFallback>(renderer_, font);
  ensure_fonts();
}

KioskUI::~KioskUI() {
  face_tex_.reset();
  ttf_.reset();
  backend_.reset();
  if (imgui_) ImGui::DestroyContext(imgui_);
  if (renderer_) SDL_DestroyRenderer(renderer_);
  if (window_) SDL_DestroyWindow(window_);
}

void KioskUI::ensure_fonts() {
  theme_.elder = session_.elder_mode();
  if (!fonts_->dirty() && fonts_->elder() == theme_.elder) return;
  stats_.font_build_ms = fonts_->build(theme_);
  backend_->upload_fonts();
}

std::string KioskUI::tr(const std::string& key) const {
  return strings_.get(session_.language(), key);
}
std::string KioskUI::trf(const std::string& key,
                         const std::vector<std::pair<std::string, std::string>>& args) const {
  return strings_.format(session_.language(), key, args);
}

bool KioskUI::process_event(const SDL_Event& e) {
  if (input_.process(e, clock_.now_ms())) return true;
  if (e.type == SDL_WINDOWEVENT) {
    SDL_GetRendererOutputSize(renderer_, &width_, &height_);
    input_.set_window_size(width_, height_);
    request_redraw();
    return true;
  }
  return false;
}

void KioskUI::on_screen_changed() {
  input_.screen_changed(clock_.now_ms());
  request_redraw();
}

void KioskUI::on_session_end() {
  fonts_->reset_extra();
  ttf_->clear();
  request_redraw();
}

std::int64_t KioskUI::ms_until_change() const {
  std::int64_t wall_ms = static_cast<std::int64_t>(60 - clock_.wall() % 60) * 1000;
  std::int64_t d = session_.next_deadline_ms();
  if (d != std::numeric_limits<std::int64_t>::max()) wall_ms = std::min(wall_ms, d - clock_.now_ms());
  return std::max<std::int64_t>(0, wall_ms);
}

std::vector<std::string> KioskUI::render_frame() {
  auto t0 = std::chrono::steady_clock::now();
  ensure_fonts();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(width_), static_cast<float>(height_));
  io.DeltaTime = 1.0f / 60.0f;
  input_.apply_frame();
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("##root", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoScrollWithMouse |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  map_ = UiMap{};
  map_.screen = session_.screen_name();
  std::vector<std::string> actions;
  Painter p(theme_, *fonts_, ttf_.get(), map_, clock_.now_ms(), last_activation_);
  if (tech_ && tech_->active()) {  // technician hook
    map_.screen = tech_->screen_name();
    draw_tech(p, theme_, static_cast<float>(width_), static_cast<float>(height_), *tech_, strings_,
              session_.language(), actions);
  } else {
    draw(p, actions);
  }
  ImGui::End();
  ImGui::Render();
  const Rgb bg = theme_.colors.background;
  SDL_SetRenderDrawColor(renderer_, bg.r, bg.g, bg.b, 255);
  SDL_RenderClear(renderer_);
  backend_->render(ImGui::GetDrawData());
  SDL_RenderPresent(renderer_);
  if (stats_.frames == 0) note_first_frame();
  if (redraw_frames_ > 0) --redraw_frames_;
  if (fonts_->dirty()) request_redraw(2);
  if (!actions.empty()) request_redraw();
  if (tech_) {  // technician hook: hidden entry and the mode's own taps
    InputLayer::LongPress lp;
    if (input_.take_long_press(lp)) {
      Box corner = tech_corner(theme_);
      bool was = tech_->active();
      tech_->long_press(lp.held_ms,
                        lp.x >= corner.x0 && lp.x <= corner.x1 && lp.y >= corner.y0 && lp.y <= corner.y1);
      if (tech_->active() != was) on_screen_changed();
    }
    std::vector<std::string> resident;
    for (auto& a : actions) {
      if (a.rfind("tech.", 0) == 0) {
        bool was = tech_->active();
        tech_->action(a);
        request_redraw();
        if (tech_->active() != was) on_screen_changed();
      } else {
        resident.push_back(a);
      }
    }
    actions.swap(resident);
  }
  ++stats_.frames;
  stats_.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return actions;
}

// bench_ui measures exec → first frame: it sets KIOSK_FIRST_FRAME_STAMP to a file and the kiosk writes
// the CLOCK_MONOTONIC time (ns) of its first presented frame there.
void KioskUI::note_first_frame() {
  const char* path = std::getenv("KIOSK_FIRST_FRAME_STAMP");
  if (!path || !*path) return;
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  if (std::FILE* f = std::fopen(path, "w")) {
    std::fprintf(f, "%lld\n", static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec);
    std::fclose(f);
  }
}

bool KioskUI::save_png(const std::string& path) {
  std::vector<unsigned char> px(static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_) * 4);
  if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_ABGR8888, px.data(), width_ * 4) != 0) {
    spdlog::error("screenshot: {}", SDL_GetError());
    return false;
  }
  return stbi_write_png(path.c_str(), width_, height_, 4, px.data(), width_ * 4) != 0;
}

// ---------------------------------------------------------------------------------------------
// Screens

void KioskUI::draw(Painter& p, std::vector<std::string>& actions) {
  const float W = static_cast<float>(width_), H = static_cast<float>(height_);
  const float top_h = theme_.px(theme_.elder ? 30 : 24);
  const float bottom_h = theme_.px(theme_.elder ? 34 : 28);
  const float m = theme_.px(8);
  const bool modal = session_.warning() || session_.staff_called() || !session_.notice().empty();
  p.set_interactive(!modal);
  draw_top_bar(p, top_h);
  Box content{m, top_h + theme_.px(6), W - m, H - bottom_h - theme_.px(4)};
  switch (session_.screen().id) {
    case core::ScreenId::Home:
      draw_home(p, content, actions);
      break;
    case core::ScreenId::Category:
      draw_category(p, content, actions);
      break;
    case core::ScreenId::Guide:
      draw_guide(p, content, actions);
      break;
    case core::ScreenId::Help:
      draw_help(p, content);
      break;
    case core::ScreenId::Flow:
      draw_flow(p, content, actions);
      break;
    case core::ScreenId::Search:
      draw_search(p, content, actions);
      break;
  }
  draw_bottom_bar(p, {0, H - bottom_h, W, H}, actions);
  p.set_interactive(true);
  draw_overlays(p, actions);
}

void KioskUI::draw_top_bar(Painter& p, float h) {
  const Palette& c = theme_.colors;
  const float W = static_cast<float>(width_), m = theme_.px(8);
  p.fill({0, 0, W, h}, c.bar);
  float label_h = p.line_height(FontRole::Label), small_h = p.line_height(FontRole::Small);
  float y = (h - label_h - small_h) / 2;
  p.text(FontRole::Label, m, y, cfg_.hall_name, c.bar_text, c.bar);
  p.text(FontRole::Small, m, y + label_h, trf("app.terminal", {{"id", cfg_.terminal_id}}), c.bar_text, c.bar);
  std::string time = format_cst(clock_.wall(), session_.language());
  float tw = p.text_width(FontRole::Label, time);
  float x = W - m - tw;
  p.text(FontRole::Label, x, (h - label_h) / 2, time, c.bar_text, c.bar);
  if (session_.timer_active()) {
    std::string cd = trf("countdown.remaining", {{"seconds", std::to_string(session_.remaining_s())}});
    float cw = p.text_width(FontRole::Label, cd) + theme_.px(8);
    Box b{x - theme_.px(8) - cw, theme_.px(3), x - theme_.px(8), h - theme_.px(3)};
    p.fill(b, c.countdown, 2);
    p.text_in(FontRole::Label, b, cd, c.countdown_text, c.countdown);
    x = b.x0;
  }
  const auto& id = session_.data().identity;
  if (!id.empty()) {
    std::string who = id.name.empty() ? core::mask_token(id.token)
                                      : core::mask_name(id.name) + "  " + core::mask_id(id.id_number);
    std::string s = trf("home.identified", {{"who", who}});
    float sw = p.text_width(FontRole::Body, s);
    float sx = std::max(W * 0.38f, (W - sw) / 2);
    if (sx + sw < x - theme_.px(5))
      p.text(FontRole::Body, sx, (h - p.line_height(FontRole::Body)) / 2, s, c.bar_text, c.bar);
  }
}

void KioskUI::draw_bottom_bar(Painter& p, const Box& area, std::vector<std::string>& actions) {
  const Palette& c = theme_.colors;
  p.fill(area, c.tile);
  p.fill({area.x0, area.y0, area.x1, area.y0 + theme_.px(0.6)}, c.tile_border);
  const float bh = theme_.px(theme_.primary_height_mm());
  const float y0 = area.y0 + (area.h() - bh) / 2, y1 = y0 + bh;
  const float m = theme_.px(8), gap = theme_.px(10);
  const bool elder = theme_.elder;
  Box help{area.x0 + m, y0, area.x0 + m + theme_.px(elder ? 50 : 42), y1};
  if (p.button("nav.help", help, tr("nav.help"), ButtonStyle::Secondary)) actions.push_back("nav.help");
  Box staff{area.x1 - m - theme_.px(elder ? 92 : 78), y0, area.x1 - m, y1};
  if (p.button("nav.staff", staff, tr("nav.staff"), ButtonStyle::Danger)) actions.push_back("nav.staff");
  struct B {
    const char* id;
    std::string label;
    float w_mm;
    ButtonStyle style;
  };
  std::vector<B> mid;
  if (session_.screen().id == core::ScreenId::Home) {
    mid.push_back({"home.elder", tr(session_.elder_mode() ? "home.elder_off" : "home.elder_on"),
                   elder ? 70.f : 58.f, ButtonStyle::Primary});
    mid.push_back({"home.language", tr("home.language"), elder ? 58.f : 48.f, ButtonStyle::Secondary});
  } else {
    mid.push_back({"nav.back", tr("nav.back"), elder ? 70.f : 60.f, ButtonStyle::Primary});
    mid.push_back({"nav.home", tr("nav.home"), elder ? 56.f : 46.f, ButtonStyle::Secondary});
  }
  float total = -gap;
  for (auto& b : mid) total += theme_.px(b.w_mm) + gap;
  float x = (help.x1 + staff.x0 - total) / 2;
  for (auto& b : mid) {
    Box box{x, y0, x + theme_.px(b.w_mm), y1};
    if (p.button(b.id, box, b.label, b.style)) actions.push_back(b.id);
    x = box.x1 + gap;
  }
}

void KioskUI::draw_home(Painter& p, const Box& a, std::vector<std::string>& actions) {
  const Palette& c = theme_.colors;
  float y = a.y0;
  Box search = search_button_box(a);
  if (p.button("home.search", search, tr("search.button"), ButtonStyle::Secondary))
    actions.push_back("home.search");
  y += p.text(FontRole::Title, a.x0, y, tr("home.prompt"), c.text, c.background);
  y += p.text(FontRole::Body, a.x0, y, tr("home.identify_hint"), c.muted, c.background,
              search.x0 - a.x0 - theme_.px(6));
  y = std::max(y, search.y1);
  y += theme_.px(5);
  const auto& cats = catalog_.categories();
  const float gap = theme_.px(6);
  const double a_w_mm = theme_.mm(a.w());
  int cols = std::max(2, static_cast<int>((a_w_mm + 6) / ((theme_.elder ? 100.0 : 80.0) + 6)));
  int rows = (static_cast<int>(cats.size()) + cols - 1) / cols;
  float tw = (a.w() - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
  float th =
      std::min(theme_.px(45), (a.y1 - y - gap * static_cast<float>(rows - 1)) / static_cast<float>(rows));
  for (std::size_t i = 0; i < cats.size(); ++i) {
    int r = static_cast<int>(i) / cols, col = static_cast<int>(i) % cols;
    Box b{a.x0 + static_cast<float>(col) * (tw + gap), y + static_cast<float>(r) * (th + gap), 0, 0};
    b.x1 = b.x0 + tw;
    b.y1 = b.y0 + th;
    const auto& cat = cats[i];
    std::string label = session_.language() == "en" && !cat.name_en.empty() ? cat.name_en : cat.name;
    std::string id = "home.category." + cat.id;
    if (p.button(id, b, label, cat.all_self_service ? ButtonStyle::Primary : ButtonStyle::Tile))
      actions.push_back(id);
  }
}

void KioskUI::draw_category(Painter& p, const Box& a, std::vector<std::string>& actions) {
  const Palette& c = theme_.colors;
  const core::Category* cat = catalog_.category(session_.screen().arg);
  if (!cat) return;
  float y = a.y0;
  std::string name = session_.language() == "en" && !cat->name_en.empty() ? cat->name_en : cat->name;
  p.text(FontRole::Title, a.x0, y, name, c.text, c.background);
  std::string count = trf("category.count", {{"count", std::to_string(catalog_.items_in(cat->id).size())}});
  p.text(FontRole::Body, a.x0 + p.text_width(FontRole::Title, name) + theme_.px(8),
         y + p.line_height(FontRole::Title) - p.line_height(FontRole::Body), count, c.muted, c.background);
  Box search = search_button_box(a);
  if (p.button("category.search", search, tr("search.button"), ButtonStyle::Secondary))
    actions.push_back("category.search");
  y += std::max(p.line_height(FontRole::Title), search.h()) + theme_.px(4);
  const float pager_h = theme_.px(16), gap = theme_.px(6);
  auto items = session_.page_items();
  int per_page = session_.items_per_page();
  int cols = (theme_.elder || theme_.mm(a.w()) < 300) ? 1 : 2;
  int rows = (per_page + cols - 1) / cols;
  float list_h = a.y1 - y - pager_h - gap;
  float iw = (a.w() - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
  float ih = (list_h - gap * static_cast<float>(rows - 1)) / static_cast<float>(rows);
  for (std::size_t i = 0; i < items.size(); ++i) {
    int r = static_cast<int>(i) / cols, col = static_cast<int>(i) % cols;
    Box b{a.x0 + static_cast<float>(col) * (iw + gap), y + static_cast<float>(r) * (ih + gap), 0, 0};
    b.x1 = b.x0 + iw;
    b.y1 = b.y0 + ih;
    std::string id = "category.item." + items[i]->code;
    if (p.button(id, b, core::Catalog::display_name(*items[i], session_.language()), ButtonStyle::Tile))
      actions.push_back(id);
    if (items[i]->self_service) {
      std::string badge = tr("category.self_badge");
      float bw = p.text_width(FontRole::Small, badge) + theme_.px(4);
      Box bb{b.x1 - bw - theme_.px(1.5), b.y0 + theme_.px(1.5), b.x1 - theme_.px(1.5),
             b.y0 + theme_.px(1.5) + p.line_height(FontRole::Small)};
      p.fill(bb, c.badge, 1);
      p.text_in(FontRole::Small, bb, badge, c.badge_text, c.badge);
    }
  }
  if (items.empty()) p.text(FontRole::Body, a.x0, y, tr("category.empty"), c.muted, c.background);
  // Pager: 上一页 / 第n页 / 下一页 (no scrolling gestures).
  int pages = session_.page_count(), page = session_.screen().page;
  float py = a.y1 - pager_h;
  std::string pt = trf("nav.page", {{"page", std::to_string(page + 1)}, {"pages", std::to_string(pages)}});
  float ptw = p.text_width(FontRole::Body, pt);
  p.text(FontRole::Body, a.cx() - ptw / 2, py + (pager_h - p.line_height(FontRole::Body)) / 2, pt, c.text,
         c.background);
  float bw = theme_.px(theme_.elder ? 55 : 45);
  if (page > 0 &&
      p.button("nav.prev",
               {a.cx() - ptw / 2 - theme_.px(10) - bw, py, a.cx() - ptw / 2 - theme_.px(10), py + pager_h},
               tr("nav.prev"), ButtonStyle::Secondary))
    actions.push_back("nav.prev");
  if (page + 1 < pages &&
      p.button("nav.next",
               {a.cx() + ptw / 2 + theme_.px(10), py, a.cx() + ptw / 2 + theme_.px(10) + bw, py + pager_h},
               tr("nav.next"), ButtonStyle::Secondary))
    actions.push_back("nav.next");
}

void KioskUI::draw_guide(Painter& p, const Box& a, std::vector<std::string>& actions) {
  const Palette& c = theme_.colors;
  const core::CatalogItem* item = catalog_.item(session_.screen().arg);
  if (!item) return;
  float y = a.y0;
  y += p.text(FontRole::Title, a.x0, y, core::Catalog::display_name(*item, session_.language()), c.text,
              c.background, a.w()) +
       theme_.px(4);
  Box panel{a.x0, y, a.x1, a.y1 - theme_.px(22)};
  p.fill(panel, c.panel, 2);
  const float pad = theme_.px(6);
  float x0 = panel.x0 + pad, label_w = theme_.px(theme_.elder ? 50 : 38), vx = x0 + label_w;
  float wrap = panel.x1 - pad - vx;
  float py = panel.y0 + pad;
  auto row = [&](const std::string& label, const std::string& value) {
    if (value.empty()) return;
    p.text(FontRole::Body, x0, py, label, c.muted, c.panel);
    py += std::max(p.line_height(FontRole::Body),
                   p.text(FontRole::Body, vx, py, value, c.text, c.panel, wrap)) +
          theme_.px(3);
  };
  std::string mode_key = "mode." + item->mode;
  row(tr("guide.mode"), strings_.has(session_.language(), mode_key) ? tr(mode_key) : item->mode);
  row(tr("guide.lead_dept"), item->lead_dept);
  row(tr("guide.coop_depts"), item->coop_depts);
  row(tr("guide.scenario"), item->scenario);
  std::string status = tr(item->self_service ? "guide.self_service" : "guide.not_here");
  Box sb{a.x0, a.y1 - theme_.px(18), a.x1, a.y1};
  if (session_.has_flow(item->code)) {
    // The one decision on this screen: start the service.
    Box start{a.x1 - theme_.px(theme_.elder ? 80 : 66), sb.y0 - theme_.px(theme_.elder ? 6 : 2), a.x1, a.y1};
    sb.x1 = start.x0 - theme_.px(6);
    if (p.button("guide.start", start, tr("guide.start"), ButtonStyle::Primary, FontRole::Title))
      actions.push_back("guide.start");
  } else {
    // Guide slip (打印办事指南): item, mode, department, where to go and a QR to the online service.
    Box print{a.x1 - theme_.px(theme_.elder ? 86 : 70), sb.y0 - theme_.px(theme_.elder ? 6 : 2), a.x1, a.y1};
    sb.x1 = print.x0 - theme_.px(6);
    const bool printing = session_.data().print_status == "printing";
    if (p.button("guide.print", print, tr(printing ? "search.guide_printing" : "search.guide_print"),
                 ButtonStyle::Primary))
      actions.push_back("guide.print");
  }
  p.fill(sb, item->self_service ? c.badge : c.countdown, 2);
  p.text_in(FontRole::Label, sb, status, item->self_service ? c.badge_text : c.countdown_text,
            item->self_service ? c.badge : c.countdown);
}

// The 搜索 button of home and category pages: top right of the content area, a secondary target.
Box KioskUI::search_button_box(const Box& a) const {
  const float w = theme_.px(theme_.elder ? 66 : 54), h = theme_.px(theme_.elder ? 20 : 16);
  return {a.x1 - w, a.y0, a.x1, a.y0 + h};
}

void KioskUI::draw_help(Painter& p, const Box& a) {
  const Palette& c = theme_.colors;
  float y = a.y0;
  y += p.text(FontRole::Title, a.x0, y, tr("help.title"), c.text, c.background) + theme_.px(4);
  Box panel{a.x0, y, a.x1, a.y1};
  p.fill(panel, c.panel, 2);
  float pad = theme_.px(8);
  float py = panel.y0 + pad;
  py += p.text(FontRole::Body, panel.x0 + pad, py, tr("help.body"), c.text, c.panel, panel.w() - 2 * pad) +
        theme_.px(8);
  p.text(FontRole::Label, panel.x0 + pad, py, tr("help.hotline"), c.text, c.panel);
}

void KioskUI::draw_overlays(Painter& p, std::vector<std::string>& actions) {
  const Palette& c = theme_.colors;
  const float W = static_cast<float>(width_), H = static_cast<float>(height_);
  if (!session_.warning() && !session_.staff_called() && session_.notice().empty()) return;
  p.fill({0, 0, W, H}, c.scrim, 0, 0.55f);
  // Nothing under the modal reacts: the base layer was drawn with the painter non-interactive.
  float pw = std::min(W - theme_.px(20), std::max(W * 0.6f, theme_.px(200)));
  float pad = theme_.px(10);
  Box panel{(W - pw) / 2, H * 0.22f, (W + pw) / 2, H * 0.78f};
  p.fill(panel, c.panel, 3);
  p.border(panel, c.tile_border, 3, 0.8f);
  float y = panel.y0 + pad;
  const float bh = theme_.px(theme_.primary_height_mm() + 4);
  Box btn{std::min(panel.x0 + pad, (W - W * 0.5f) / 2), panel.y1 - pad - bh, 0, panel.y1 - pad};
  btn.x1 = W - btn.x0;
  if (session_.warning()) {
    y +=
        p.text(FontRole::Title, panel.x0 + pad, y, tr("timeout.title"), c.text, c.panel, panel.w() - 2 * pad);
    y += theme_.px(4);
    p.text(FontRole::Label, panel.x0 + pad, y,
           trf("timeout.body", {{"seconds", std::to_string(session_.remaining_s())}}), c.text, c.panel,
           panel.w() - 2 * pad);
    if (session_.can_extend() &&
        p.button("timeout.continue", btn, tr("timeout.continue"), ButtonStyle::Primary, FontRole::Title))
      actions.push_back("timeout.continue");
  } else if (!session_.staff_called()) {
    // Why the session ended early (card removed ...): said once, dismissed by the resident.
    p.text(FontRole::Title, panel.x0 + pad, y, tr(session_.notice()), c.text, c.panel, panel.w() - 2 * pad);
    if (p.button("notice.ok", btn, tr("notice.ok"), ButtonStyle::Primary, FontRole::Title))
      actions.push_back("notice.ok");
  } else {
    p.text(FontRole::Title, panel.x0 + pad, y, tr("staff.coming"), c.text, c.panel, panel.w() - 2 * pad);
    if (p.button("staff.ok", btn, tr("staff.ok"), ButtonStyle::Primary, FontRole::Title))
      actions.push_back("staff.ok");
  }
}

}  // namespace kiosk::ui
