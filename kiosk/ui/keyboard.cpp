#include "kiosk/ui/keyboard.hpp"

#include <algorithm>
#include <cctype>

namespace kiosk::ui {

namespace {

struct Key {
  const char* id;  // suffix of the widget id
  int units;       // width in key units
};

using Row = std::vector<Key>;

const std::vector<Row>& rows(KeyboardLayout layout) {
  static const std::vector<Row> text{
      {{"1", 1},
       {"2", 1},
       {"3", 1},
       {"4", 1},
       {"5", 1},
       {"6", 1},
       {"7", 1},
       {"8", 1},
       {"9", 1},
       {"0", 1},
       {"minus", 1},
       {"bksp", 2}},
      {{"Q", 1},
       {"W", 1},
       {"E", 1},
       {"R", 1},
       {"T", 1},
       {"Y", 1},
       {"U", 1},
       {"I", 1},
       {"O", 1},
       {"P", 1},
       {"slash", 1},
       {"colon", 1}},
      {{"A", 1},
       {"S", 1},
       {"D", 1},
       {"F", 1},
       {"G", 1},
       {"H", 1},
       {"J", 1},
       {"K", 1},
       {"L", 1},
       {"dot", 1},
       {"ok", 3}},
      {{"shift", 2}, {"Z", 1}, {"X", 1}, {"C", 1}, {"V", 1}, {"B", 1}, {"N", 1}, {"M", 1}},
  };
  static const std::vector<Row> digits{
      {{"1", 1}, {"2", 1}, {"3", 1}, {"bksp", 2}},
      {{"4", 1}, {"5", 1}, {"6", 1}, {"ok", 2}},
      {{"7", 1}, {"8", 1}, {"9", 1}},
      {{"dot", 1}, {"0", 1}, {"minus", 1}},
  };
  return layout == KeyboardLayout::Text ? text : digits;
}

int max_units(KeyboardLayout layout) {
  int n = 0;
  for (auto& r : rows(layout)) {
    int u = 0;
    for (auto& k : r) u += k.units;
    n = std::max(n, u);
  }
  return n;
}

KeyboardMetrics clamp(const Theme& t, KeyboardMetrics m) {
  m.key_mm = std::max(m.key_mm, t.min_target_mm());
  m.gap_mm = std::max(m.gap_mm, t.min_gap_mm());
  return m;
}

bool is_letter(const std::string& k) {
  return k.size() == 1 && std::isalpha(static_cast<unsigned char>(k[0]));
}

}  // namespace

char key_char(const std::string& key) {
  if (key.size() == 1 && std::isalnum(static_cast<unsigned char>(key[0]))) return key[0];
  if (key == "minus") return '-';
  if (key == "dot") return '.';
  if (key == "colon") return ':';
  if (key == "slash") return '/';
  return '\0';
}

float keyboard_width(const Theme& t, KeyboardLayout layout, KeyboardMetrics m) {
  m = clamp(t, m);
  int u = max_units(layout);
  return t.px(u * m.key_mm + (u - 1) * m.gap_mm);
}

float keyboard_height(const Theme& t, KeyboardLayout layout, KeyboardMetrics m) {
  m = clamp(t, m);
  auto n = static_cast<double>(rows(layout).size());
  return t.px(n * m.key_mm + (n - 1) * m.gap_mm);
}

KeyboardMetrics keyboard_fit(const Theme& t, KeyboardLayout layout, float width_px, float height_px,
                             double max_key_mm) {
  KeyboardMetrics m;
  const int u = max_units(layout);
  const auto n = static_cast<double>(rows(layout).size());
  const double gap = std::max(m.gap_mm, t.min_gap_mm());
  double by_w = (t.mm(width_px) - (u - 1) * gap) / u;
  double by_h = (t.mm(height_px) - (n - 1) * gap) / n;
  m.key_mm = std::max(t.min_target_mm(), std::min({max_key_mm, by_w, by_h}));
  m.gap_mm = gap;
  return m;
}

float draw_keyboard(Painter& p, float x, float y, const std::string& id_prefix, KeyboardLayout layout,
                    const KeyboardState& state, const KeyboardLabels& labels,
                    std::vector<std::string>& actions, KeyboardMetrics m) {
  const Theme& t = p.theme();
  m = clamp(t, m);
  const float key = t.px(m.key_mm), gap = t.px(m.gap_mm);
  float yy = y;
  for (auto& row : rows(layout)) {
    float xx = x;
    for (auto& k : row) {
      const std::string id = k.id;
      const float w = key * static_cast<float>(k.units) + gap * static_cast<float>(k.units - 1);
      std::string suffix = id, label;
      FontRole role = FontRole::Label;
      ButtonStyle style = ButtonStyle::Secondary;
      if (is_letter(id)) {
        char c = state.upper ? id[0] : static_cast<char>(std::tolower(static_cast<unsigned char>(id[0])));
        suffix = label = std::string(1, c);
      } else if (char c = key_char(id)) {
        label = std::string(1, c);
      } else if (id == "bksp") {
        label = labels.backspace, role = FontRole::Small;
      } else if (id == "shift") {
        label = state.upper ? labels.shift_to_lower : labels.shift_to_upper, role = FontRole::Small;
      } else if (id == "ok") {
        label = labels.ok, role = FontRole::Small, style = ButtonStyle::Primary;
      }
      std::string wid = id_prefix + "." + suffix;
      if (p.button(wid, {xx, yy, xx + w, yy + key}, label, style, role)) actions.push_back(wid);
      xx += w + gap;
    }
    yy += key + gap;
  }
  return yy - gap - y;
}

KeyResult apply_key(const std::string& id, const std::string& id_prefix, std::string& text,
                    KeyboardState& state, std::size_t max_chars) {
  if (id.size() <= id_prefix.size() + 1 || id.compare(0, id_prefix.size(), id_prefix) != 0 ||
      id[id_prefix.size()] != '.')
    return KeyResult::NotMine;
  const std::string key = id.substr(id_prefix.size() + 1);
  if (key == "ok") return KeyResult::Ok;
  if (key == "shift") {
    state.upper = !state.upper;
    return KeyResult::Shift;
  }
  if (key == "bksp") {
    if (text.empty()) return KeyResult::Unchanged;
    // Remove one whole UTF-8 code point (text may also come from a USB keyboard).
    std::size_t n = text.size() - 1;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    text.erase(n);
    return KeyResult::Edited;
  }
  char c = key_char(key);
  if (!c) return KeyResult::NotMine;
  if (text.size() >= max_chars) return KeyResult::Unchanged;
  text.push_back(c);
  return KeyResult::Edited;
}

}  // namespace kiosk::ui
