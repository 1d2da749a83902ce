#include "kiosk/ops/settings.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "kiosk/core/config.hpp"

namespace kiosk::ops {

namespace {

using core::ConfigError;
using core::ConfigLoadError;

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
  static std::string where(const char* sect, const char* key) { return std::string("[") + sect + "] " + key; }
  void str(const toml::table& t, const char* sect, const char* key, std::string& out) {
    const toml::node* n = t.get(key);
    if (!n) return;
    if (auto v = n->value<std::string>())
      out = *v;
    else
      error(n, where(sect, key) + " must be a string");
  }
  void boolean(const toml::table& t, const char* sect, const char* key, bool& out) {
    const toml::node* n = t.get(key);
    if (!n) return;
    if (n->is_boolean())
      out = *n->value<bool>();
    else
      error(n, where(sect, key) + " must be true or false");
  }
  void integer(const toml::table& t, const char* sect, const char* key, int& out, int lo, int hi) {
    const toml::node* n = t.get(key);
    if (!n) return;
    if (!n->is_integer()) {
      error(n, where(sect, key) + " must be an integer");
      return;
    }
    auto v = *n->value<std::int64_t>();
    if (v < lo || v > hi) {
      error(n, where(sect, key) + " = " + std::to_string(v) + " is out of range " + std::to_string(lo) +
                   ".." + std::to_string(hi));
      return;
    }
    out = static_cast<int>(v);
  }
  void real(const toml::table& t, const char* sect, const char* key, double& out, double lo, double hi) {
    const toml::node* n = t.get(key);
    if (!n) return;
    if (!n->is_number()) {
      error(n, where(sect, key) + " must be a number");
      return;
    }
    double v = *n->value<double>();
    if (v < lo || v > hi) {
      std::ostringstream o;
      o << where(sect, key) << " = " << v << " is out of range " << lo << ".." << hi;
      error(n, o.str());
      return;
    }
    out = v;
  }
  void only(const toml::table& t, const char* sect, std::initializer_list<const char*> keys) {
    for (auto& [k, v] : t) {
      bool known = false;
      for (auto* key : keys) known = known || k.str() == key;
      if (!known) error(&v, "unknown key '" + std::string(k.str()) + "' in [" + sect + "]");
    }
  }
};

bool is_token(const std::string& s) {
  if (s.empty() || s.size() > 48) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.'))
      return false;
  return true;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigLoadError({{path, 0, 0, "cannot open file"}});
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

toml::table parse_toml(const std::string& text, const std::string& name) {
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw ConfigLoadError({{name, static_cast<int>(e.source().begin.line),
                            static_cast<int>(e.source().begin.column), std::string(e.description())}});
  }
}

}  // namespace

