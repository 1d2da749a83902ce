#include "kiosk/core/config.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace kiosk::core {

std::string ConfigError::format() const {
  std::ostringstream o;
  o << file;
  if (line > 0) o << ":" << line << ":" << column;
  o << ": " << reason;
  return o.str();
}

namespace {
std::string join(const std::vector<ConfigError>& errs) {
  std::string s;
  for (auto& e : errs) s += (s.empty() ? "" : "\n") + e.format();
  return s;
}
}  // namespace

ConfigLoadError::ConfigLoadError(std::vector<ConfigError> errors)
    : std::runtime_error(join(errors)), errors_(std::move(errors)) {}

namespace {

struct Checker {
  std::string file;
  std::vector<ConfigError> errors;

  void error(const toml::node* n, std::string reason) {
    ConfigError e{file, 0, 0, std::move(reason)};
    if (n) {
      e.line = static_cast<int>(n->source().begin.line);
      e.column = static_cast<int>(n->source().begin.column);
    }
    errors.push_back(std::move(e));
  }

  // Key readers: a wrong type or range is an error at the value's line; a missing key keeps the default.
  void str(const toml::table& t, const char* sect, const char* key, std::string& out) {
    const toml::node* n = t.get(key);
    if (!n) return;
    if (auto v = n->value<std::string>())
      out = *v;
    else
      error(n, std::string("[") + sect + "] " + key + " must be a string");
  }
  void boolean(const toml::table& t, const char* sect, const char* key, bool& out) {
    const toml::node* n = t.get(key);
    if (!n) return;
    if (n->is_boolean())
      out = *n->value<bool>();
    else
      error(n, std::string("[") + sect + "] " + key + " must be true or false");
  }
  void integer(const toml::table& t, const char* sect, const char* key, int& out, int lo, int hi) {
    const toml::node* n = t.get(key);
    if (!n) return;
    if (!n->is_integer()) {
      error(n, std::string("[") + sect + "] " + key + " must be an integer");
      return;
    }
    auto v = *n->value<int64_t>();
    if (v < lo || v > hi) {
      error(n, std::string("[") + sect + "] " + key + " = " + std::to_string(v) + " is out of range " +
                   std::to_string(lo) + ".." + std::to_string(hi));
      return;
    }
    out = static_cast<int>(v);
  }
  void real(const toml::table& t, const char* sect, const char* key, double& out, double lo, double hi) {
    const toml::node* n = t.get(key);
    if (!n) return;
    if (!n->is_number()) {
      error(n, std::string("[") + sect + "] " + key + " must be a number");
      return;
    }
    double v = *n->value<double>();
    if (v < lo || v > hi) {
      std::ostringstream o;
      o << "[" << sect << "] " << key << " = " << v << " is out of range " << lo << ".." << hi;
      error(n, o.str());
      return;
    }
    out = v;
  }
  // Unknown keys are errors: a typo must not silently fall back to a default.
  void only(const toml::table& t, const char* sect, std::initializer_list<const char*> keys) {
    for (auto& [k, v] : t) {
      bool known = false;
      for (auto* key : keys) known = known || k.str() == key;
      if (!known) error(&v, std::string("unknown key '") + std::string(k.str()) + "' in [" + sect + "]");
    }
  }
};

}  // namespace

