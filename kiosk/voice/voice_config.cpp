#include "kiosk/voice/voice_config.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kiosk::voice {

std::vector<std::string> VoiceConfig::languages() const {
  std::vector<std::string> out;
  for (const auto& [lang, v] : voices) out.push_back(lang);
  return out;
}

namespace {
[[noreturn]] void bad(const std::string& name, const std::string& key, const std::string& why) {
  throw std::runtime_error(name + ": voice." + key + " " + why);
}
long long int_in(const toml::table& t, const std::string& name, const char* key, long long def, long long lo,
                 long long hi) {
  const auto* n = t.get(key);
  if (!n) return def;
  if (!n->is_integer()) bad(name, key, "must be an integer");
  const long long v = n->as_integer()->get();
  if (v < lo || v > hi) bad(name, key, "must be in " + std::to_string(lo) + ".." + std::to_string(hi));
  return v;
}
}  // namespace

VoiceConfig parse_voice_config(const std::string& text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(name + ":" + std::to_string(e.source().begin.line) + ": " +
                             std::string(e.description()));
  }
  VoiceConfig c;
  const auto* t = root.get_as<toml::table>("voice");
  if (!t) return c;
  if (const auto* n = t->get("enabled")) {
    if (!n->is_boolean()) bad(name, "enabled", "must be true or false");
    c.enabled = n->as_boolean()->get();
  }
  c.rate_wpm = static_cast<int>(int_in(*t, name, "rate_wpm", c.rate_wpm, 80, 450));
  c.pitch = static_cast<int>(int_in(*t, name, "pitch", c.pitch, 0, 100));
  c.volume_percent = static_cast<int>(int_in(*t, name, "volume_percent", c.volume_percent, 0, 100));
  c.cache_max_bytes = int_in(*t, name, "cache_max_mb", c.cache_max_bytes >> 20, 1, 4096) << 20;
  c.render_timeout_ms =
      static_cast<int>(int_in(*t, name, "render_timeout_ms", c.render_timeout_ms, 100, 60000));
  if (const auto* n = t->get("cache_dir")) {
    if (!n->is_string()) bad(name, "cache_dir", "must be a string");
    c.cache_dir = n->as_string()->get();
  }
  if (const auto* n = t->get("voices")) {
    const auto* vt = n->as_table();
    if (!vt) bad(name, "voices", "must be a table of language = \"espeak voice\"");
    c.voices.clear();
    for (const auto& [lang, v] : *vt) {
      if (!v.is_string() || v.as_string()->get().empty())
        bad(name, "voices." + std::string(lang.str()), "must be a non-empty string");
      c.voices[std::string(lang.str())] = v.as_string()->get();
    }
    if (c.voices.empty()) bad(name, "voices", "must name at least one language");
  }
  return c;
}

VoiceConfig load_voice_config(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot read");
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_voice_config(ss.str(), path);
}

}  // namespace kiosk::voice
