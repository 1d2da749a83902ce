// kiosk-platform-sim: the platform simulator as its own process (tests, demos, integrators).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>

#include "kiosk/platform/sim/platform_sim.hpp"

namespace {
std::mutex g_mu;
std::condition_variable g_cv;
volatile std::sig_atomic_t g_stop = 0;
}  // namespace

int main(int argc, char** argv) {
  using namespace kiosk::platform::sim;
  CLI::App app{"kiosk-platform-sim — simulated 一体化政务服务平台 for the 自助通办 terminal"};
  SimOptions o;
  std::string fault;
  app.add_option("--host", o.host, "listen address")->capture_default_str();
  app.add_option("--port", o.port, "port (0: any free port, printed on stdout)")->capture_default_str();
  app.add_option("--db", o.db_path, "SQLite database (kept across restarts; :memory: for none)")
      ->capture_default_str();
  app.add_option("--fixture", o.fixture, "residents fixture JSON (default: built in)");
  app.add_option("--terminal-region", o.terminal_region, "terminal's 6-digit region code");
  app.add_option("--cert", o.tls_cert, "TLS certificate (PEM) to serve HTTPS");
  app.add_option("--key", o.tls_key, "TLS private key (PEM)");
  app.add_option("--client-ca", o.client_ca, "require client certificates signed by this CA (mTLS)");
  app.add_option("--fault", fault, "fault for every request, e.g. latency=500, status=503, drop");
  CLI11_PARSE(app, argc, argv);
  try {
    PlatformSim sim(o);
    if (!fault.empty()) {
      auto f = parse_fault(fault);
      if (!f) {
        std::cerr << "kiosk-platform-sim: bad --fault spec\n";
        return 2;
      }
      sim.inject(std::nullopt, *f, 1 << 30);
    }
    sim.start();
    std::cout << sim.url() << std::endl;
    std::signal(SIGINT, [](int) { g_stop = 1; });
    std::signal(SIGTERM, [](int) { g_stop = 1; });
    std::unique_lock lk(g_mu);
    while (!g_stop) g_cv.wait_for(lk, std::chrono::milliseconds(200));
    sim.stop();
  } catch (const std::exception& e) {
    std::cerr << "kiosk-platform-sim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
