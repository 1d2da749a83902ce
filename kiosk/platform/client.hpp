// PlatformClient: the one interface the session uses to reach the platform. Asynchronous: submit()
// returns at once, the callback runs later on the client's network thread (post an event from it,
// never touch UI state). A province's real API can be plugged in behind the same interface.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <vector>

#include "kiosk/platform/api.hpp"

namespace kiosk::platform {

struct Response {
  Error error;  // kind None when a well-formed reply arrived (it may still be !reply.ok())
  Reply reply;  // valid when !error or error.kind == Rejected
  int http_status = 0;
  int attempts = 0;
  std::chrono::milliseconds elapsed{0};
  bool ok() const { return !error && reply.ok(); }
};

class PlatformClient {
 public:
  using Callback = std::function<void(Response)>;
  virtual ~PlatformClient() = default;
  // Sends the request (with retries per policy) and calls `done` exactly once on the network thread.
  virtual void submit(Request request, Callback done) = 0;
  // Number of requests not yet completed.
  virtual std::size_t in_flight() const = 0;
};

// Blocking convenience for tools, tests and the outbox sender (never call from the UI thread).
Response call(PlatformClient& client, Request request);

struct ClientConfig {
  std::string base_url = "http://127.0.0.1:8480";
  std::string terminal_id = "T-0000";
  std::string terminal_region;  // 6-digit region code of the hall
  // Production mode: TLS verification is always on, an https URL is required; `verify_tls = false`
  // is ignored and reported by config_errors().
  bool production = true;
  bool verify_tls = true;
  std::string ca_file;      // trust anchors (PEM); empty: system store
  std::string client_cert;  // mTLS client certificate (PEM)
  std::string client_key;   // mTLS client key (PEM)
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{10000};
  int max_attempts = 4;  // per request, including the first
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_max{5000};
  std::size_t max_response_bytes = 1024 * 1024;
};

// Reads the [platform] table of a TOML file (config/platform.toml); missing keys keep defaults.
// Throws std::runtime_error with a clear message on an unreadable file or wrong value types.
ClientConfig load_client_config(const std::string& toml_path);

// Problems with a config that the client will refuse or override (log-safe English).
std::vector<std::string> config_errors(const ClientConfig& c);

// Jittered exponential backoff ("equal jitter"): uniform in [d/2, d], d = min(max, base * 2^attempt).
std::chrono::milliseconds backoff_delay(const ClientConfig& c, int attempt, double unit_random);

}  // namespace kiosk::platform
