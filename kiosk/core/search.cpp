#include "kiosk/core/search.hpp"

#include <algorithm>
#include <cctype>

#include "kiosk/core/utf8.hpp"

namespace kiosk::core {

namespace {
constexpr int kNoMatch = -1'000'000;  // scores with gaps may be negative: sentinels lie far below
constexpr int kMaxGaps = 4;  // characters a match may skip inside a name (社保卡 → 社会保障卡 skips 2)

bool is_ascii_alnum(char32_t c) {
  return c < 0x80 && std::isalnum(static_cast<int>(c));
}

// One position of a name: what a query may type for it.
struct Unit {
  std::string literal;                 // the character itself (UTF-8, ASCII lower-cased)
  const std::vector<std::string>* py;  // its readings (Han), or null
};

std::vector<Unit> units_of(const Catalog& c, const std::string& name) {
  std::vector<Unit> out;
  for (char32_t cp : utf8_decode(name)) {
    if (is_ascii_alnum(cp)) {
      out.push_back({std::string(1, static_cast<char>(std::tolower(static_cast<int>(cp)))), nullptr});
    } else if (cp >= 0x80 && cp != 0xFFFD && !(cp >= 0x3000 && cp <= 0x303F) &&
               !(cp >= 0xFF00 && cp <= 0xFF65)) {
      out.push_back({utf8_encode(cp), c.readings(cp)});
    }  // spaces and punctuation are not typed
  }
  return out;
}

// Best score of matching q[j..] against units[i..]; `prev` = the previous unit was matched (no gap).
// Each matched unit consumes its literal, or a non-empty prefix of one of its readings (initials or
// more). Skipping a unit after the first match costs a gap.
class Matcher {
 public:
  Matcher(const std::vector<Unit>& u, const std::string& q) : u_(u), q_(q) {
    memo_.assign((u.size() + 1) * (q.size() + 1) * 2 * (kMaxGaps + 1), kUnset);
  }
  int best() {
    int b = kNoMatch;
    for (std::size_t start = 0; start < u_.size(); ++start) {
      int s = go(start, 0, kMaxGaps);
      if (s == kNoMatch) continue;
      b = std::max(b, s - 3 * static_cast<int>(start));  // matches near the start of the name rank higher
    }
    return b;
  }

 private:
  static constexpr int kUnset = -2'000'000;
  // Must match unit i (start of a run); then continue.
  int go(std::size_t i, std::size_t j, int gaps) {
    if (j == q_.size()) return 0;
    if (i >= u_.size()) return kNoMatch;
    int& m = memo_[((i * (q_.size() + 1) + j) * 2 + 0) * (kMaxGaps + 1) + static_cast<std::size_t>(gaps)];
    if (m != kUnset) return m;
    int best = kNoMatch;
    auto consider = [&](std::size_t len, int bonus) {
      int rest = next(i + 1, j + len, gaps);
      if (rest != kNoMatch) best = std::max(best, rest + bonus);
    };
    const Unit& u = u_[i];
    if (q_.compare(j, u.literal.size(), u.literal) == 0) consider(u.literal.size(), 12);
    if (u.py)
      for (const std::string& r : *u.py)
        for (std::size_t len = 1; len <= r.size() && j + len <= q_.size(); ++len) {
          if (q_[j + len - 1] != r[len - 1]) break;
          consider(len, len == r.size() ? 10 : 8);  // a whole syllable is a little better than its initial
        }
    return m = best;
  }
  // After matching unit i-1: match unit i directly, or skip units (gaps) before the next match.
  int next(std::size_t i, std::size_t j, int gaps) {
    if (j == q_.size()) return 0;
    int best = go(i, j, gaps);
    for (std::size_t k = i + 1; k < u_.size() && static_cast<int>(k - i) <= gaps; ++k) {
      int s = go(k, j, gaps - static_cast<int>(k - i));
      if (s != kNoMatch) best = std::max(best, s - 15 * static_cast<int>(k - i));
    }
    return best;
  }
  const std::vector<Unit>& u_;
  const std::string& q_;
  std::vector<int> memo_;
};

std::vector<std::string> words_of(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      cur += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// Every query word is a prefix of a distinct word of the English name.
int match_english(const std::string& name_en, std::string_view query) {
  auto qw = words_of(query);
  if (qw.empty() || name_en.empty()) return kNoMatch;
  auto nw = words_of(name_en);
  std::vector<bool> used(nw.size(), false);
  int score = 0;
  for (auto& q : qw) {
    bool found = false;
    for (std::size_t k = 0; k < nw.size() && !found; ++k) {
      if (used[k] || nw[k].rfind(q, 0) != 0) continue;
      used[k] = found = true;
      score += (q.size() == nw[k].size() ? 12 : 8) * static_cast<int>(q.size()) - static_cast<int>(k);
    }
    if (!found) return kNoMatch;
  }
  return score;
}
}  // namespace

std::string normalize_query(std::string_view q) {
  std::string out;
  for (char32_t c : utf8_decode(q)) {
    if (is_ascii_alnum(c))
      out += static_cast<char>(std::tolower(static_cast<int>(c)));
    else if (c >= 0x80 && c != 0xFFFD && !(c >= 0x3000 && c <= 0x303F) && !(c >= 0xFF00 && c <= 0xFF65))
      out += utf8_encode(c);
  }
  return out;
}

int match_item(const Catalog& catalog, const CatalogItem& item, std::string_view query) {
  const std::string q = normalize_query(query);
  if (q.empty()) return -1;
  auto units = units_of(catalog, item.name);
  int zh = Matcher(units, q).best();
  int en = match_english(item.name_en, query);
  int best = std::max(zh, en);
  if (best == kNoMatch) return -1;
  // Among equal matches: items this terminal runs itself first (less than one skipped character's
  // worth), then shorter names (the query covers more of them).
  const int here = item.self_service ? 12 : 0;
  return std::max(0, 10'000 + best + here - static_cast<int>(units.size()));
}

std::vector<SearchHit> search_catalog(const Catalog& catalog, std::string_view query) {
  std::vector<SearchHit> hits;
  if (normalize_query(query).empty()) return hits;
  for (const auto& item : catalog.items()) {
    int s = match_item(catalog, item, query);
    if (s >= 0) hits.push_back({&item, s});
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [](const SearchHit& a, const SearchHit& b) { return a.score > b.score; });
  return hits;
}

}  // namespace kiosk::core
