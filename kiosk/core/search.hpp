// Catalog search (issue 9): by pinyin initials ("ylj"), full or partial pinyin ("yanglao", "shebaok"),
// Chinese words including abbreviations that skip characters ("社保卡" → 社会保障卡…), and English words
// ("pension"). Pure: no I/O; readings come from the Catalog (pinyin.tsv, generated from Unihan), and a
// polyphone (行 xing/hang, 长 chang/zhang, 重 zhong/chong) matches by any of its readings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kiosk/core/catalog.hpp"

namespace kiosk::core {

struct SearchHit {
  const CatalogItem* item = nullptr;
  int score = 0;  // higher is better
};

// Lower-cases ASCII, keeps letters, digits, Han and other non-ASCII characters; drops the rest.
std::string normalize_query(std::string_view q);

// Score of one item for a query; < 0 if it does not match.
int match_item(const Catalog& catalog, const CatalogItem& item, std::string_view query);

// Matching items, best first (ties: catalog order). Empty query: no hits.
std::vector<SearchHit> search_catalog(const Catalog& catalog, std::string_view query);

}  // namespace kiosk::core
