// A stand-in for the kiosk main loop, driven by the watchdog e2e test: one worker thread stamps a
// heartbeat, the main loop ticks the watchdog and waits for the next due time (no busy waiting).
// Faults on request: the main loop hangs, or the worker stops stamping.
//
//   watchdog_probe [--data DIR] [--run-ms N] [--hang-main-after-ms N] [--hang-worker-after-ms N]
//
// On start it appends "start" to DIR/journal.txt so the test can show data survives a restart.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

#include "kiosk/core/watchdog.hpp"

using namespace std::chrono;

int main(int argc, char** argv) {
  std::string data_dir;
  long run_ms = 30000, hang_main_ms = -1, hang_worker_ms = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--data")
      data_dir = v;
    else if (k == "--run-ms")
      run_ms = std::atol(v);
    else if (k == "--hang-main-after-ms")
      hang_main_ms = std::atol(v);
    else if (k == "--hang-worker-after-ms")
      hang_worker_ms = std::atol(v);
    else {
      std::fprintf(stderr, "watchdog_probe: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (!data_dir.empty()) {
    std::ofstream(data_dir + "/journal.txt", std::ios::app) << "start\n";
  }

  kiosk::core::Watchdog wd;
  if (!wd.watchdog_enabled()) {
    std::fprintf(stderr, "watchdog_probe: NOTIFY_SOCKET/WATCHDOG_USEC not set\n");
    return 3;
  }

  std::mutex mu;
  std::condition_variable cv;
  bool stop = false, worker_hung = false;
  const auto beat = duration_cast<milliseconds>(wd.stale_after()) / 5;
  wd.heartbeat("idcard");
  std::thread worker([&] {
    std::unique_lock lock(mu);
    while (!stop) {
      if (!worker_hung) wd.heartbeat("idcard");
      cv.wait_for(lock, beat, [&] { return stop; });
    }
  });

  wd.status("starting");
  wd.ready();  // after the first frame in the real app
  wd.status("running");

  const auto t0 = steady_clock::now();
  while (steady_clock::now() - t0 < milliseconds(run_ms)) {
    const auto elapsed = duration_cast<milliseconds>(steady_clock::now() - t0).count();
    if (hang_main_ms >= 0 && elapsed >= hang_main_ms) {
      for (;;) std::this_thread::sleep_for(hours(1));  // a hung main loop: no more ticks
    }
    if (hang_worker_ms >= 0 && elapsed >= hang_worker_ms) {
      std::lock_guard lock(mu);
      worker_hung = true;
    }
    wd.tick();
    // The real loop waits in SDL_WaitEventTimeout(next_due); cap so fault times stay accurate.
    std::this_thread::sleep_for(std::min(wd.next_due(), milliseconds(50)));
  }
  wd.stopping();
  {
    std::lock_guard lock(mu);
    stop = true;
  }
  cv.notify_all();
  worker.join();
  return 0;
}
