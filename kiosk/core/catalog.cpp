#include "kiosk/core/catalog.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kiosk/core/config.hpp"
#include "kiosk/core/utf8.hpp"

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

void load_items(const std::filesystem::path& p, std::vector<CatalogItem>& items,
                std::vector<ConfigError>& errs) {
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
      errs.push_back(
          {p.string(), lineno, 1,
           "expected " + std::to_string(header.size()) + " columns, got " + std::to_string(cols.size())});
      continue;
    }
    auto col = [&](const char* name) -> std::string {
      auto it = std::find(header.begin(), header.end(), name);
      return it == header.end() ? std::string() : cols[static_cast<std::size_t>(it - header.begin())];
    };
    CatalogItem item{col("code"),      col("category"),  col("mode"),       col("self_service") == "1",
                     col("name"),      col("lead_dept"), col("coop_depts"), col("scenario"),
                     col("source_doc")};
    if (item.code.empty() || item.name.empty()) {
      errs.push_back({p.string(), lineno, 1, "item needs a code and a name"});
      continue;
    }
    // A later file (province addition) replaces an item with the same code.
    auto same = std::find_if(items.begin(), items.end(), [&](auto& i) { return i.code == item.code; });
    if (same != items.end())
      *same = std::move(item);
    else
      items.push_back(std::move(item));
  }
}
// code \t name_en (a header row "code\tname_en" and # comments allowed).
void load_names_en(const std::filesystem::path& p, std::vector<CatalogItem>& items,
                   std::vector<ConfigError>& errs) {
  std::ifstream in(p);
  if (!in) return;  // optional
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#' || line.rfind("code\t", 0) == 0) continue;
    auto cols = split_tabs(line);
    if (cols.size() != 2 || cols[0].empty() || cols[1].empty()) {
      errs.push_back({p.string(), lineno, 1, "expected: code<TAB>English name"});
      continue;
    }
    // A name for an item this terminal does not list (a province item not configured here) is unused.
    auto it = std::find_if(items.begin(), items.end(), [&](auto& i) { return i.code == cols[0]; });
    if (it != items.end()) it->name_en = cols[1];
  }
}

void load_pinyin(const std::filesystem::path& p, Catalog& cat, std::vector<ConfigError>& errs) {
  std::ifstream in(p);
  if (!in) return;  // optional: without it search matches characters and English words only
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    auto cols = split_tabs(line);
    auto cps = utf8_decode(cols[0]);
    if (cols.size() != 2 || cps.size() != 1 || cols[1].empty()) {
      errs.push_back({p.string(), lineno, 1, "expected: character<TAB>reading[,reading...]"});
      continue;
    }
    std::vector<std::string> readings;
    std::stringstream ss(cols[1]);
    for (std::string r; std::getline(ss, r, ',');) {
      bool ok = !r.empty() && std::all_of(r.begin(), r.end(), [](char c) { return c >= 'a' && c <= 'z'; });
      if (!ok) {
        errs.push_back({p.string(), lineno, 1, "reading '" + r + "' is not toneless a-z pinyin"});
        readings.clear();
        break;
      }
      readings.push_back(r);
    }
    if (!readings.empty()) cat.add_readings(cps[0], std::move(readings));
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
          errs.push_back(
              {cats.string(), static_cast<int>(c->source().begin.line), 1, "category needs id and name"});
        else
          categories_.push_back(std::move(cat));
      }
    }
  } catch (const toml::parse_error& e) {
    errs.push_back({cats.string(), static_cast<int>(e.source().begin.line),
                    static_cast<int>(e.source().begin.column), std::string(e.description())});
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
  load_names_en(fs::path(dir) / "items.en.tsv", items_, errs);
  load_pinyin(fs::path(dir) / "pinyin.tsv", *this, errs);
  fs::path guide = fs::path(dir) / "guide.toml";
  if (fs::exists(guide)) {
    try {
      auto t = toml::parse_file(guide.string());
      guide_url_pattern_ = t["url_pattern"].value_or(std::string());
      if (auto* w = t["where"].as_table())
        for (auto& [k, v] : *w)
          if (auto s = v.value<std::string>()) where_[std::string(k.str())] = *s;
    } catch (const toml::parse_error& e) {
      errs.push_back({guide.string(), static_cast<int>(e.source().begin.line),
                      static_cast<int>(e.source().begin.column), std::string(e.description())});
    }
  }
  for (auto& i : items_)
    if (!category(i.category))
      errs.push_back({(fs::path(dir) / "items.tsv").string(), 0, 0,
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

const std::string& Catalog::display_name(const CatalogItem& item, const std::string& lang) {
  return lang == "en" && !item.name_en.empty() ? item.name_en : item.name;
}

const std::vector<std::string>* Catalog::readings(char32_t c) const {
  auto it = pinyin_.find(c);
  return it == pinyin_.end() ? nullptr : &it->second;
}

std::string Catalog::guide_url(const std::string& code) const {
  std::string url = guide_url_pattern_;
  for (auto p = url.find("{code}"); p != std::string::npos; p = url.find("{code}", p + code.size()))
    url.replace(p, 6, code);
  return url;
}

std::string Catalog::where_to_go(const CatalogItem& item) const {
  if (auto it = where_.find(item.mode); it != where_.end()) return it->second;
  if (auto it = where_.find("default"); it != where_.end()) return it->second;
  return {};
}

nlohmann::json Catalog::guide_slip_fields(const CatalogItem& item) const {
  nlohmann::json f = {{"service_name", item.name},   {"service_name_en", item.name_en},
                      {"item_code", item.code},      {"mode", item.mode},
                      {"lead_dept", item.lead_dept}, {"scenario", item.scenario},
                      {"where", where_to_go(item)},  {"guide_url", guide_url(item.code)}};
  // Optional lines are skipped when missing: drop the empty ones.
  for (auto it = f.begin(); it != f.end();) it = it->get<std::string>().empty() ? f.erase(it) : std::next(it);
  return f;
}

std::vector<std::string> Catalog::all_texts() const {
  std::vector<std::string> out;
  for (auto& c : categories_) {
    out.push_back(c.name);
    out.push_back(c.name_en);
  }
  for (auto& i : items_) {
    for (auto* s : {&i.name, &i.name_en, &i.mode, &i.lead_dept, &i.coop_depts, &i.scenario})
      out.push_back(*s);
  }
  return out;
}

}  // namespace kiosk::core
