// User-facing text from config/strings/: <lang>.toml plus any <area>.<lang>.toml, flattened to
// dotted keys ("home.prompt"). Missing keys fall back to zh-CN, then to the key itself (and are logged).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kiosk::core {

class Strings {
 public:
  // Loads every language found in dir. Throws ConfigLoadError on malformed files.
  void load_dir(const std::string& dir);
  void set(const std::string& lang, const std::string& key, const std::string& text);

  const std::string& get(const std::string& lang, const std::string& key) const;
  // get() with {name} placeholders replaced.
  std::string format(const std::string& lang, const std::string& key,
                     const std::vector<std::pair<std::string, std::string>>& args) const;
  bool has(const std::string& lang, const std::string& key) const;
  // Every text of every language (glyph ranges for the font atlas).
  std::vector<std::string> all_texts() const;
  std::vector<std::string> keys(const std::string& lang) const;

 private:
  std::map<std::string, std::map<std::string, std::string>> by_lang_;
};

std::string replace_all(std::string s, const std::string& from, const std::string& to);

}  // namespace kiosk::core
