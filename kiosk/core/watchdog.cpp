#include "kiosk/core/watchdog.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#ifdef KIOSK_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace kiosk::core {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// Sends one datagram to a unix socket path ("@name" = abstract namespace) without blocking.
// Returns an empty string on success, else the reason.
std::string send_datagram(const std::string& path, std::string_view message) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) return "notify socket path empty or too long";
  if (path[0] != '/' && path[0] != '@') return "notify socket must be an absolute path or @abstract";
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());

  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("socket: ") + std::strerror(errno);
  const ssize_t n = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                             reinterpret_cast<const sockaddr*>(&addr), len);
  const int err = errno;
  ::close(fd);
  if (n < 0) return std::string("sendto: ") + std::strerror(err);
  if (static_cast<std::size_t>(n) != message.size()) return "sendto: short write";
  return {};
}

}  // namespace

std::optional<microseconds> Watchdog::parse_usec(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  // systemd's "infinity" is UINT64_MAX (20 digits, rejected above); cap at ~1 year.
  if (v > 365ULL * 24 * 3600 * 1000000ULL) return std::nullopt;
  return microseconds(static_cast<microseconds::rep>(v));
}

Watchdog::Watchdog(WatchdogOptions opts) : now_(std::move(opts.now)) {
  socket_ = opts.notify_socket ? *opts.notify_socket : env_or_empty("NOTIFY_SOCKET");
  if (opts.watchdog_timeout) {
    timeout_ = *opts.watchdog_timeout;
  } else if (const std::string usec = env_or_empty("WATCHDOG_USEC"); !usec.empty()) {
    if (auto parsed = parse_usec(usec)) {
      timeout_ = *parsed;
    } else {
      error_ = "WATCHDOG_USEC is not a valid number of microseconds; keep-alives disabled";
    }
  }
  if (timeout_.count() < 0) timeout_ = microseconds(0);
  stale_after_ = opts.stale_after;
  if (stale_after_.count() <= 0) {
    stale_after_ = timeout_.count() > 0 ? duration_cast<milliseconds>(timeout_ / 2) : milliseconds(15000);
    if (stale_after_.count() <= 0) stale_after_ = milliseconds(1);
  }
  if (!error_.empty()) spdlog::warn("watchdog: {}", error_);
  if (watchdog_enabled()) {
    spdlog::info("watchdog: keep-alive every {} ms, heartbeat stale after {} ms",
                 duration_cast<milliseconds>(interval()).count(), stale_after_.count());
  }
}

Watchdog::~Watchdog() = default;

Watchdog::Clock::time_point Watchdog::now() const {
  return now_ ? now_() : Clock::now();
}

bool Watchdog::notify(std::string_view message) {
  if (socket_.empty()) return false;
  std::string err;
#ifdef KIOSK_HAVE_SYSTEMD
  if (socket_ == env_or_empty("NOTIFY_SOCKET")) {
    // libsystemd's sender (handles every address form systemd hands out).
    const int r = sd_notify(0, std::string(message).c_str());
    if (r < 0)
      err = std::string("sd_notify: ") + std::strerror(-r);
    else if (r == 0)
      err = "sd_notify: NOTIFY_SOCKET not set";
  } else {
    err = send_datagram(socket_, message);
  }
#else
  err = send_datagram(socket_, message);
#endif
  std::lock_guard lock(mu_);
  if (!err.empty()) {
    if (err != error_) spdlog::warn("watchdog: notify failed: {}", err);
    error_ = err;
    return false;
  }
  return true;
}

std::string Watchdog::last_error() const {
  std::lock_guard lock(mu_);
  return error_;
}

bool Watchdog::ready() {
  const bool ok = notify("READY=1");
  if (ok && watchdog_enabled()) {
    if (notify("WATCHDOG=1")) last_ping_ = now();
  }
  return ok;
}

bool Watchdog::status(std::string_view text) {
  app_status_.clear();
  for (char c : text) app_status_.push_back(c == '\n' || c == '\r' ? ' ' : c);
  return notify("STATUS=" + app_status_);
}

bool Watchdog::stopping() {
  return notify("STOPPING=1");
}

void Watchdog::heartbeat(std::string_view name) {
  const auto t = now();
  std::lock_guard lock(mu_);
  auto it = stamps_.find(name);
  if (it == stamps_.end())
    stamps_.emplace(std::string(name), t);
  else
    it->second = t;
}

void Watchdog::forget(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = stamps_.find(name);
  if (it != stamps_.end()) stamps_.erase(it);
}

std::vector<std::string> Watchdog::stale() const {
  const auto t = now();
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  for (const auto& [name, stamp] : stamps_) {
    if (t - stamp > stale_after_) out.push_back(name);
  }
  return out;
}

std::chrono::milliseconds Watchdog::next_due() const {
  if (!watchdog_enabled()) return milliseconds::max();
  auto due = last_ping_ ? *last_ping_ + interval() : Clock::time_point::min();
  if (retry_at_ && *retry_at_ > due) due = *retry_at_;
  const auto t = now();
  if (due <= t) return milliseconds(0);
  // Round up so a caller sleeping this long is never woken early.
  return duration_cast<milliseconds>(due - t + microseconds(999));
}

bool Watchdog::tick() {
  if (!watchdog_enabled()) return false;
  const auto t = now();
  if (last_ping_ && t - *last_ping_ < interval()) return false;
  if (retry_at_ && t < *retry_at_) return false;

  const auto hung = stale();
  std::string joined;
  for (const auto& n : hung) joined += (joined.empty() ? "" : ",") + n;
  if (joined != stale_reported_) {
    if (!joined.empty()) {
      spdlog::error("watchdog: stale heartbeat from {}; withholding keep-alive", joined);
      notify("STATUS=watchdog: stale worker " + joined);
    } else if (!stale_reported_.empty()) {
      spdlog::info("watchdog: all heartbeats fresh again");
      notify("STATUS=" + (app_status_.empty() ? std::string("running") : app_status_));
    }
    stale_reported_ = joined;
  }
  // Withheld or failed: check again after a tenth of the interval, so the loop never spins.
  const auto retry = t + std::max<Clock::duration>(interval() / 10, milliseconds(10));
  if (!hung.empty()) {
    retry_at_ = retry;
    return false;
  }
  if (!notify("WATCHDOG=1")) {
    retry_at_ = retry;
    return false;
  }
  last_ping_ = t;
  retry_at_.reset();
  return true;
}

}  // namespace kiosk::core
