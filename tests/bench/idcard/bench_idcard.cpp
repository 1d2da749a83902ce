// Prints: codec/text decode throughput, CPU of idle polling (no card) over loopback and over a pty,
// and the time from card placement to the IdCardRead event. Figures only, no timed assertions.
// Usage: bench_idcard [idle_seconds=3] [placements=5]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "drivers/idcard/card_text.hpp"
#include "drivers/idcard/codec.hpp"
#include "drivers/idcard/reader.hpp"
#include "drivers/idcard/sim/simulator.hpp"
#include "kiosk/hw/idcard_worker.hpp"

using namespace kiosk;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double secs(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

void bench_decode(const std::vector<idcard::sim::CardFixture>& cards) {
  std::vector<idcard::Bytes> frames;
  for (auto& c : cards) {
    idcard::BaseRecord r{idcard::encode_text(c.document), c.photo, {}};
    frames.push_back(idcard::encode_response(0, 0, 0x90, idcard::encode_base_record(r, false)));
  }
  const int n = 20000;
  std::size_t bytes = 0, ok = 0;
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    const auto& f = frames[static_cast<std::size_t>(i) % frames.size()];
    auto s = idcard::scan_frame(f, 4);
    auto resp = idcard::parse_response(s.body);
    auto rec = idcard::parse_base_record(resp.data, false);
    auto doc = idcard::decode_text(rec.text);
    ok += !doc.id_number.empty();
    bytes += f.size();
  }
  const double t = secs(Clock::now() - t0);
  std::printf(
      "decode: %d base-read frames (1295 B, all layouts) in %.3f s = %.0f frames/s, %.1f MB/s (%zu ok)\n", n,
      t, n / t, static_cast<double>(bytes) / t / 1e6, ok);
}

void bench_idle(const char* label, idcard::sim::Simulator& sim, double seconds) {
  idcard::PollerOptions po;  // 300 ms, the production interval
  hw::IdCardSettings s;
  s.poller = po;
  hw::IdCardWorker w([&] { return sim.open_host(); }, s);
  core::EventQueue q;
  w.start(q);
  std::this_thread::sleep_for(500ms);  // connect + SAM status
  const int finds0 = sim.requests(idcard::cmd::kFindCard);
  const double c0 = cpu_seconds();
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double cpu = cpu_seconds() - c0, wall = secs(Clock::now() - t0);
  const int finds = sim.requests(idcard::cmd::kFindCard) - finds0;
  w.stop();
  std::printf(
      "idle poll (%s, 300 ms, no card): %d finds in %.2f s, CPU %.3f%% of one core "
      "(driver + simulator threads; goal <= 0.5%%)\n",
      label, finds, wall, 100.0 * cpu / wall);
}

void bench_placement(idcard::sim::Simulator& sim, const idcard::sim::CardFixture& card, int reps) {
  // Cost of the three round trips alone.
  double cycle = 0;
  {
    auto t = sim.open_host();
    idcard::Reader r(*t);
    sim.place_card(card);
    const auto t0 = Clock::now();
    for (int i = 0; i < 10; ++i) (void)r.read_card();
    cycle = secs(Clock::now() - t0) / 10;
    sim.remove_card();
  }
  hw::IdCardSettings s;
  hw::IdCardWorker w([&] { return sim.open_host(); }, s);
  core::EventQueue q;
  w.start(q);
  std::this_thread::sleep_for(400ms);
  double worst = 0, sum = 0;
  for (int i = 0; i < reps; ++i) {
    q.drain();
    // Place at a random phase of the poll interval.
    std::this_thread::sleep_for(std::chrono::milliseconds(37 * (i + 1) % 300));
    const auto t0 = Clock::now();
    sim.place_card(card);
    bool got = false;
    while (!got && Clock::now() - t0 < 3s) {
      if (!q.wait_for(1s)) continue;
      for (auto& e : q.drain())
        if (auto* d = std::get_if<core::DeviceEvent>(&e); d && d->kind == core::DeviceEvent::Kind::IdCardRead)
          got = true;
    }
    const double dt = secs(Clock::now() - t0);
    worst = std::max(worst, dt);
    sum += dt;
    sim.remove_card();
    std::this_thread::sleep_for(800ms);  // let removal be seen
  }
  w.stop();
  std::printf(
      "placement -> IdCardRead: mean %.1f ms, worst %.1f ms over %d placements; bound = interval 300 ms + "
      "find/select/read %.1f ms = %.1f ms\n",
      1000 * sum / reps, 1000 * worst, reps, 1000 * cycle, 300 + 1000 * cycle);
}

}  // namespace

int main(int argc, char** argv) {
  const double idle = argc > 1 ? std::atof(argv[1]) : 3.0;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
  auto cards = idcard::sim::load_fixtures(idcard::sim::default_fixture_path());
  bench_decode(cards);
  {
    idcard::sim::Simulator sim(idcard::sim::Simulator::Link::Loopback, "bench");
    sim.start();
    bench_idle("loopback", sim, idle);
    bench_placement(sim, cards.front(), reps);
  }
  {
    idcard::sim::Simulator sim(idcard::sim::Simulator::Link::Pty, "bench");
    sim.start();
    bench_idle("pty serial", sim, idle);
  }
  return 0;
}