KioskConfig parse_config(const std::string& text, const std::string& name) {
  KioskConfig cfg;
  cfg.source = name;
  cfg.config_dir = source_config_dir();
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw ConfigLoadError({{name, static_cast<int>(e.source().begin.line),
                            static_cast<int>(e.source().begin.column), std::string(e.description())}});
  }
  Checker c{name, {}};
  using Section = std::function<void(const toml::table&)>;
  const std::map<std::string, Section> sections = {
      {"terminal",
       [&](const toml::table& t) {
         c.only(t, "terminal", {"id", "hall_name", "region_code"});
         c.str(t, "terminal", "id", cfg.terminal_id);
         c.str(t, "terminal", "hall_name", cfg.hall_name);
         c.str(t, "terminal", "region_code", cfg.region_code);
         if (cfg.terminal_id.empty()) c.error(t.get("id"), "[terminal] id must not be empty");
         bool six_digits = cfg.region_code.size() == 6;
         for (char ch : cfg.region_code) six_digits = six_digits && ch >= '0' && ch <= '9';
         if (!six_digits)
           c.error(t.get("region_code"), "[terminal] region_code must be 6 digits (GB/T 2260)");
       }},
      {"display",
       [&](const toml::table& t) {
         c.only(t, "display", {"width_px", "height_px", "mm_per_px", "fullscreen"});
         c.integer(t, "display", "width_px", cfg.width_px, 320, 8192);
         c.integer(t, "display", "height_px", cfg.height_px, 240, 8192);
         c.real(t, "display", "mm_per_px", cfg.mm_per_px, 0.05, 2.0);
         c.boolean(t, "display", "fullscreen", cfg.fullscreen);
       }},
      {"session",
       [&](const toml::table& t) {
         c.only(
             t, "session",
             {"step_timeout_s", "elder_step_timeout_s", "reading_timeout_s", "warning_s", "max_extensions"});
         c.integer(t, "session", "step_timeout_s", cfg.timeouts.step_s, 30, 600);
         c.integer(t, "session", "elder_step_timeout_s", cfg.timeouts.elder_step_s, 30, 900);
         c.integer(t, "session", "reading_timeout_s", cfg.timeouts.reading_s, 30, 900);
         c.integer(t, "session", "warning_s", cfg.timeouts.warning_s, 20, 120);
         c.integer(t, "session", "max_extensions", cfg.timeouts.max_extensions, 10, 1000);
         if (cfg.timeouts.warning_s >= cfg.timeouts.step_s)
           c.error(t.get("warning_s"), "[session] warning_s must be shorter than step_timeout_s");
       }},
      {"ui",
       [&](const toml::table& t) {
         c.only(t, "ui", {"language", "elder_mode_default"});
         c.str(t, "ui", "language", cfg.language);
         c.boolean(t, "ui", "elder_mode_default", cfg.elder_mode_default);
         if (cfg.language != "zh-CN" && cfg.language != "en")
           c.error(t.get("language"), "[ui] language must be \"zh-CN\" or \"en\"");
       }},
      {"log",
       [&](const toml::table& t) {
         c.only(t, "log", {"level", "file", "journald"});
         c.str(t, "log", "level", cfg.log_level);
         c.str(t, "log", "file", cfg.log_file);
         c.boolean(t, "log", "journald", cfg.log_journald);
         static const char* levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
         bool ok = false;
         for (auto* l : levels) ok = ok || cfg.log_level == l;
         if (!ok)
           c.error(t.get("level"),
                   "[log] level must be one of trace, debug, info, warn, error, critical, off");
       }},
      {"paths",
       [&](const toml::table& t) {
         c.only(t, "paths", {"config_dir", "data_dir"});
         c.str(t, "paths", "config_dir", cfg.config_dir);
         c.str(t, "paths", "data_dir", cfg.data_dir);
       }},
  };
  for (auto& [k, v] : root) {
    std::string key(k.str());
    auto it = sections.find(key);
    if (it == sections.end()) {
      // Device and subsystem sections ([devices.*], [platform], [ops] ...) are validated by their owners.
      static const char* owned[] = {"devices", "platform", "ops",       "printer",
                                    "vision",  "qr",       "telemetry", "technician"};
      bool is_owned = false;
      for (auto* o : owned) is_owned = is_owned || key == o;
      if (!is_owned) c.error(&v, "unknown section [" + key + "]");
      continue;
    }
    if (!v.is_table()) {
      c.error(&v, "[" + key + "] must be a table");
      continue;
    }
    it->second(*v.as_table());
  }
  if (!c.errors.empty()) throw ConfigLoadError(std::move(c.errors));
  return cfg;
}

KioskConfig load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigLoadError({{path, 0, 0, "cannot open file"}});
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

std::string source_config_dir() {
  if (const char* env = std::getenv("KIOSK_CONFIG_DIR")) return env;
  if (const char* src = std::getenv("KIOSK_SOURCE_DIR")) return std::string(src) + "/config";
  return std::string(KIOSK_SOURCE_DIR) + "/config";
}

}  // namespace kiosk::core
