// Cost of the watchdog on hot paths: Watchdog::heartbeat() from worker threads (alone and with 4
// threads contending on the stamp mutex) and Watchdog::tick() from the main loop with N workers,
// plus the cost of one real sd_notify keep-alive datagram.
//   bench_watchdog [iterations]
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "kiosk/core/watchdog.hpp"

using namespace std::chrono;
using kiosk::core::Watchdog;
using kiosk::core::WatchdogOptions;

namespace {
double ns_per(steady_clock::duration d, long n) {
  return static_cast<double>(duration_cast<nanoseconds>(d).count()) / static_cast<double>(n);
}
}  // namespace

int main(int argc, char** argv) {
  const long iters = argc > 1 ? std::atol(argv[1]) : 1000000;
  spdlog::set_level(spdlog::level::warn);

  // A receiving socket so keep-alives are really sent.
  std::string path = "/tmp/kiosk-bench-wd-" + std::to_string(::getpid());
  const int rx = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  if (rx < 0 || ::bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("bench_watchdog: bind");
    return 1;
  }
  int big = 8 << 20;
  ::setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);

  WatchdogOptions o;
  o.notify_socket = path;
  o.watchdog_timeout = seconds(30);
  Watchdog wd(o);

  // heartbeat, one thread
  auto t0 = steady_clock::now();
  for (long i = 0; i < iters; ++i) wd.heartbeat("idcard");
  std::printf("heartbeat 1 thread:        %8.1f ns/call\n", ns_per(steady_clock::now() - t0, iters));

  // heartbeat, 4 threads on different names
  const char* names[] = {"idcard", "sscard", "printer", "camera"};
  std::vector<std::thread> ts;
  t0 = steady_clock::now();
  for (const char* n : names)
    ts.emplace_back([&, n] {
      for (long i = 0; i < iters; ++i) wd.heartbeat(n);
    });
  for (auto& t : ts) t.join();
  std::printf("heartbeat 4 threads:       %8.1f ns/call (wall per call per thread)\n",
              ns_per(steady_clock::now() - t0, iters));

  // tick when not due (the common case: every main-loop wake-up)
  wd.ready();
  t0 = steady_clock::now();
  for (long i = 0; i < iters; ++i) wd.tick();
  std::printf("tick, not due, 4 workers:  %8.1f ns/call\n", ns_per(steady_clock::now() - t0, iters));

  // tick when due: stale check over 4 workers + one keep-alive datagram (+ the receiver draining it)
  WatchdogOptions due = o;
  steady_clock::time_point fake = steady_clock::now();
  due.now = [&] { return fake; };
  due.watchdog_timeout = milliseconds(2);  // interval 1 ms of fake time per iteration
  due.stale_after = hours(1);
  Watchdog wd2(due);
  for (const char* n : names) wd2.heartbeat(n);
  const long sends = std::min<long>(iters, 20000);
  long sent = 0;
  char buf[64];
  t0 = steady_clock::now();
  for (long i = 0; i < sends; ++i) {
    fake += milliseconds(1);
    sent += wd2.tick() ? 1 : 0;
    while (::recv(rx, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
  }
  std::printf("tick, due (sends WATCHDOG=1): %5.1f us/call (%ld of %ld sent)\n",
              ns_per(steady_clock::now() - t0, sends) / 1000.0, sent, sends);

  ::close(rx);
  ::unlink(path.c_str());
  return 0;
}
