// Prints the round trip of a PIN check (verify_pin_async → pin.result Command) against the demo card:
// wrong and right PINs alternate so the card's try counter never locks. usage: bench_pin [ROUNDS]
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "kiosk/hw/sscard_worker.hpp"

using namespace kiosk;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {
std::string wait_pin_result(core::EventQueue& q, std::vector<core::Event>& other) {
  const auto deadline = Clock::now() + 5s;
  while (Clock::now() < deadline) {
    q.wait_for(20ms);
    for (auto& e : q.drain()) {
      if (auto* c = std::get_if<core::Command>(&e); c && c->name == "pin.result") return c->arg;
      other.push_back(std::move(e));
    }
  }
  return "(timeout)";
}
double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}
}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
  spdlog::set_level(spdlog::level::warn);
  hw::SsCardSettings s;
  s.event_wait = 50ms;
  auto w = hw::make_demo_sscard_worker(s);
  core::EventQueue q;
  std::vector<core::Event> other;
  w->start(q);
  if (!w->insert_card("gen2")) {
    std::fprintf(stderr, "cannot insert the gen2 demo card\n");
    return 1;
  }
  const auto until = Clock::now() + 5s;  // wait for the card read
  while (Clock::now() < until && !w->status()["card_present"].get<bool>()) std::this_thread::sleep_for(5ms);

  std::vector<double> wrong_ms, ok_ms;
  int bad = 0;
  for (int i = 0; i < rounds; ++i) {
    for (bool right : {false, true}) {
      std::string digits = right ? "123456" : "975318";
      const auto t0 = Clock::now();
      w->verify_pin_async(digits, q);
      const std::string r = wait_pin_result(q, other);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (r != (right ? "ok" : "wrong tries=2")) ++bad;
      (right ? ok_ms : wrong_ms).push_back(ms);
    }
  }
  w->stop();
  std::printf("bench_pin: %d rounds against the demo card (CCID TPDU T=0 over loopback)\n", rounds);
  std::printf("  wrong PIN → pin.result: median %.2f ms, p95 %.2f ms, max %.2f ms\n", pct(wrong_ms, 0.5),
              pct(wrong_ms, 0.95), pct(wrong_ms, 1.0));
  std::printf("  right PIN → pin.result: median %.2f ms, p95 %.2f ms, max %.2f ms\n", pct(ok_ms, 0.5),
              pct(ok_ms, 0.95), pct(ok_ms, 1.0));
  std::printf("  unexpected answers: %d\n", bad);
  return bad == 0 ? 0 : 1;
}
