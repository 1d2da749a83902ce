// ops.toml: where the fleet agent fetches signed config bundles from and where it reports telemetry.
// Typed settings with errors that name the file, line and reason (same style as kiosk.toml).
#pragma once

#include <string>

namespace kiosk::ops {

struct OpsSettings {
  std::string source;  // file the settings came from
  // [update]: signed config bundles from a static host. Disabled while base_url is empty.
  std::string base_url;  // http(s)://host/path/ of the published layout (root/, <channel>/, bundles/)
  std::string channel = "stable";
  std::string group;          // terminal group for release targeting ("" = none)
  int poll_interval_s = 300;  // mean time between polls of <channel>/release.json
  double jitter = 0.3;        // ± fraction of poll_interval_s
  int deferred_retry_s = 5;   // re-check of "between sessions" while an apply waits
  std::string trust_anchor = "/usr/share/kiosk/trust/root.json";  // shipped root.json (read only)
  std::string state_dir = "/var/lib/kiosk/ops";                   // slots, current, state.json
  std::string ca_file;                                            // "" = system CA store
  int connect_timeout_s = 5;
  int download_timeout_s = 120;
  // [telemetry]: MQTT. Disabled while broker_host is empty.
  std::string broker_host;
  int broker_port = 8883;
  bool tls = true;
  std::string tls_ca_file;       // "" = /etc/ssl/certs
  std::string credentials_file;  // TOML with username/password; "" = anonymous
  std::string topic_prefix = "kiosk";
  int metrics_period_s = 60;
  int keepalive_s = 30;
  int buffer_capacity = 1000;  // events kept while the broker is unreachable (oldest dropped)

  bool updates_enabled() const { return !base_url.empty(); }
  bool telemetry_enabled() const { return !broker_host.empty(); }
};

struct BrokerCredentials {
  std::string username;
  std::string password;
};

// Parses TOML text; `name` is used in errors. Throws core::ConfigLoadError listing every problem.
OpsSettings parse_ops_settings(const std::string& text, const std::string& name);
OpsSettings load_ops_settings(const std::string& path);
// credentials file: username = "...", password = "..." (keep it 0640 root:kiosk). Throws ConfigLoadError.
BrokerCredentials load_broker_credentials(const std::string& path);

// Host settings beside kiosk.toml (/etc/kiosk/ops.toml) win over the packaged default
// (<factory config dir>/ops.toml); returns "" when neither exists (updates and telemetry disabled).
std::string ops_settings_path(const std::string& kiosk_toml_path, const std::string& factory_config_dir);

}  // namespace kiosk::ops
