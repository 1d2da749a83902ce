// The item catalog (事项清单): config/catalog/items.tsv + categories.toml.
#pragma once

#include <string>
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

 private:
  std::vector<Category> categories_;
  std::vector<CatalogItem> items_;
};

}  // namespace kiosk::core
