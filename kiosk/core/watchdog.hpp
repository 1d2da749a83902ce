// systemd service notification and watchdog keep-alives (sd_notify protocol).
//
// The kiosk runs as cage's child (cage is the unit's main PID, NotifyAccess=all), so the keep-alive
// interval is read from WATCHDOG_USEC directly and WATCHDOG_PID is deliberately ignored
// (sd_watchdog_enabled() would return 0 in the child).
//
// Liveness is the conjunction of the main loop and every worker: workers stamp heartbeat(name) from
// their own threads; the main loop calls tick(), which sends WATCHDOG=1 only when a ping is due and
// every registered stamp is fresh. A hung main loop (no tick) or a hung worker (stale stamp) stops the
// keep-alives, and systemd kills (SIGABRT) and restarts the unit after WatchdogSec.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::core {

struct WatchdogOptions {
  using Clock = std::chrono::steady_clock;
  // Notification socket ("/run/systemd/notify" or "@abstract"); nullopt: $NOTIFY_SOCKET.
  std::optional<std::string> notify_socket;
  // systemd's WatchdogSec; nullopt: $WATCHDOG_USEC. Zero disables keep-alives.
  std::optional<std::chrono::microseconds> watchdog_timeout;
  // A heartbeat older than this is stale; zero: half the watchdog timeout (15 s when disabled).
  std::chrono::milliseconds stale_after{0};
  // Injected clock for tests; empty: steady_clock::now.
  std::function<Clock::time_point()> now;
};

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  // Reads the environment for whatever the options leave unset. Never throws on a bad environment:
  // an unparsable WATCHDOG_USEC disables keep-alives (and is reported by last_error()).
  explicit Watchdog(WatchdogOptions opts = {});
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // True when a notify socket is configured (running under systemd with Type=notify).
  bool notify_enabled() const { return !socket_.empty(); }
  // True when keep-alives are expected (notify socket and a non-zero watchdog timeout).
  bool watchdog_enabled() const { return notify_enabled() && timeout_.count() > 0; }
  // Ping interval: half the watchdog timeout (zero when disabled).
  std::chrono::microseconds interval() const { return timeout_ / 2; }
  std::chrono::milliseconds stale_after() const { return stale_after_; }

  // READY=1 (after the first home-screen frame). Also sends the first keep-alive.
  bool ready();
  // STATUS=<text> for `systemctl status`; newlines are replaced by spaces. Never pass personal data.
  bool status(std::string_view text);
  // STOPPING=1 on orderly shutdown.
  bool stopping();

  // Thread-safe: stamps worker `name` as alive now (registers it on first use).
  void heartbeat(std::string_view name);
  // Thread-safe: a worker that ends on purpose unregisters so it does not block the pings.
  void forget(std::string_view name);
  // Names of registered workers whose stamp is older than stale_after().
  std::vector<std::string> stale() const;

  // Main-loop thread only (ready/status/stopping/tick/next_due).
  // From the main loop: sends WATCHDOG=1 if a ping is due and every stamp is fresh. Returns true when
  // a keep-alive was sent. When a worker is stale it sends STATUS= naming it (once per change).
  bool tick();
  // Time until the next ping is due (for the main loop's wait timeout); max() when disabled.
  std::chrono::milliseconds next_due() const;

  // Sends one raw notification ("KEY=VALUE\n..."). Returns false (and records last_error) on failure.
  bool notify(std::string_view message);
  std::string last_error() const;

  // Parses a WATCHDOG_USEC value (decimal microseconds, no sign, no junk). nullopt when invalid.
  static std::optional<std::chrono::microseconds> parse_usec(std::string_view text);

 private:
  Clock::time_point now() const;

  std::function<Clock::time_point()> now_;
  std::string socket_;
  std::chrono::microseconds timeout_{0};
  std::chrono::milliseconds stale_after_{0};
  std::optional<Clock::time_point> last_ping_;
  std::optional<Clock::time_point> retry_at_;
  std::string stale_reported_;
  std::string app_status_;  // last status() text, restored when workers recover

  mutable std::mutex mu_;  // guards stamps_ and error_
  std::map<std::string, Clock::time_point, std::less<>> stamps_;
  std::string error_;
};

}  // namespace kiosk::core
