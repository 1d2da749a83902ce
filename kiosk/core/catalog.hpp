// The item catalog (事项清单): config/catalog/items.tsv + categories.toml, English names
// (items.en.tsv), pinyin readings for search (pinyin.tsv) and guide settings (guide.toml).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace kiosk::core {

struct CatalogItem {
  std::string code;  // "KS-A013"
  std::string category;
  std::string mode;  // 自助通办 / 全程网办 / 异地代收代办 / 多地联办
  bool self_service = false;
  std::string name;
  std::string lead_dept;
  std::string coop_depts;
  std::string scenario;
  std::string source_doc;
  std::string name_en;  // items.en.tsv (empty: show the Chinese name)
};

struct Category {
  std::string id;
  std::string name;
  std::string name_en;
  bool all_self_service = false;  // lists every self-service item regardless of its category
};

class Catalog {
 public:
  // Loads dir/categories.toml and dir/items.tsv (and any dir/*.items.tsv a province adds).
  void load_dir(const std::string& dir);
  void add_item(CatalogItem item) { items_.push_back(std::move(item)); }
  void add_category(Category c) { categories_.push_back(std::move(c)); }

  const std::vector<Category>& categories() const { return categories_; }
  const std::vector<CatalogItem>& items() const { return items_; }
  const Category* category(const std::string& id) const;
  const CatalogItem* item(const std::string& code) const;
  std::vector<const CatalogItem*> items_in(const std::string& category_id) const;
  std::vector<std::string> all_texts() const;

  // Name in the UI language: the English name when lang is "en" and the item has one.
  static const std::string& display_name(const CatalogItem& item, const std::string& lang);
  // Toneless pinyin readings of a Han character (pinyin.tsv, generated from Unihan); null if unknown.
  const std::vector<std::string>* readings(char32_t c) const;
  void add_readings(char32_t c, std::vector<std::string> r) { pinyin_[c] = std::move(r); }
  // The item's online service (guide.toml url_pattern with {code}); empty if not configured.
  std::string guide_url(const std::string& code) const;
  // Where a resident goes for the item (guide.toml [where] by mode, else "default").
  std::string where_to_go(const CatalogItem& item) const;
  // The fields config/receipts/guide_slip_80.toml prints for an item (non-personal only).
  nlohmann::json guide_slip_fields(const CatalogItem& item) const;

 private:
  std::vector<Category> categories_;
  std::vector<CatalogItem> items_;
  std::unordered_map<char32_t, std::vector<std::string>> pinyin_;
  std::string guide_url_pattern_;
  std::map<std::string, std::string> where_;
};

}  // namespace kiosk::core
