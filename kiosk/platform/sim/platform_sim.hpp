// The platform simulator: an HTTP(S) server (Debian cpp-httplib) speaking docs/platform-api.yaml,
// backed by SQLite with synthetic residents from several provinces, idempotency by key, and fault
// injection per request. Used by tests, by `kiosk-platform-sim`, and by `kiosk --demo`.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "kiosk/platform/api.hpp"

namespace kiosk::platform::sim {

struct Fault {
  enum class Kind {
    None,
    Latency,     // sleep `ms`, then answer normally
    Status,      // answer HTTP `status` (5xx/429) without processing
    Timeout,     // sleep `ms` (longer than the client waits), then process and answer
    Malformed,   // process, then answer with broken JSON
    Drop,        // process, then close the connection mid-reply
    DelayAfter,  // process (commit), then sleep `ms` before answering (crash tests)
  };
  Kind kind = Kind::None;
  int ms = 0;
  int status = 503;
};
// "latency=200", "status=503", "timeout=3000", "malformed", "drop", "delay_after=500".
std::optional<Fault> parse_fault(std::string_view spec);

struct SimOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string db_path = ":memory:";
  std::string fixture;          // JSON fixture; empty: the built-in kiosk/platform/sim/data/residents.json
  std::string terminal_region;  // overrides the fixture's (decides cross_province)
  // TLS (HTTPS) when both are set; client_ca set: clients must present a certificate it signed (mTLS).
  std::string tls_cert;
  std::string tls_key;
  std::string client_ca;
};

struct SimStats {
  std::map<std::string, int> requests;  // by endpoint name (every HTTP request, faulted or not)
  int replays = 0;                      // duplicates answered from the idempotency table
  int faults = 0;
  std::string last_accept_encoding;
};

class PlatformSim {
 public:
  explicit PlatformSim(SimOptions opts = {});
  ~PlatformSim();  // stops
  PlatformSim(const PlatformSim&) = delete;
  PlatformSim& operator=(const PlatformSim&) = delete;

  // Binds and serves on a background thread; throws std::runtime_error if it cannot.
  void start();
  void stop();
  int port() const;
  std::string url() const;  // "http://127.0.0.1:PORT" (https:// with TLS)

  // Next `count` requests to `endpoint` (nullopt: any endpoint) get `fault`.
  void inject(std::optional<Endpoint> endpoint, Fault fault, int count = 1);
  void clear_faults();

  SimStats stats() const;
  // How many times the business effect of this idempotency key was applied (must be ≤ 1).
  int applied_count(const std::string& idempotency_key) const;
  int certifications_for(const std::string& id_number) const;
  std::string certification_status(const std::string& id_number) const;
  std::string sscard_status(const std::string& id_number) const;
  int ratings_for(const std::string& transaction_number) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// For `kiosk --demo`: starts a simulator on 127.0.0.1 (any port) with an in-memory database and
// returns it; url() gives the base URL for ClientConfig (production = false).
std::unique_ptr<PlatformSim> start_demo_platform(const std::string& terminal_region = "410100");

}  // namespace kiosk::platform::sim