OpsSettings parse_ops_settings(const std::string& text, const std::string& name) {
  OpsSettings s;
  s.source = name;
  toml::table root = parse_toml(text, name);
  Checker c{name, {}};
  const std::map<std::string, std::function<void(const toml::table&)>> sections = {
      {"update",
       [&](const toml::table& t) {
         const char* u = "update";
         c.only(t, u,
                {"base_url", "channel", "group", "poll_interval_s", "jitter", "deferred_retry_s",
                 "trust_anchor", "state_dir", "ca_file", "connect_timeout_s", "download_timeout_s"});
         c.str(t, u, "base_url", s.base_url);
         c.str(t, u, "channel", s.channel);
         c.str(t, u, "group", s.group);
         c.integer(t, u, "poll_interval_s", s.poll_interval_s, 10, 86400);
         c.real(t, u, "jitter", s.jitter, 0.0, 0.9);
         c.integer(t, u, "deferred_retry_s", s.deferred_retry_s, 1, 600);
         c.str(t, u, "trust_anchor", s.trust_anchor);
         c.str(t, u, "state_dir", s.state_dir);
         c.str(t, u, "ca_file", s.ca_file);
         c.integer(t, u, "connect_timeout_s", s.connect_timeout_s, 1, 120);
         c.integer(t, u, "download_timeout_s", s.download_timeout_s, 5, 3600);
         if (!s.base_url.empty() && !s.base_url.starts_with("http://") && !s.base_url.starts_with("https://"))
           c.error(t.get("base_url"), "[update] base_url must start with http:// or https:// (or be empty)");
         if (!is_token(s.channel)) c.error(t.get("channel"), "[update] channel must be a plain token");
         if (!s.group.empty() && !is_token(s.group))
           c.error(t.get("group"), "[update] group must be a plain token (letters, digits, - _ .)");
         if (s.updates_enabled() && s.trust_anchor.empty())
           c.error(t.get("trust_anchor"), "[update] trust_anchor is required when base_url is set");
         if (s.updates_enabled() && s.state_dir.empty())
           c.error(t.get("state_dir"), "[update] state_dir is required when base_url is set");
       }},
      {"telemetry",
       [&](const toml::table& t) {
         const char* m = "telemetry";
         c.only(t, m,
                {"broker_host", "broker_port", "tls", "tls_ca_file", "credentials_file", "topic_prefix",
                 "metrics_period_s", "keepalive_s", "buffer_capacity"});
         c.str(t, m, "broker_host", s.broker_host);
         c.integer(t, m, "broker_port", s.broker_port, 1, 65535);
         c.boolean(t, m, "tls", s.tls);
         c.str(t, m, "tls_ca_file", s.tls_ca_file);
         c.str(t, m, "credentials_file", s.credentials_file);
         c.str(t, m, "topic_prefix", s.topic_prefix);
         c.integer(t, m, "metrics_period_s", s.metrics_period_s, 5, 3600);
         c.integer(t, m, "keepalive_s", s.keepalive_s, 5, 600);
         c.integer(t, m, "buffer_capacity", s.buffer_capacity, 10, 100000);
         if (!is_token(s.topic_prefix) || s.topic_prefix.find('.') != std::string::npos)
           c.error(t.get("topic_prefix"), "[telemetry] topic_prefix must be a plain token without / + # .");
         for (char ch : s.broker_host)
           if (ch == ' ' || ch == '/' || ch == '\t') {
             c.error(t.get("broker_host"), "[telemetry] broker_host must be a host name or address");
             break;
           }
       }},
  };
  for (auto& [k, v] : root) {
    std::string key(k.str());
    auto it = sections.find(key);
    if (it == sections.end()) {
      c.error(&v, "unknown section [" + key + "] (expected [update] or [telemetry])");
      continue;
    }
    if (!v.is_table()) {
      c.error(&v, "[" + key + "] must be a table");
      continue;
    }
    it->second(*v.as_table());
  }
  if (!c.errors.empty()) throw ConfigLoadError(std::move(c.errors));
  return s;
}

OpsSettings load_ops_settings(const std::string& path) {
  return parse_ops_settings(read_text(path), path);
}

BrokerCredentials load_broker_credentials(const std::string& path) {
  auto root = parse_toml(read_text(path), path);
  Checker c{path, {}};
  BrokerCredentials b;
  c.only(root, "credentials", {"username", "password"});
  c.str(root, "credentials", "username", b.username);
  c.str(root, "credentials", "password", b.password);
  if (b.username.empty()) c.error(root.get("username"), "username must be set and not empty");
  if (!c.errors.empty()) throw ConfigLoadError(std::move(c.errors));
  return b;
}

std::string ops_settings_path(const std::string& kiosk_toml_path, const std::string& factory_config_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!kiosk_toml_path.empty()) {
    auto host = fs::path(kiosk_toml_path).parent_path() / "ops.toml";
    if (fs::is_regular_file(host, ec)) return host.string();
  }
  auto packaged = fs::path(factory_config_dir) / "ops.toml";
  if (fs::is_regular_file(packaged, ec)) return packaged.string();
  return "";
}

}  // namespace kiosk::ops
