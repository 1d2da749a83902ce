#include "kiosk/core/strings.hpp"

#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <filesystem>

#include "kiosk/core/config.hpp"

namespace kiosk::core {

namespace {
void flatten(const toml::table& t, const std::string& prefix, std::map<std::string, std::string>& out,
             const std::string& file, std::vector<ConfigError>& errors) {
  for (auto& [k, v] : t) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (auto* sub = v.as_table()) {
      flatten(*sub, key, out, file, errors);
    } else if (auto s = v.value<std::string>()) {
      out[key] = *s;
    } else {
      errors.push_back({file, static_cast<int>(v.source().begin.line),
                        static_cast<int>(v.source().begin.column), "string '" + key + "' must be text"});
    }
  }
}
}  // namespace

void Strings::load_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<ConfigError> errors;
  if (!fs::is_directory(dir)) throw ConfigLoadError({{dir, 0, 0, "strings directory not found"}});
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto& p : files) {
    // "zh-CN.toml" or "vision.zh-CN.toml": the language is the last dotted part of the stem.
    std::string stem = p.stem().string();
    std::string lang = stem.substr(stem.rfind('.') == std::string::npos ? 0 : stem.rfind('.') + 1);
    try {
      auto t = toml::parse_file(p.string());
      flatten(t, "", by_lang_[lang], p.string(), errors);
    } catch (const toml::parse_error& e) {
      errors.push_back({p.string(), static_cast<int>(e.source().begin.line),
                        static_cast<int>(e.source().begin.column), std::string(e.description())});
    }
  }
  if (!errors.empty()) throw ConfigLoadError(std::move(errors));
}

void Strings::set(const std::string& lang, const std::string& key, const std::string& text) {
  by_lang_[lang][key] = text;
}

const std::string& Strings::get(const std::string& lang, const std::string& key) const {
  for (const std::string* l : {&lang, static_cast<const std::string*>(nullptr)}) {
    auto it = by_lang_.find(l ? *l : std::string("zh-CN"));
    if (it == by_lang_.end()) continue;
    auto k = it->second.find(key);
    if (k != it->second.end()) return k->second;
  }
  static thread_local std::string missing;
  spdlog::warn("missing string '{}' for language {}", key, lang);
  missing = key;
  return missing;
}

bool Strings::has(const std::string& lang, const std::string& key) const {
  auto it = by_lang_.find(lang);
  return it != by_lang_.end() && it->second.count(key);
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
  return s;
}

std::string Strings::format(const std::string& lang, const std::string& key,
                            const std::vector<std::pair<std::string, std::string>>& args) const {
  std::string s = get(lang, key);
  for (auto& [k, v] : args) s = replace_all(std::move(s), "{" + k + "}", v);
  return s;
}

std::vector<std::string> Strings::all_texts() const {
  std::vector<std::string> out;
  for (auto& [lang, m] : by_lang_)
    for (auto& [k, v] : m) out.push_back(v);
  return out;
}

std::vector<std::string> Strings::keys(const std::string& lang) const {
  std::vector<std::string> out;
  auto it = by_lang_.find(lang);
  if (it != by_lang_.end())
    for (auto& [k, v] : it->second) out.push_back(k);
  return out;
}

}  // namespace kiosk::core
