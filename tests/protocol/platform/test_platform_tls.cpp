// TLS: the client against the simulator over HTTPS with certificates generated here by openssl.
// Verification cannot be turned off by config in production mode; mTLS client certificates work.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "kiosk/platform/curl_client.hpp"
#include "kiosk/platform/messages.hpp"
#include "kiosk/platform/sim/platform_sim.hpp"

using namespace kiosk::platform;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
struct Certs {
  fs::path dir;
  std::string server_cert, server_key, client_cert, client_key;
  Certs() {
    char tmpl[] = "/tmp/kiosk_tls_XXXXXX";
    dir = ::mkdtemp(tmpl);
    server_cert = (dir / "server.pem").string();
    server_key = (dir / "server.key").string();
    client_cert = (dir / "client.pem").string();
    client_key = (dir / "client.key").string();
    auto gen = [&](const std::string& cert, const std::string& key, const std::string& cn,
                   const std::string& ext) {
      std::string cmd =
          "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj '/CN=" +
          cn + "' " + ext + " -keyout '" + key + "' -out '" + cert + "' 2>/dev/null";
      REQUIRE(std::system(cmd.c_str()) == 0);
    };
    gen(server_cert, server_key, "127.0.0.1", "-addext subjectAltName=IP:127.0.0.1");
    gen(client_cert, client_key, "T-TLS-01", "-addext extendedKeyUsage=clientAuth");
  }
  ~Certs() { fs::remove_all(dir); }
};

ClientConfig base(const std::string& url) {
  ClientConfig c;
  c.base_url = url;
  c.terminal_id = "T-TLS-01";
  c.connect_timeout = 1000ms;
  c.total_timeout = 3000ms;
  c.max_attempts = 1;
  return c;
}

Response ping(PlatformClient& c) {
  return call(c, make_request(Endpoint::Heartbeat, "T-TLS-01", HeartbeatRequest{}));
}
}  // namespace

TEST_CASE("TLS verification cannot be disabled by config in production mode") {
  Certs certs;
  sim::SimOptions o;
  o.tls_cert = certs.server_cert;
  o.tls_key = certs.server_key;
  sim::PlatformSim s(o);
  s.start();
  REQUIRE(s.url().rfind("https://127.0.0.1:", 0) == 0);

  auto cfg = base(s.url());
  cfg.production = true;
  cfg.verify_tls = false;  // an operator's attempt to switch verification off
  CurlPlatformClient c(cfg);
  REQUIRE_FALSE(c.errors().empty());
  CHECK(c.errors()[0].find("cannot be disabled in production") != std::string::npos);
  CHECK(c.effective_config().verify_tls);
  auto r = ping(c);
  CHECK(r.error.kind == ErrorKind::Tls);  // the self-signed certificate is not trusted
  CHECK(s.stats().requests["heartbeat"] == 0);
}

TEST_CASE("TLS: a trusted CA file verifies; outside production verification may be off") {
  Certs certs;
  sim::SimOptions o;
  o.tls_cert = certs.server_cert;
  o.tls_key = certs.server_key;
  sim::PlatformSim s(o);
  s.start();

  auto prod = base(s.url());
  prod.ca_file = certs.server_cert;
  CurlPlatformClient trusted(prod);
  CHECK(trusted.errors().empty());
  CHECK(ping(trusted).ok());

  auto demo = base(s.url());
  demo.production = false;
  demo.verify_tls = false;
  CurlPlatformClient insecure(demo);
  CHECK(insecure.errors().empty());
  CHECK(ping(insecure).ok());

  // Wrong host name in the URL: the certificate is for 127.0.0.1 only.
  auto wrong_host = prod;
  wrong_host.base_url = "https://localhost:" + std::to_string(s.port());
  CurlPlatformClient mismatch(wrong_host);
  CHECK(ping(mismatch).error.kind == ErrorKind::Tls);
}

TEST_CASE("mTLS: the platform requires the terminal's client certificate") {
  Certs certs;
  sim::SimOptions o;
  o.tls_cert = certs.server_cert;
  o.tls_key = certs.server_key;
  o.client_ca = certs.client_cert;
  sim::PlatformSim s(o);
  s.start();

  auto cfg = base(s.url());
  cfg.ca_file = certs.server_cert;
  CurlPlatformClient anonymous(cfg);
  auto r = ping(anonymous);
  CHECK(r.error);
  CHECK((r.error.kind == ErrorKind::Tls || r.error.kind == ErrorKind::Dropped));

  cfg.client_cert = certs.client_cert;
  cfg.client_key = certs.client_key;
  CurlPlatformClient terminal(cfg);
  CHECK(ping(terminal).ok());
}

TEST_CASE("production refuses plain http with a Config error, without sending") {
  sim::PlatformSim s;
  s.start();
  auto cfg = base(s.url());
  cfg.production = true;
  CurlPlatformClient c(cfg);
  auto r = ping(c);
  CHECK(r.error.kind == ErrorKind::Config);
  CHECK(r.error.detail.find("https") != std::string::npos);
  CHECK(s.stats().requests["heartbeat"] == 0);
}
