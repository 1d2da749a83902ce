// Catalog search screen (issue 9): query line, common words (Chinese without an IME), results paged with
// 上一页/下一页 beside the on-screen keyboard (kiosk/ui/keyboard.hpp, ids "search.key.<key>").
#include <algorithm>
#include <sstream>

#include "kiosk/ui/kiosk_ui.hpp"
#include "kiosk/ui/painter.hpp"

namespace kiosk::ui {

void KioskUI::draw_search(Painter& p, const Box& a, std::vector<std::string>& actions) {
  const Palette& c = theme_.colors;
  const float gap = theme_.px(5);
  float y = a.y0;
  // Title and the query line with 清空.
  const float title_h = p.line_height(FontRole::Title);
  p.text(FontRole::Title, a.x0, y, tr("search.title"), c.text, c.background);
  const float qx = a.x0 + p.text_width(FontRole::Title, tr("search.title")) + theme_.px(8);
  const float clear_w = theme_.px(theme_.elder ? 36 : 30);
  Box query{qx, y + theme_.px(1), a.x1 - clear_w - gap, y + std::max(title_h, theme_.px(16)) - theme_.px(1)};
  p.fill(query, c.panel, 2);
  p.border(query, c.tile_border, 2, 0.5f);
  const std::string& q = session_.search_query();
  const float pad = theme_.px(4);
  Box qtext{query.x0 + pad, query.y0, query.x1 - pad, query.y1};
  if (q.empty())
    p.text_in(FontRole::Body, qtext, tr("search.query_empty"), c.muted, c.panel, false);
  else
    p.text_in(FontRole::Label, qtext, q, c.text, c.panel, false);
  if (p.button("search.clear", {query.x1 + gap, query.y0, a.x1, query.y1}, tr("search.clear"),
               ButtonStyle::Secondary))
    actions.push_back("search.clear");
  y = query.y1 + gap;

  // Common words: a row of chips ("search.word.<word>").
  std::vector<std::string> words;
  {
    std::stringstream ss(tr("search.hot_words"));
    for (std::string w; std::getline(ss, w, ',');)
      if (!w.empty()) words.push_back(w);
  }
  const float chip_h = theme_.px(theme_.min_target_mm() + 3);
  float x = a.x0;
  std::string label = tr("search.words");
  p.text(FontRole::Body, x, y + (chip_h - p.line_height(FontRole::Body)) / 2, label, c.muted, c.background);
  x += p.text_width(FontRole::Body, label) + gap;
  for (auto& w : words) {
    float cw =
        std::max(p.text_width(FontRole::Label, w) + theme_.px(8), theme_.px(theme_.min_target_mm() + 4));
    if (x + cw > a.x1) break;
    std::string id = "search.word." + w;
    if (p.button(id, {x, y, x + cw, y + chip_h}, w, ButtonStyle::Tile)) actions.push_back(id);
    x += cw + gap;
  }
  y += chip_h + gap;

  // Keyboard on the right, results with the pager on the left.
  const float kb_area_w = a.w() * (theme_.elder ? 0.5f : 0.44f);
  const float area_h = a.y1 - y;
  KeyboardMetrics km = keyboard_fit(theme_, KeyboardLayout::Text, kb_area_w, area_h);
  const float kb_w = keyboard_width(theme_, KeyboardLayout::Text, km);
  KeyboardLabels labels;
  labels.ok = tr("search.clear") == "Clear" ? "OK" : "确定 OK";
  draw_keyboard(p, a.x1 - kb_w, y, "search.key", KeyboardLayout::Text, search_kb_, labels, actions, km);
  Box list{a.x0, y, a.x1 - kb_w - theme_.px(8), a.y1};

  const float pager_h = theme_.px(16);
  auto results = session_.search_results();
  auto items = session_.page_items();
  std::string status;
  if (q.empty())
    status = tr("search.hint");
  else if (results.empty())
    status = tr("search.none");
  else
    status = trf("search.count", {{"count", std::to_string(results.size())}});
  float sy =
      list.y0 + p.text(FontRole::Body, list.x0, list.y0, status, c.muted, c.background, list.w()) + gap;
  const int per_page = session_.items_per_page();
  const float rows_h = list.y1 - pager_h - gap - sy;
  const float ih = std::min(theme_.px(theme_.elder ? 30 : 24),
                            (rows_h - gap * static_cast<float>(per_page - 1)) / static_cast<float>(per_page));
  for (std::size_t i = 0; i < items.size(); ++i) {
    Box b{list.x0, sy + static_cast<float>(i) * (ih + gap), list.x1, 0};
    b.y1 = b.y0 + ih;
    std::string id = "search.result." + items[i]->code;
    if (p.button(id, b, core::Catalog::display_name(*items[i], session_.language()), ButtonStyle::Tile))
      actions.push_back(id);
  }
  if (results.empty()) return;
  // Pager: 上一页 / 第n页 / 下一页.
  const int pages = session_.page_count(), page = session_.screen().page;
  const float py = list.y1 - pager_h;
  std::string pt = trf("nav.page", {{"page", std::to_string(page + 1)}, {"pages", std::to_string(pages)}});
  const float ptw = p.text_width(FontRole::Body, pt), cx = list.cx();
  p.text(FontRole::Body, cx - ptw / 2, py + (pager_h - p.line_height(FontRole::Body)) / 2, pt, c.text,
         c.background);
  const float bw = std::min(theme_.px(theme_.elder ? 55 : 45), (list.w() - ptw) / 2 - theme_.px(12));
  if (page > 0 &&
      p.button("nav.prev", {cx - ptw / 2 - theme_.px(8) - bw, py, cx - ptw / 2 - theme_.px(8), py + pager_h},
               tr("nav.prev"), ButtonStyle::Secondary))
    actions.push_back("nav.prev");
  if (page + 1 < pages &&
      p.button("nav.next", {cx + ptw / 2 + theme_.px(8), py, cx + ptw / 2 + theme_.px(8) + bw, py + pager_h},
               tr("nav.next"), ButtonStyle::Secondary))
    actions.push_back("nav.next");
}

}  // namespace kiosk::ui
