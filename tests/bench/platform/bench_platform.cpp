// bench_platform [N]: durable outbox enqueue (WAL, synchronous=FULL, secretbox) and submit round
// trips through the real libcurl client to the simulator on 127.0.0.1. Prints p50/p99/max in ms.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <vector>

#include "kiosk/platform/curl_client.hpp"
#include "kiosk/platform/messages.hpp"
#include "kiosk/platform/outbox_sender.hpp"
#include "kiosk/platform/sim/platform_sim.hpp"

using namespace kiosk::platform;
using Clock = std::chrono::steady_clock;

namespace {
void report(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * ms.size()))]; };
  std::printf("%-44s n=%-5zu p50=%8.3f ms  p99=%8.3f ms  max=%8.3f ms\n", what, ms.size(), pct(0.50),
              pct(0.99), ms.back());
}

template <class F>
std::vector<double> time_n(int n, F&& f) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    f(i);
    out.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return out;
}

CertificationSubmitRequest cert() {
  CertificationSubmitRequest c;
  c.item_code = "RS-001";
  c.id_number = "410105195803120011";
  c.name = "张建国";
  c.insured_region = "410100";
  c.face_image_base64 = std::string(16 * 1024, 'A');  // a small JPEG's worth of base64
  c.face_quality = 0.9;
  c.liveness = {true, 0.95, {"blink", "nod"}};
  return c;
}
}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(5, std::atoi(argv[1])) : 500;
  spdlog::set_level(spdlog::level::warn);
  char tmpl[] = "/tmp/kiosk_bench_XXXXXX";
  std::filesystem::path dir = ::mkdtemp(tmpl);
  {
    kiosk::store::Store store({(dir / "store.db").string(), (dir / "device.key").string()});
    auto payload = encode_request(make_request(Endpoint::CertificationSubmit, "T-BENCH", cert()));
    std::printf("payload %zu bytes; store in %s\n", payload.size(), dir.c_str());
    report("outbox enqueue (durable, encrypted)", time_n(n, [&](int) {
             store.enqueue("certification_submit", new_idempotency_key(), payload, "certification 张*国");
           }));
    report("outbox due() read+decrypt of 50", time_n(std::max(5, n / 10), [&](int) { (void)store.due(); }));

    sim::PlatformSim platform;
    platform.start();
    ClientConfig cfg;
    cfg.base_url = platform.url();
    cfg.production = false;
    cfg.terminal_id = "T-BENCH";
    CurlPlatformClient client(cfg);
    report("round trip heartbeat", time_n(n, [&](int) {
             (void)call(client, make_request(Endpoint::Heartbeat, "T-BENCH", HeartbeatRequest{}));
           }));
    report("round trip identity_check", time_n(n, [&](int) {
             (void)call(client, make_request(Endpoint::IdentityCheck, "T-BENCH",
                                             IdentityCheckRequest{"resident_id_card", "410105195803120011",
                                                                  "张建国"}));
           }));
    report("round trip certification_submit (16 KiB face)", time_n(n, [&](int) {
             auto r = call(client, make_request(Endpoint::CertificationSubmit, "T-BENCH", cert()));
             if (!r.ok()) std::fprintf(stderr, "unexpected: %s\n", to_string(r.error.kind));
           }));
    Submitter submitter(client, &store);
    report("submit via outbox (enqueue+send+mark)", time_n(n, [&](int) {
             std::promise<void> p;
             submitter.submit(make_request(Endpoint::CertificationSubmit, "T-BENCH", cert()), true,
                              "certification 张*国", [&](SubmitOutcome) { p.set_value(); });
             p.get_future().wait();
           }));
    report("round trip contributions query (24 months)", time_n(std::max(5, n / 5), [&](int) {
             (void)call(client,
                        make_request(Endpoint::RecordQuery, "T-BENCH",
                                     RecordQueryRequest{"440303196508080035", RecordKind::Contributions, 0}));
           }));
  }
  std::filesystem::remove_all(dir);
  return 0;
}
