#include "kiosk/ui/tech_screens.hpp"

#include <algorithm>
#include <cstdio>

#include "kiosk/tech/tech_mode.hpp"
#include "kiosk/ui/keyboard.hpp"

namespace kiosk::ui {

namespace {

struct Ctx {
  Painter& p;
  const Theme& t;
  const core::Strings& s;
  const std::string& lang;
  std::vector<std::string>& actions;
  // "中文 English" for labels: user-facing text in Chinese with English alongside.
  std::string both(const std::string& key) const {
    std::string zh = s.get("zh-CN", key), en = s.get("en", key);
    return zh == en ? zh : zh + " " + en;
  }
  // A check's name for people: "身份证读卡器 ID card reader" (the id when no string exists).
  std::string check_name(const std::string& id, const char* sep = " ") const {
    std::string key = "tech.check." + id;
    if (!s.has("zh-CN", key)) return id;
    std::string zh = s.get("zh-CN", key), en = s.has("en", key) ? s.get("en", key) : zh;
    return zh == en ? zh : zh + sep + en;
  }
  std::string fmt(const std::string& lang_, const std::string& key,
                  const std::vector<std::pair<std::string, std::string>>& args) const {
    return s.format(lang_, key, args);
  }
  void button(const std::string& id, const Box& b, const std::string& label,
              ButtonStyle st = ButtonStyle::Secondary, FontRole role = FontRole::Label) {
    if (p.button(id, b, label, st, role)) actions.push_back(id);
  }
};

Rgb status_color(tech::CheckStatus st) {
  switch (st) {
    case tech::CheckStatus::Pass:
      return {0x1B, 0x5E, 0x20};
    case tech::CheckStatus::Warn:
      return {0x8A, 0x4B, 0x00};
    case tech::CheckStatus::Fail:
      return {0xB3, 0x26, 0x1E};
    case tech::CheckStatus::Skip:
      return {0x3D, 0x47, 0x55};
  }
  return {0, 0, 0};
}

void message(Ctx& c, const tech::TechMode& m, float x, float y, float w) {
  if (m.message_key().empty()) return;
  auto zh = c.fmt("zh-CN", m.message_key(), m.message_args());
  auto en = c.fmt("en", m.message_key(), m.message_args());
  c.p.text(FontRole::Body, x, y, zh + "\n" + en, c.t.colors.countdown_text, c.t.colors.background, w);
}

void pin_pad(Ctx& c, const tech::TechMode& m, const Box& a) {
  const auto& col = c.t.colors;
  float y = a.y0;
  y += c.p.text(FontRole::Title, a.x0, y, c.both("tech.pin.prompt"), col.text, col.background) + c.t.px(4);
  std::string dots;
  for (std::size_t i = 0; i < m.pin_length(); ++i) dots += "* ";
  Box field{a.x0, y, a.x0 + c.t.px(120), y + c.t.px(16)};
  c.p.fill(field, col.panel, 2);
  c.p.border(field, col.tile_border, 2, 0.5);
  c.p.text_in(FontRole::Title, field, dots.empty() ? " " : dots, col.text, col.panel);
  y = field.y1 + c.t.px(6);
  const float k = c.t.px(24), gap = c.t.px(6);
  const char* keys[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"};
  for (int i = 0; i < 12; ++i) {
    float x = a.x0 + static_cast<float>(i % 3) * (k * 1.6f + gap);
    float yy = y + static_cast<float>(i / 3) * (k + gap);
    std::string key = keys[i];
    std::string label = key == "clear" ? c.both("tech.pin.clear") : key == "ok" ? c.both("tech.pin.ok") : key;
    c.button("tech.key." + key, {x, yy, x + k * 1.6f, yy + k}, label,
             key == "ok" ? ButtonStyle::Primary : ButtonStyle::Secondary,
             key.size() == 1 ? FontRole::Title : FontRole::Label);
  }
  const float mx = a.x0 + 3 * (k * 1.6f + gap) + c.t.px(10);
  c.p.text(FontRole::Body, mx, y + 4 * (k + gap) - c.t.px(20), c.both("tech.card.hint"), col.muted,
           col.background, a.x1 - mx);
  message(c, m, mx, y, a.x1 - mx);
}

void menu(Ctx& c, const tech::TechMode& m, const Box& a) {
  const char* items[] = {"wizard", "devices", "diagnostics", "logs"};
  const float bw = c.t.px(110), bh = c.t.px(30), gap = c.t.px(10);
  for (int i = 0; i < 4; ++i) {
    float x = a.x0 + static_cast<float>(i % 2) * (bw + gap);
    float y = a.y0 + static_cast<float>(i / 2) * (bh + gap);
    std::string id = std::string("tech.menu.") + items[i];
    c.button(id, {x, y, x + bw, y + bh}, c.both(id), ButtonStyle::Tile);
  }
  float y = a.y0 + 2 * (bh + gap);
  c.button("tech.export", {a.x0, y, a.x0 + bw, y + bh}, c.both("tech.menu.export"), ButtonStyle::Tile);
  message(c, m, a.x0, y + bh + gap, a.w());
}

void results_list(Ctx& c, const tech::TechMode& m, const std::vector<std::string>& ids, Box a, bool buttons,
                  int columns) {
  const auto& col = c.t.colors;
  // Each row: the check (a button to run it again) with its status, the detail, and what to do.
  const float bh = c.t.px(buttons ? 15 : 12), rh = c.t.px(buttons ? 28 : 22), gap = c.t.px(6),
              bw = c.t.px(buttons ? 60 : 62);
  const float cw = (a.w() - static_cast<float>(columns - 1) * c.t.px(8)) / static_cast<float>(columns);
  const std::size_t per_col =
      (ids.size() + static_cast<std::size_t>(columns) - 1) / static_cast<std::size_t>(columns);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& id = ids[i];
    float x = a.x0 + static_cast<float>(i / per_col) * (cw + c.t.px(8));
    float y = a.y0 + static_cast<float>(i % per_col) * (rh + gap);
    if (y + rh > a.y1) continue;
    const tech::CheckResult* r = nullptr;
    for (auto& res : m.results())
      if (res.id == id) r = &res;
    if (buttons)
      c.button("tech.check." + id, {x, y, x + bw, y + bh}, c.check_name(id, "\n"), ButtonStyle::Secondary,
               FontRole::Small);
    else
      c.p.text(FontRole::Small, x, y, c.check_name(id), col.text, col.background, bw);
    float dx = x + bw + c.t.px(4);
    if (m.checking(id)) {  // running on the check thread: the result replaces this when it arrives
      c.p.text(FontRole::Small, dx, y, c.both("tech.checking.label"), col.countdown_text, col.background);
      continue;
    }
    if (!r) continue;
    std::string st = c.both(std::string("tech.diag.") + tech::to_string(r->status));
    c.p.text(FontRole::Small, dx, y, st, status_color(r->status), col.background);
    float tx = dx + c.t.px(42);
    float dh = c.p.text(FontRole::Small, tx, y, r->detail, col.text, col.background, x + cw - tx);
    if (r->status != tech::CheckStatus::Pass)
      c.p.text(FontRole::Small, x, y + std::max(bh, dh) + c.t.px(1),
               c.lang == "en" ? r->advice_en : r->advice_zh, status_color(r->status), col.background, cw);
  }
}

void diagnostics(Ctx& c, const tech::TechMode& m, const Box& a) {
  const float bh = c.t.px(14);
  c.button("tech.diag.all", {a.x0, a.y0, a.x0 + c.t.px(80), a.y0 + bh}, c.both("tech.diag.run_all"),
           ButtonStyle::Primary);
  results_list(c, m, m.hooks().check_ids, {a.x0, a.y0 + bh + c.t.px(6), a.x1, a.y1}, true, 2);
}

void devices(Ctx& c, const tech::TechMode& m, const Box& a) {
  const auto& col = c.t.colors;
  const float rh = c.t.px(15), gap = c.t.px(6);
  float y = a.y0;
  for (auto role : {"idcard", "sscard", "printer", "scanner", "camera"}) {
    auto* b = m.bindings().get(role);
    const std::string rk = std::string("tech.role.") + role;
    c.p.text(FontRole::Small, a.x0, y, c.s.get("zh-CN", rk) + "\n" + c.s.get("en", rk), col.text,
             col.background);
    std::string bound = b ? c.both("tech.devices.bound") + ": " + b->profile_name + " @ " + b->device : "-";
    c.p.text(FontRole::Small, a.x0 + c.t.px(40), y, bound, col.muted, col.background, c.t.px(106));
    c.button(std::string("tech.test.") + role, {a.x0 + c.t.px(150), y, a.x0 + c.t.px(190), y + rh},
             c.both("tech.devices.test"), ButtonStyle::Secondary, FontRole::Small);
    y += rh + gap;
  }
  y += c.t.px(2);
  c.p.text(FontRole::Body, a.x0, y, c.both("tech.devices.found"), col.text, col.background);
  y += c.t.px(11);
  if (m.matches().empty()) {
    c.p.text(FontRole::Small, a.x0, y, c.both("tech.devices.none"), col.countdown_text, col.background);
    y += rh;
  }
  for (std::size_t i = 0; i < m.matches().size() && y + rh < a.y0 + a.h() * 0.62f; ++i) {
    auto& row = m.matches()[i];
    c.p.text(FontRole::Small, a.x0, y,
             (c.s.has("zh-CN", "tech.role." + row[0]) ? c.both("tech.role." + row[0]) : row[0]) + "  " +
                 row[4] + " : " + row[1] + "  @ " + row[2] + " (" + row[3] + ")",
             col.text, col.background);
    c.button("tech.bind." + std::to_string(i), {a.x0 + c.t.px(150), y, a.x0 + c.t.px(190), y + rh},
             c.both("tech.devices.bind"), ButtonStyle::Primary, FontRole::Small);
    y += rh + gap;
  }
  std::vector<std::string> ids;
  for (auto& r : m.results()) ids.push_back(r.id);
  for (auto& id : m.hooks().check_ids)
    if (m.checking(id) && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  results_list(c, m, ids, {a.x0, y + c.t.px(4), a.x1, a.y1}, false, 2);
}

void wizard_values(Ctx& c, const tech::TechMode& m, const Box& a, float y) {
  const auto& col = c.t.colors;
  const float label_w = c.t.px(72), value_w = c.t.px(160), bh = c.t.px(12), row = c.t.px(22);
  const float vx = a.x0 + label_w;
  for (auto& f : tech::TechMode::wizard_fields()) {
    const bool editing = m.editing() == f;
    c.p.text(FontRole::Body, a.x0, y + c.t.px(2), c.both("tech.wizard." + f), col.text, col.background,
             label_w);
    Box vb{vx, y, vx + value_w, y + bh};
    std::string shown = editing ? m.edit_text() + "|" : m.field_value(f);
    c.button("tech.field." + f, vb, shown.empty() ? "-" : shown,
             editing ? ButtonStyle::Tile : ButtonStyle::Secondary, FontRole::Body);
    if (editing)
      c.p.border({vb.x0 - c.t.px(1), vb.y0 - c.t.px(1), vb.x1 + c.t.px(1), vb.y1 + c.t.px(1)}, col.primary, 2,
                 0.8f);
    // Beside the value: what it means (region name, pixel pitch).
    const float nx = vb.x1 + c.t.px(4);
    if (f == "region_code") {
      std::string name = m.region_label();
      const std::string& code = editing ? m.edit_text() : m.field_value(f);
      if (!name.empty())
        c.p.text(FontRole::Body, nx, y + c.t.px(2), name, col.text, col.background, a.x1 - nx);
      else if (code.size() == 6)
        c.p.text(FontRole::Small, nx, y + c.t.px(3), c.both("tech.wizard.region_unknown"), col.countdown_text,
                 col.background, a.x1 - nx);
    } else if (f == "panel") {
      char mm[32];
      std::snprintf(mm, sizeof mm, "%.3f", m.panel_pitch_mm());
      std::string t = m.panel_pitch_mm() > 0 ? c.fmt("zh-CN", "tech.wizard.pitch", {{"mm", mm}}) + " " +
                                                   c.fmt("en", "tech.wizard.pitch", {{"mm", mm}})
                                             : c.both("tech.wizard.panel_help");
      c.p.text(FontRole::Small, nx, y + c.t.px(3), t, col.muted, col.background, a.x1 - nx);
    } else if (f == "hall_name" && editing) {
      c.p.text(FontRole::Small, nx, y + c.t.px(3), c.both("tech.wizard.usb_keyboard"), col.muted,
               col.background, a.x1 - nx);
    }
    if (auto* e = m.field_error(f))  // validation message next to the field, Chinese first
      c.p.text(FontRole::Small, vx, vb.y1 + c.t.px(1), e->zh + "  " + e->en,
               status_color(tech::CheckStatus::Fail), col.background, a.x1 - vx);
    y += row;
  }
  y += c.t.px(2);
  if (!m.editing().empty()) {
    const bool digits = m.editing() == "region_code" || m.editing() == "panel";
    auto layout = digits ? KeyboardLayout::Digits : KeyboardLayout::Text;
    KeyboardState ks{m.keyboard_upper()};
    KeyboardLabels labels{c.both("tech.pin.ok"), "删除 Del", "小写 abc", "大写 ABC"};
    KeyboardMetrics km = keyboard_fit(c.t, layout, a.w() * 0.6f, a.y1 - y, 14.0);
    draw_keyboard(c.p, a.x0, y, "tech.kb", layout, ks, labels, c.actions, km);
    float cx = a.x0 + keyboard_width(c.t, layout, km) + c.t.px(10);
    c.button("tech.edit.cancel", {cx, y, cx + c.t.px(44), y + c.t.px(14)}, c.both("tech.wizard.cancel"),
             ButtonStyle::Secondary, FontRole::Small);
    return;
  }
  c.p.text(FontRole::Small, a.x0, y, c.both("tech.wizard.hint"), col.muted, col.background, a.w());
}

void wizard(Ctx& c, const tech::TechMode& m, const Box& a) {
  const auto& col = c.t.colors;
  using Step = tech::TechMode::WizardStep;
  const char* step_key = m.wizard_step() == Step::Values  ? "tech.wizard.step_values"
                         : m.wizard_step() == Step::Enrol ? "tech.wizard.step_enrol"
                                                          : "tech.wizard.step_time";
  float y = a.y0;
  y += c.p.text(FontRole::Body, a.x0, y, c.both(step_key), col.tile_text, col.background) + c.t.px(4);
  // Navigation on the right: save / back / next, then the status line.
  const float nx = a.x1 - c.t.px(78), bw = c.t.px(78), bh = c.t.px(14), gap = c.t.px(6);
  float ny = a.y0;
  if (m.editing().empty()) {
    if (m.wizard_step() == Step::Values) {
      c.button("tech.wizard.save", {nx, ny, nx + bw, ny + bh}, c.both("tech.wizard.save"),
               ButtonStyle::Secondary);
      ny += bh + gap;
    } else {
      c.button("tech.wizard.prev", {nx, ny, nx + bw, ny + bh}, c.both("tech.wizard.prev"),
               ButtonStyle::Secondary);
      ny += bh + gap;
    }
    c.button("tech.wizard.next", {nx, ny, nx + bw, ny + bh},
             c.both(m.wizard_step() == Step::Time ? "tech.wizard.step_devices" : "tech.wizard.next"),
             ButtonStyle::Primary, FontRole::Small);
    ny += bh + gap;
  }
  message(c, m, nx, ny, bw);
  Box left{a.x0, a.y0, nx - c.t.px(8), a.y1};
  switch (m.wizard_step()) {
    case Step::Values:
      wizard_values(c, m, left, y);
      break;
    case Step::Enrol: {
      y += c.p.text(FontRole::Body, a.x0, y, c.both("tech.wizard.enrol_help"), col.text, col.background,
                    left.w()) +
           c.t.px(4);
      for (auto& [key, value, ok] : m.summary()) {
        if (key != "tech.wizard.certificate") continue;
        c.p.text(FontRole::Body, a.x0, y, c.both(key) + ": " + value,
                 ok ? status_color(tech::CheckStatus::Pass) : status_color(tech::CheckStatus::Fail),
                 col.background, left.w());
        y += c.t.px(12);
      }
      c.button("tech.wizard.csr", {a.x0, y, a.x0 + c.t.px(110), y + bh}, c.both("tech.wizard.csr"),
               ButtonStyle::Primary, FontRole::Small);
      y += bh + gap;
      c.p.text(FontRole::Small, a.x0, y,
               c.fmt("zh-CN", "tech.wizard.cert_source", {{"path", m.hooks().cert_source}}) + "\n" +
                   c.fmt("en", "tech.wizard.cert_source", {{"path", m.hooks().cert_source}}),
               col.muted, col.background, left.w());
      y += c.t.px(16);
      c.button("tech.wizard.install", {a.x0, y, a.x0 + c.t.px(110), y + bh}, c.both("tech.wizard.install"),
               ButtonStyle::Secondary, FontRole::Small);
      break;
    }
    case Step::Time: {
      y += c.p.text(FontRole::Body, a.x0, y, c.both("tech.wizard.time_help"), col.text, col.background,
                    left.w()) +
           c.t.px(4);
      c.button("tech.wizard.time", {a.x0, y, a.x0 + c.t.px(110), y + bh}, c.both("tech.wizard.time_check"),
               ButtonStyle::Primary, FontRole::Small);
      y += bh + gap;
      results_list(c, m, {"system.clock", "system.certificate"}, {a.x0, y, left.x1, a.y1}, false, 1);
      break;
    }
  }
}

void logs(Ctx& c, const tech::TechMode& m, const Box& a) {
  const auto& col = c.t.colors;
  float y = a.y0;
  c.p.text(FontRole::Body, a.x0, y, c.both("tech.recent"), col.text, col.background);
  y += c.t.px(11);
  for (auto& e : m.recent_log(14)) {
    std::time_t t = e.wall + 8 * 3600;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%m-%d %H:%M:%S", &tm);
    c.p.text(FontRole::Small, a.x0, y,
             std::to_string(e.seq) + "  " + buf + "  " + e.source + "  " + e.action + "  " + e.detail,
             col.text, col.background, a.w());
    y += c.t.px(8);
    if (y > a.y1 - c.t.px(30)) break;
  }
  float by = a.y1 - c.t.px(20);
  c.button("tech.export", {a.x0, by, a.x0 + c.t.px(110), by + c.t.px(16)}, c.both("tech.menu.export"),
           ButtonStyle::Primary);
  message(c, m, a.x0 + c.t.px(120), by, a.w() - c.t.px(120));
}

}  // namespace

Box tech_corner(const Theme& t) {
  return {0, 0, t.px(20), t.px(20)};
}

void draw_tech(Painter& p, const Theme& t, float W, float H, const tech::TechMode& mode,
               const core::Strings& s, const std::string& lang, std::vector<std::string>& actions) {
  Ctx c{p, t, s, lang, actions};
  const auto& col = t.colors;
  p.fill({0, 0, W, H}, col.background);
  const float top = t.px(22), m = t.px(8);
  p.fill({0, 0, W, top}, col.bar);
  p.text_in(FontRole::Title, {m, 0, W / 2, top}, c.both("tech.title"), col.bar_text, col.bar, false);
  const float bw = t.px(84), bh = t.px(14), gap = t.px(6);
  c.button("tech.leave", {W - m - bw, (top - bh) / 2, W - m, (top + bh) / 2}, c.both("tech.leave"),
           ButtonStyle::Danger);
  using S = tech::TechMode::Screen;
  if (mode.screen() != S::Pin && mode.screen() != S::Menu)
    c.button("tech.back", {W - m - 2 * bw - gap, (top - bh) / 2, W - m - bw - gap, (top + bh) / 2},
             c.both("tech.back"));
  Box area{m, top + t.px(6), W - m, H - t.px(6)};
  switch (mode.screen()) {
    case S::Pin:
      pin_pad(c, mode, area);
      break;
    case S::Menu:
      menu(c, mode, area);
      break;
    case S::Diagnostics:
      diagnostics(c, mode, area);
      break;
    case S::Devices:
      devices(c, mode, area);
      break;
    case S::Wizard:
      wizard(c, mode, area);
      break;
    case S::Logs:
      logs(c, mode, area);
      break;
    case S::Closed:
      break;
  }
}

}  // namespace kiosk::ui
