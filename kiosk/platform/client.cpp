#include "kiosk/platform/client.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace kiosk::platform {

Response call(PlatformClient& client, Request request) {
  auto p = std::make_shared<std::promise<Response>>();
  auto f = p->get_future();
  client.submit(std::move(request), [p](Response r) { p->set_value(std::move(r)); });
  return f.get();
}

namespace {
template <class T>
void read_opt(const toml::table& t, const char* key, T& out) {
  auto* node = t.get(key);
  if (!node) return;
  auto v = node->value<T>();
  if (!v) throw std::runtime_error(std::string("platform config: '") + key + "' has the wrong type");
  out = *v;
}
void read_ms(const toml::table& t, const char* key, std::chrono::milliseconds& out) {
  std::int64_t v = out.count();
  read_opt(t, key, v);
  if (v <= 0) throw std::runtime_error(std::string("platform config: '") + key + "' must be > 0");
  out = std::chrono::milliseconds(v);
}
}  // namespace

ClientConfig load_client_config(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error("platform config " + path + ": " + std::string(e.description()));
  }
  ClientConfig c;
  auto* t = root["platform"].as_table();
  if (!t) return c;
  read_opt(*t, "base_url", c.base_url);
  read_opt(*t, "terminal_id", c.terminal_id);
  read_opt(*t, "terminal_region", c.terminal_region);
  read_opt(*t, "production", c.production);
  read_opt(*t, "verify_tls", c.verify_tls);
  read_opt(*t, "ca_file", c.ca_file);
  read_opt(*t, "client_cert", c.client_cert);
  read_opt(*t, "client_key", c.client_key);
  read_ms(*t, "connect_timeout_ms", c.connect_timeout);
  read_ms(*t, "total_timeout_ms", c.total_timeout);
  read_ms(*t, "backoff_base_ms", c.backoff_base);
  read_ms(*t, "backoff_max_ms", c.backoff_max);
  std::int64_t attempts = c.max_attempts, max_bytes = static_cast<std::int64_t>(c.max_response_bytes);
  read_opt(*t, "max_attempts", attempts);
  read_opt(*t, "max_response_bytes", max_bytes);
  if (attempts < 1 || attempts > 20) throw std::runtime_error("platform config: max_attempts must be 1..20");
  if (max_bytes < 1024) throw std::runtime_error("platform config: max_response_bytes must be >= 1024");
  c.max_attempts = static_cast<int>(attempts);
  c.max_response_bytes = static_cast<std::size_t>(max_bytes);
  return c;
}

std::vector<std::string> config_errors(const ClientConfig& c) {
  std::vector<std::string> out;
  if (c.production && !c.verify_tls)
    out.push_back("TLS verification cannot be disabled in production mode; verify_tls=false ignored");
  if (c.production && c.base_url.rfind("https://", 0) != 0)
    out.push_back("production mode requires an https:// base_url");
  if (c.base_url.rfind("https://", 0) != 0 && c.base_url.rfind("http://", 0) != 0)
    out.push_back("base_url must start with http:// or https://");
  if (c.client_cert.empty() != c.client_key.empty())
    out.push_back("client_cert and client_key must be given together");
  if (!c.terminal_region.empty() && !valid_region_code(c.terminal_region))
    out.push_back("terminal_region must be a 6-digit region code");
  return out;
}

std::chrono::milliseconds backoff_delay(const ClientConfig& c, int attempt, double unit_random) {
  double cap = static_cast<double>(c.backoff_max.count());
  double exp = static_cast<double>(c.backoff_base.count()) * std::pow(2.0, std::clamp(attempt, 0, 30));
  double upper = std::min(cap, exp);
  double r = std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long>(upper * (0.5 + 0.5 * r)));
}

}  // namespace kiosk::platform
