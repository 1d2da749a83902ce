#include "kiosk/core/catalog.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "kiosk/core/config.hpp"

namespace kiosk::core {

namespace {
std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == '\t') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

void load_items(const std::filesystem::path& p, std::vector<CatalogItem>& items, std::vector<ConfigError>& errs) {
  std::ifstream in(p);
  if (!in) {
    errs.push_back({p.string(), 0, 0, "cannot open file"});
    return;
  }
  std::string line;
  std::vector<std::string> header;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    auto cols = split_tabs(line);
    if (header.empty()) {
      header = cols;
      continue;
    }
    if (cols.size() != header.size()) {
      errs.push_back({p.string(), lineno, 1,
                      "expected " + std::to_string(header.size()) + " columns, got " + std::to_string(cols.size())});
      continue;
    }
    auto col = [&](const char* name) -> std::string {
      auto it = std::find(header.begin(), header.end(), name);
      return it == header.end() ? std::string() : cols[static_cast<std::size_t>(it - header.begin())];
    };
    CatalogItem item{col("code"),      col("category"),  col("mode"),     col("self_service") == "1",
                     col("name"),      col("lead_dept"), col("coop_depts"), col("scenario"),
                     col("source_doc")};
    if (item.code.empty() || item.name.empty()) {
      errs.push_back({p.string(), lineno, 1, "item needs a code and a name"});
      continue;
    }
    // A later file (province addition) replaces an item with the same code.
    auto same = std::find_if(items.begin(), items.end(), [&](auto& i) { return i.code == item.code; });
    if (same != items.end()) *same = std::move(item);
    else items.push_back(std::move(item));
  }
}
}  // namespace

void Catalog::load_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<ConfigError> errs;
  fs::path cats = fs::path(dir) / "categories.toml";
  try {
    auto t = toml::parse_file(cats.string());
    if (auto* arr = t["category"].as_array()) {
      for (auto& n : *arr) {
        auto* c = n.as_table();
        if (!c) continue;
        Category cat{(*c)["id"].value_or(std::string()), (*c)["name"].value_or(std::string()),
                     (*c)["name_en"].value_or(std::string()), (*c)["all_self_service"].value_or(false)};
        if (cat.id.empty() || cat.name.empty())
          errs.push_back({cats.string(), static_cast<int>(c->source().begin.line), 1, "category needs id and name"});
        else categories_.push_back(std::move(cat));
      }
    }
  } catch (const toml::parse_error& e) {
    errs.push_back({cats.string(), static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column),
                    std::string(e.description())});
  }
  load_items(fs::path(dir) / "items.tsv", items_, errs);
  std::vector<fs::path> extra;
  if (fs::is_directory(dir))
    for (auto& e : fs::directory_iterator(dir)) {
      auto name = e.path().filename().string();
      if (name != "items.tsv" && name.size() > 10 && name.ends_with(".items.tsv")) extra.push_back(e.path());
    }
  std::sort(extra.begin(), extra.end());
  for (auto& p : extra) load_items(p, items_, errs);
  for (auto& i : items_)
    if (!category(i.category)) errs.push_back({(fs::path(dir) / "items.tsv").string(), 0, 0,
                                               "item " + i.code + " has unknown category '" + i.category + "'"});
  if (!errs.empty()) throw ConfigLoadError(std::move(errs));
}

const Category* Catalog::category(const std::string& id) const {
  for (auto& c : categories_)
    if (c.id == id) return &c;
  return nullptr;
}

const CatalogItem* Catalog::item(const std::string& code) const {
  for (auto& i : items_)
    if (i.code == code) return &i;
  return nullptr;
}

std::vector<const CatalogItem*> Catalog::items_in(const std::string& category_id) const {
  std::vector<const CatalogItem*> out;
  const Category* c = category(category_id);
  for (auto& i : items_)
    if ((c && c->all_self_service) ? i.self_service : i.category == category_id) out.push_back(&i);
  return out;
}

std::vector<std::string> Catalog::all_texts() const {
  std::vector<std::string> out;
  for (auto& c : categories_) {
    out.push_back(c.name);
    out.push_back(c.name_en);
  }
  for (auto& i : items_) {
    for (auto* s : {&i.name, &i.mode, &i.lead_dept, &i.coop_depts, &i.scenario}) out.push_back(*s);
  }
  return out;
}

}  // namespace kiosk::core
