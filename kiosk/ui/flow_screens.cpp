// Screens of a service flow: one decision per screen, a step indicator, masked identity, the region a
// request goes to, and the flow's own texts from config/strings (keys named in config/flows).
#include <algorithm>

#include "drivers/printer/qr.hpp"
#include "kiosk/core/mask.hpp"
#include "kiosk/flow/run.hpp"
#include "kiosk/ui/kiosk_ui.hpp"
#include "kiosk/ui/painter.hpp"

namespace kiosk::ui {

using flow::FlowRun;
using flow::StepKind;

float KioskUI::draw_flow_header(Painter& p, const Box& a, const std::string& title) {
  const Palette& c = theme_.colors;
  const auto* run = dynamic_cast<const FlowRun*>(session_.flow());
  float y = a.y0;
  if (run) {
    std::string ind = trf(
        "flow.step", {{"n", std::to_string(run->step_number())}, {"m", std::to_string(run->step_count())}});
    float iw = p.text_width(FontRole::Label, ind) + theme_.px(8);
    Box ib{a.x1 - iw, y, a.x1, y + p.line_height(FontRole::Label) + theme_.px(2)};
    p.fill(ib, c.badge, 2);
    p.text_in(FontRole::Label, ib, ind, c.badge_text, c.badge);
    const core::CatalogItem* item = catalog_.item(run->item_code());
    if (item)
      p.text(FontRole::Body, a.x0, y, core::Catalog::display_name(*item, session_.language()), c.muted,
             c.background, a.w() - iw - theme_.px(6));
    y += std::max(ib.h(), p.line_height(FontRole::Body)) + theme_.px(2);
  }
  y += p.text(FontRole::Title, a.x0, y, title, c.text, c.background, a.w());
  const auto& d = session_.data();
  if (!d.region_name.empty()) {
    std::string r = trf(d.region_is_insured ? "flow.region_insured" : "flow.region_household",
                        {{"region", d.region_name}});
    y += p.text(FontRole::Body, a.x0, y, r, c.muted, c.background, a.w());
  }
  return y + theme_.px(4);
}

void KioskUI::draw_action_row(Painter& p, const Box& a, std::vector<std::string>& actions,
                              const std::vector<std::pair<std::string, std::string>>& buttons) {
  // Right-aligned, the primary (last) rightmost; each wide enough for its label.
  const float bh = theme_.px(theme_.primary_height_mm() + 2);
  const float gap = theme_.px(theme_.min_gap_mm() * 2);
  float x = a.x1;
  for (std::size_t i = buttons.size(); i-- > 0;) {
    const auto& [id, label] = buttons[i];
    float w =
        std::max(theme_.px(theme_.elder ? 70 : 56), p.text_width(FontRole::Title, label) + theme_.px(16));
    Box b{x - w, a.y1 - bh, x, a.y1};
    ButtonStyle st = i + 1 == buttons.size() ? ButtonStyle::Primary : ButtonStyle::Secondary;
    if (p.button(id, b, label, st, FontRole::Title)) actions.push_back(id);
    x = b.x0 - gap;
  }
}

void KioskUI::draw_flow(Painter& p, const Box& a, std::vector<std::string>& actions) {
  const Palette& c = theme_.colors;
  const auto* run = dynamic_cast<const FlowRun*>(session_.flow());
  if (!run) return;
  const auto& d = session_.data();
  const bool en = session_.language() == "en";
  const float pad = theme_.px(6);
  const float row_h = theme_.px(theme_.primary_height_mm() + 2);
  using Phase = FlowRun::Phase;

  auto panel_text = [&](float y, const std::string& text, FontRole role = FontRole::Label) {
    Box panel{a.x0, y, a.x1, a.y1 - row_h - theme_.px(6)};
    p.fill(panel, c.panel, 2);
    p.text(role, panel.x0 + pad, panel.y0 + pad, text, c.text, c.panel, panel.w() - 2 * pad);
    return panel;
  };

  if (run->phase() == Phase::NotOpen) {
    float y = draw_flow_header(p, a, tr("flow.not_open.title"));
    panel_text(y, trf("flow.not_open.body", {{"region", d.region_name}}), FontRole::Title);
    draw_action_row(p, a, actions, {{"flow.finish", tr("flow.finish")}});
    return;
  }
  if (run->phase() == Phase::Error) {
    float y = draw_flow_header(p, a, tr("flow.error.title"));
    panel_text(y, tr(run->message_key()), FontRole::Title);
    std::vector<std::pair<std::string, std::string>> b = {{"flow.finish", tr("nav.home")}};
    if (run->can_skip()) b.push_back({"flow.skip", tr("flow.skip")});
    if (run->can_retry()) b.push_back({"flow.retry", tr("flow.retry")});
    draw_action_row(p, a, actions, b);
    return;
  }
  if (run->phase() == Phase::PinBlocked) {
    // The card is locked (or this visit's tries are used up): what to do, no keypad.
    float y = draw_flow_header(p, a, tr("pin.blocked.title"));
    panel_text(y, tr(run->message_key()), FontRole::Title);
    draw_action_row(p, a, actions, {{"flow.finish", tr("nav.home")}});
    return;
  }
  if (run->phase() == Phase::FaceFailed) {
    float y = draw_flow_header(p, a, tr("flow.face_failed.title"));
    panel_text(y, tr(run->message_key()), FontRole::Title);
    std::vector<std::pair<std::string, std::string>> b = {{"flow.finish", tr("nav.home")}};
    if (run->attempts() < run->step().max_attempts) b.push_back({"face.retry", tr("flow.face_failed.again")});
    draw_action_row(p, a, actions, b);
    return;
  }

  const flow::Step& s = run->step();
  float y = draw_flow_header(p, a, tr(s.title));
  switch (s.kind) {
    case StepKind::Identify: {
      if (!run->hint_key().empty()) {
        Box hb{a.x0, y, a.x1, y + theme_.px(16)};
        p.fill(hb, c.countdown, 2);
        p.text_in(FontRole::Label, hb, tr(run->hint_key()), c.countdown_text, c.countdown);
        y = hb.y1 + theme_.px(4);
      }
      const float gap = theme_.px(8);
      const float n = static_cast<float>(s.sources.size());
      const float w = (a.w() - gap * (n - 1)) / n;
      float x = a.x0;
      for (auto& src : s.sources) {
        Box t{x, y, x + w, a.y1 - theme_.px(4)};
        p.fill(t, c.panel, 3);
        p.border(t, c.tile_border, 3, 0.6f);
        p.text_in(FontRole::Title, t, tr("flow.identify." + src), c.tile_text, c.panel);
        x = t.x1 + gap;
      }
      break;
    }
    case StepKind::Consent:
      panel_text(y, tr(s.body.empty() ? s.instruction : s.body));
      draw_action_row(
          p, a, actions,
          {{"consent.decline", tr("flow.consent.decline")}, {"consent.agree", tr("flow.consent.agree")}});
      break;
    case StepKind::Pin: {
      if (run->verifying_pin()) {
        Box b{a.x0, y, a.x1, a.y1 - theme_.px(10)};
        p.text_in(FontRole::Title, b, tr("pin.verifying"), c.muted, c.background);
        break;
      }
      if (!run->hint_key().empty()) {  // wrong PIN: how many tries are left
        float h = p.line_height(FontRole::Label) + theme_.px(4);
        Box hb{a.x0, y, a.x1, y + h};
        p.fill(hb, c.countdown, 2);
        p.text_in(FontRole::Label, hb, tr(run->hint_key()), c.countdown_text, c.countdown);
        y = hb.y1 + theme_.px(2);
      }
      std::string dots;
      for (std::size_t i = 0; i < 6; ++i) dots += i < run->pin_length() ? "● " : "○ ";
      p.text(FontRole::Title, a.x0, y, dots, c.text, c.background);
      // Fixed phone layout (never shuffled: elders know it), keys as tall as the space allows and wide
      // enough for 删除/确定 on one line.
      const float gap = theme_.px(5), ky0 = y + theme_.px(2);
      const float fit = (a.y1 - theme_.px(2) - ky0 - 3 * gap) / 4;
      const float key = std::max(theme_.px(18), std::min(theme_.px(theme_.elder ? 32 : 28), fit));
      const float kw =
          std::max({key * 1.4f, p.text_width(FontRole::Title, tr("flow.pin.delete")) + theme_.px(8),
                    p.text_width(FontRole::Title, tr("flow.pin.ok")) + theme_.px(8)});
      const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"};
      const float kx0 = a.cx() - (3 * kw + 2 * gap) / 2;
      for (int i = 0; i < 12; ++i) {
        Box b{kx0 + static_cast<float>(i % 3) * (kw + gap), ky0 + static_cast<float>(i / 3) * (key + gap), 0,
              0};
        b.x1 = b.x0 + kw;
        b.y1 = b.y0 + key;
        std::string id = std::string("pin.") + keys[i];
        std::string label = i == 9 ? tr("flow.pin.delete") : i == 11 ? tr("flow.pin.ok") : keys[i];
        if (i == 11 && run->pin_length() < 6) continue;  // OK appears with six digits
        if (p.button(id, b, label, i == 11 ? ButtonStyle::Primary : ButtonStyle::Secondary, FontRole::Title))
          actions.push_back(id);
      }
      break;
    }
    case StepKind::Face:
      draw_face_step(p, a, y);  // face_screen.cpp: live preview, instruction, progress
      break;
    case StepKind::Query:
    case StepKind::Submit:
    case StepKind::Print: {
      Box b{a.x0, y, a.x1, a.y1 - theme_.px(10)};
      p.text_in(FontRole::Title, b, tr("flow.busy"), c.muted, c.background);
      break;
    }
    case StepKind::Confirm: {
      Box panel{a.x0, y, a.x1, a.y1 - row_h - theme_.px(6)};
      p.fill(panel, c.panel, 2);
      float py = panel.y0 + pad, lx = panel.x0 + pad, vx = lx + theme_.px(theme_.elder ? 60 : 48);
      auto row = [&](const std::string& label, const std::string& value) {
        p.text(FontRole::Label, lx, py, label, c.muted, c.panel);
        py += std::max(p.line_height(FontRole::Label),
                       p.text(FontRole::Label, vx, py, value, c.text, c.panel, panel.x1 - pad - vx)) +
              theme_.px(3);
      };
      const core::CatalogItem* item = catalog_.item(run->item_code());
      row(tr("flow.confirm.item"),
          item ? core::Catalog::display_name(*item, session_.language()) : run->item_code());
      if (!d.identity.name.empty()) row(tr("flow.confirm.name"), core::mask_name(d.identity.name));
      if (!d.identity.id_number.empty()) row(tr("flow.confirm.id"), core::mask_id(d.identity.id_number));
      // Choices made on earlier choose steps, in words.
      for (auto& st : run->flow().steps)
        if (st.kind == StepKind::Choose && d.inputs.is_object() && d.inputs.contains(st.field) &&
            d.inputs[st.field].is_string())
          row(tr("choice." + st.field + ".title"),
              tr("choice." + st.field + "." + d.inputs[st.field].get<std::string>()));
      if (!s.body.empty())
        p.text(FontRole::Body, lx, py + theme_.px(2), tr(s.body), c.text, c.panel, panel.w() - 2 * pad);
      draw_action_row(p, a, actions, {{"confirm.submit", tr("flow.confirm.submit")}});
      break;
    }
    case StepKind::ShowResult: {
      if (!s.qr_url.empty()) {
        // Finish on the phone: the instruction on the left, the QR code (≥ 60 mm, quiet zone) on the right.
        const float q = theme_.px(theme_.elder ? 75 : 65);
        Box qb{a.x1 - q, y, a.x1, y + q};
        p.fill(qb, Rgb{0xFF, 0xFF, 0xFF}, 0);
        try {
          printer::Bitmap m = printer::qr_modules(s.qr_url, printer::QrEc::M);
          const float cell = q / static_cast<float>(m.width);
          for (int my = 0; my < m.height; ++my)
            for (int mx = 0; mx < m.width; ++mx)
              if (m.at(mx, my))
                p.fill({qb.x0 + cell * static_cast<float>(mx), qb.y0 + cell * static_cast<float>(my),
                        qb.x0 + cell * static_cast<float>(mx + 1), qb.y0 + cell * static_cast<float>(my + 1)},
                       Rgb{0, 0, 0});
        } catch (const std::exception&) {
          // A URL too long for a QR symbol is a config error; the text still tells the resident what to do.
        }
        Box tb{a.x0, y, qb.x0 - theme_.px(8), a.y1 - row_h - theme_.px(6)};
        p.fill(tb, c.panel, 2);
        p.text(FontRole::Title, tb.x0 + pad, tb.y0 + pad, tr(s.body), c.text, c.panel, tb.w() - 2 * pad);
        draw_action_row(p, a, actions, {{"flow.next", tr("flow.next")}});
        break;
      }
      const auto& r = d.result;
      const bool ok = r.is_object() && r.value("ok", false);
      const nlohmann::json data = r.is_object() && r.contains("data") ? r["data"] : nlohmann::json::object();
      std::string headline, detail;
      const std::string status = data.is_object() ? data.value("status", "") : "";
      if (ok && (status == "certified" || status == "rejected")) {
        const bool certified = data.value("status", "") == "certified";
        headline = tr(certified ? "flow.show_result.certified" : "flow.show_result.rejected");
        if (certified && !data.value("valid_until", "").empty())
          detail = trf("flow.show_result.valid_until", {{"date", data.value("valid_until", "")}});
        if (!certified) detail = trf("flow.show_result.reason", {{"reason", data.value("reason", "")}});
      } else {
        headline = tr(ok ? "flow.show_result.success" : "flow.show_result.failed");
        if (r.is_object()) detail = r.value(en ? "message_en" : "message", "");
      }
      // Green only for good news: a certification the platform turned down is shown like a failure.
      const bool good = ok && status != "rejected";
      Box panel{a.x0, y, a.x1, a.y1 - row_h - theme_.px(6)};
      p.fill(panel, good ? c.badge : c.countdown, 2);
      Rgb fg = good ? c.badge_text : c.countdown_text, bg = good ? c.badge : c.countdown;
      float py = panel.y0 + pad;
      py += p.text(FontRole::Title, panel.x0 + pad, py, headline, fg, bg, panel.w() - 2 * pad) + theme_.px(3);
      if (!detail.empty())
        py += p.text(FontRole::Label, panel.x0 + pad, py, detail, fg, bg, panel.w() - 2 * pad) + theme_.px(3);
      // Summary lines of a record (label: value), as many as fit.
      const nlohmann::json* summary = nullptr;
      if (data.is_object() && data.contains("summary")) summary = &data["summary"];
      if (data.is_object() && data.contains("record") && data["record"].is_object() &&
          data["record"].contains("summary"))
        summary = &data["record"]["summary"];
      // 办件查询: each case's item and its status in plain words.
      if (data.is_object() && data.contains("cases") && data["cases"].is_array())
        for (auto& cs : data["cases"]) {
          if (py + 3 * p.line_height(FontRole::Label) > panel.y1 - pad || !cs.is_object()) break;
          const std::string st = cs.value("status", "");
          py += p.text(FontRole::Label, panel.x0 + pad, py,
                       trf("items.case.line",
                           {{"case_no", cs.value("case_no", "")}, {"item", cs.value("item_name", "")}}),
                       fg, bg, panel.w() - 2 * pad);
          const char* known[] = {"accepted", "in_progress", "done", "returned"};
          const bool is_known =
              std::any_of(std::begin(known), std::end(known), [&](const char* k) { return st == k; });
          py +=
              p.text(FontRole::Label, panel.x0 + pad, py,
                     trf("items.case.status_line",
                         {{"status", tr(is_known ? "items.case.status." + st : "items.case.status.unknown")},
                          {"date", cs.value("updated_at", "").substr(0, 10)}}),
                     fg, bg, panel.w() - 2 * pad) +
              theme_.px(2);
        }
      if (summary && summary->is_array())
        for (auto& kv : *summary) {
          if (py + 2 * p.line_height(FontRole::Body) > panel.y1 - pad) break;
          if (!kv.is_object() || !kv.contains("label") || !kv.contains("value")) continue;
          if (!kv["label"].is_string() || !kv["value"].is_string()) continue;
          // Records carry the person's own name and numbers: masked on screen like everywhere else.
          std::string value = kv["value"].get<std::string>();
          value = value == d.identity.name ? core::mask_name(value) : core::scrub(value);
          py += p.text(FontRole::Body, panel.x0 + pad, py, kv["label"].get<std::string>() + "：" + value, fg,
                       bg, panel.w() - 2 * pad);
        }
      if (!d.transaction_number.empty() && py + p.line_height(FontRole::Body) <= panel.y1 - pad)
        p.text(FontRole::Body, panel.x0 + pad, py,
               trf("flow.show_result.txn", {{"txn", d.transaction_number}}), fg, bg, panel.w() - 2 * pad);
      draw_action_row(p, a, actions, {{"flow.next", tr("flow.next")}});
      break;
    }
    case StepKind::Rate: {
      const float gap = theme_.px(6);
      const float bw = (a.w() - 4 * gap) / 5, bh = theme_.px(theme_.elder ? 40 : 34);
      for (int i = 5; i >= 1; --i) {
        Box b{a.x0 + static_cast<float>(5 - i) * (bw + gap), y + theme_.px(4), 0, 0};
        b.x1 = b.x0 + bw;
        b.y1 = b.y0 + bh;
        std::string id = "rate." + std::to_string(i);
        if (p.button(id, b, tr("flow.rate." + std::to_string(i)), ButtonStyle::Tile, FontRole::Title))
          actions.push_back(id);
      }
      draw_action_row(p, a, actions, {{"rate.skip", tr("flow.rate.skip")}});
      break;
    }
    case StepKind::End:
      panel_text(y, tr("flow.end.body"), FontRole::Title);
      draw_action_row(p, a, actions, {{"flow.finish", tr("flow.finish")}});
      break;
    case StepKind::Choose: {
      // One decision: large tiles, up to three a row.
      if (!s.body.empty())
        y += p.text(FontRole::Body, a.x0, y, tr(s.body), c.text, c.background, a.w()) + theme_.px(3);
      const std::size_t n = s.options.size();
      std::size_t cols = n <= 4 ? 2 : 3;
      // A label that would not fit on one line of its tile: one tile per row instead (nothing wraps).
      for (auto& o : s.options) {
        const float w = (a.w() - theme_.px(6) * static_cast<float>(cols - 1)) / static_cast<float>(cols);
        if (p.text_width(FontRole::Title, tr("choice." + s.field + "." + o)) + theme_.px(12) > w) cols = 1;
      }
      const std::size_t rows = (n + cols - 1) / cols;
      const float gap = theme_.px(6);
      const float tw = (a.w() - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
      const float th = std::min(theme_.px(theme_.elder ? 40 : 34),
                                (a.y1 - y - gap * static_cast<float>(rows - 1)) / static_cast<float>(rows));
      for (std::size_t i = 0; i < n; ++i) {
        Box b{a.x0 + static_cast<float>(i % cols) * (tw + gap), y + static_cast<float>(i / cols) * (th + gap),
              0, 0};
        b.x1 = b.x0 + tw;
        b.y1 = b.y0 + th;
        std::string id = "choose." + s.options[i];
        if (p.button(id, b, tr("choice." + s.field + "." + s.options[i]), ButtonStyle::Tile, FontRole::Title))
          actions.push_back(id);
      }
      break;
    }
    case StepKind::Entry: {
      // The number typed so far (not secret: shown in groups of four), the keypad on the right, the
      // scan hint on the left.
      std::string v = d.inputs.is_object() ? d.inputs.value(s.field, "") : "";
      std::string shown;
      for (std::size_t i = 0; i < v.size(); ++i) shown += (i && i % 4 == 0 ? " " : "") + std::string(1, v[i]);
      // Keys as large as the height allows (wider than tall so 删除/确定 fit on one line).
      const float gap = theme_.px(theme_.min_gap_mm() + 1);
      const float key = std::min(theme_.px(theme_.elder ? 30 : 26), (a.y1 - y - 3 * gap) / 4);
      const float keyw =
          std::max({key, theme_.px(34), p.text_width(FontRole::Title, tr("flow.pin.delete")) + theme_.px(8),
                    p.text_width(FontRole::Title, tr("flow.pin.ok")) + theme_.px(8)});
      const float kw = 3 * keyw + 2 * gap;
      Box left{a.x0, y, a.x1 - kw - theme_.px(10), a.y1 - theme_.px(4)};
      Box field{left.x0, left.y0, left.x1, left.y0 + p.line_height(FontRole::Title) + theme_.px(8)};
      p.fill(field, c.panel, 2);
      p.border(field, c.tile_border, 2, 0.6f);
      p.text(FontRole::Title, field.x0 + pad, field.y0 + theme_.px(4), shown.empty() ? " " : shown, c.text,
             c.panel, field.w() - 2 * pad);
      float ty = field.y1 + theme_.px(4);
      if (!run->hint_key().empty()) {
        Box hb{left.x0, ty, left.x1, ty + theme_.px(16)};
        p.fill(hb, c.countdown, 2);
        p.text_in(FontRole::Label, hb, tr(run->hint_key()), c.countdown_text, c.countdown);
        ty = hb.y1 + theme_.px(4);
      }
      if (!s.body.empty()) p.text(FontRole::Label, left.x0, ty, tr(s.body), c.text, c.background, left.w());
      const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"};
      const float kx0 = a.x1 - kw, ky0 = y;
      for (int i = 0; i < 12; ++i) {
        Box b{kx0 + static_cast<float>(i % 3) * (keyw + gap), ky0 + static_cast<float>(i / 3) * (key + gap),
              0, 0};
        b.x1 = b.x0 + keyw;
        b.y1 = b.y0 + key;
        std::string id = std::string("entry.") + keys[i];
        std::string label = i == 9 ? tr("flow.pin.delete") : i == 11 ? tr("flow.pin.ok") : keys[i];
        if (i == 11 && v.size() < static_cast<std::size_t>(s.min_length)) continue;  // OK once long enough
        if (p.button(id, b, label, i == 11 ? ButtonStyle::Primary : ButtonStyle::Secondary, FontRole::Title))
          actions.push_back(id);
      }
      break;
    }
  }
}

}  // namespace kiosk::ui
