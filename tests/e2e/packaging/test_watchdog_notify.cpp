// The watchdog path end to end, with systemd's notify protocol emulated: a unix datagram socket is
// NOTIFY_SOCKET, the probe program (real Watchdog module) runs with WATCHDOG_USEC set, and a small
// supervisor plays systemd: it records READY/STATUS/WATCHDOG, kills the service with SIGABRT when
// keep-alives stop for WatchdogSec, and restarts it (Restart=always). Plus unit checks with a fake clock.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kiosk/core/watchdog.hpp"

namespace fs = std::filesystem;
using namespace std::chrono;
using kiosk::core::Watchdog;
using kiosk::core::WatchdogOptions;

namespace {

struct Message {
  pid_t pid = 0;
  std::string text;
  steady_clock::time_point at;
};

// The systemd side of sd_notify: an AF_UNIX datagram socket with SO_PASSCRED (sender PID).
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    int one = 1;
    REQUIRE(::setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path_.size() < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, path_.data(), path_.size());
    if (path_[0] == '@') addr.sun_path[0] = '\0';
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path_.size());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0);
  }
  ~NotifySocket() {
    ::close(fd_);
    if (path_[0] == '/') ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

  // Waits up to `timeout` for one datagram.
  std::optional<Message> receive(milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::max<long>(0, timeout.count())));
    if (r <= 0) return std::nullopt;
    char buf[4096];
    alignas(cmsghdr) char ctrl[CMSG_SPACE(sizeof(ucred))];
    iovec iov{buf, sizeof buf};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctrl;
    mh.msg_controllen = sizeof ctrl;
    const ssize_t n = ::recvmsg(fd_, &mh, MSG_DONTWAIT);
    if (n < 0) return std::nullopt;
    Message m;
    m.text.assign(buf, static_cast<std::size_t>(n));
    m.at = steady_clock::now();
    for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred cred{};
        std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
        m.pid = cred.pid;
      }
    }
    return m;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

fs::path make_temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "kiosk-wd-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

// fork + execve with exactly this environment; no core files (SIGABRT below); quiet drops stdout/stderr.
pid_t spawn_env(std::vector<std::string> argv_s, std::vector<std::string> env_s, bool quiet = false) {
  std::vector<char*> argv, envp;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    if (quiet) {
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

pid_t spawn_probe(const std::string& notify, long watchdog_usec, const std::vector<std::string>& args) {
  std::vector<std::string> argv_s{WATCHDOG_PROBE};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  return spawn_env(argv_s, {"NOTIFY_SOCKET=" + notify, "WATCHDOG_USEC=" + std::to_string(watchdog_usec),
                            "PATH=/usr/bin:/bin"});
}

// As under kiosk.service: a "compositor" (a shell standing in for cage) is the main PID and the probe
// its child; WATCHDOG_PID names the main PID, as systemd sets it. The group id is the main PID, so
// kill(-main) reaches the whole "cgroup". Orphans are reaped by this process (subreaper).
pid_t spawn_under_compositor(const std::string& notify, long watchdog_usec,
                             const std::vector<std::string>& args) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  std::vector<std::string> argv_s{"/bin/sh", "-c", "\"$0\" \"$@\"; exit $?", WATCHDOG_PROBE};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setpgid(0, 0);
    rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    std::vector<std::string> env_s{"NOTIFY_SOCKET=" + notify,
                                   "WATCHDOG_USEC=" + std::to_string(watchdog_usec),
                                   "WATCHDOG_PID=" + std::to_string(::getpid()), "PATH=/usr/bin:/bin"};
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent, so kill(-pid) works at once
  return pid;
}

bool has_line(const std::string& msg, const std::string& line) {
  std::size_t pos = 0;
  while (pos <= msg.size()) {
    const auto end = msg.find('\n', pos);
    if (msg.substr(pos, end == std::string::npos ? std::string::npos : end - pos) == line) return true;
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return false;
}

// What systemd does for Type=notify + WatchdogSec + Restart=always, for one service instance.
struct RunResult {
  bool ready = false;
  int watchdog_pings = 0;
  std::vector<std::string> statuses;
  bool killed_by_watchdog = false;
  int wait_status = 0;
  milliseconds silent_before_kill{0};
  bool foreign_sender = false;
  std::set<pid_t> senders;
};

// systemd stopping the rest of the unit's cgroup after the main process died.
void stop_group(pid_t group) {
  ::kill(-group, SIGTERM);
  for (int i = 0; i < 200; ++i) {  // ≤ 2 s, then SIGKILL (TimeoutStopSec)
    int st = 0;
    const pid_t r = ::waitpid(-group, &st, WNOHANG);
    if (r < 0) return;  // no processes of the group left
    if (r == 0) ::usleep(10000);
  }
  ::kill(-group, SIGKILL);
  while (::waitpid(-group, nullptr, 0) > 0) {
  }
}

RunResult supervise(NotifySocket& sock, pid_t pid, milliseconds watchdog_sec, milliseconds max_run,
                    bool group = false) {
  RunResult r;
  const auto start = steady_clock::now();
  auto last_alive = start;  // systemd arms the watchdog timer at start
  for (;;) {
    const auto now = steady_clock::now();
    if (now - start > max_run) break;
    const auto deadline = last_alive + watchdog_sec;
    if (now >= deadline) {
      r.silent_before_kill = duration_cast<milliseconds>(now - last_alive);
      ::kill(pid, SIGABRT);  // systemd: "Watchdog timeout (limit ...)!" → SIGABRT
      r.killed_by_watchdog = true;
      break;
    }
    auto m = sock.receive(duration_cast<milliseconds>(deadline - now) + milliseconds(1));
    if (!m) {
      int st = 0;
      if (::waitpid(pid, &st, WNOHANG) == pid) {
        r.wait_status = st;
        return r;
      }
      continue;
    }
    if (m->pid != pid) r.foreign_sender = true;
    r.senders.insert(m->pid);
    if (has_line(m->text, "READY=1")) r.ready = true;
    if (has_line(m->text, "WATCHDOG=1")) {
      ++r.watchdog_pings;
      last_alive = m->at;
    }
    if (m->text.rfind("STATUS=", 0) == 0) r.statuses.push_back(m->text.substr(7));
  }
  if (!r.killed_by_watchdog) ::kill(pid, SIGKILL);
  ::waitpid(pid, &r.wait_status, 0);
  if (group) stop_group(pid);
  return r;
}

int count_lines(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

constexpr long kWatchdogUsec = 800000;  // WatchdogSec=0.8s → pings every 400 ms
constexpr milliseconds kWatchdogSec{800};

}  // namespace

TEST_CASE("healthy loop: READY=1 then regular WATCHDOG=1 from the child process", "[watchdog][e2e]") {
  const auto dir = make_temp_dir();
  NotifySocket sock((dir / "notify").string());
  const pid_t pid = spawn_probe(sock.path(), kWatchdogUsec, {"--run-ms", "2000"});
  const auto r = supervise(sock, pid, kWatchdogSec, milliseconds(5000));
  CHECK(r.ready);
  CHECK_FALSE(r.killed_by_watchdog);
  CHECK_FALSE(r.foreign_sender);
  // 2 s at one ping per 400 ms: ~5; allow for a loaded CI machine.
  CHECK(r.watchdog_pings >= 4);
  CHECK(r.watchdog_pings <= 8);
  CHECK(WIFEXITED(r.wait_status));
  CHECK(WEXITSTATUS(r.wait_status) == 0);
  REQUIRE_FALSE(r.statuses.empty());
  CHECK(r.statuses.back() == "running");
  fs::remove_all(dir);
}

TEST_CASE("abstract NOTIFY_SOCKET (@name) works too", "[watchdog][e2e]") {
  NotifySocket sock("@kiosk-wd-test-" + std::to_string(::getpid()));
  const pid_t pid = spawn_probe(sock.path(), kWatchdogUsec, {"--run-ms", "600"});
  const auto r = supervise(sock, pid, kWatchdogSec, milliseconds(4000));
  CHECK(r.ready);
  CHECK(r.watchdog_pings >= 1);
  CHECK_FALSE(r.killed_by_watchdog);
}

TEST_CASE("hung main loop stops the pings; the supervisor aborts and restarts it; data survives",
          "[watchdog][e2e]") {
  const auto dir = make_temp_dir();
  NotifySocket sock((dir / "notify").string());
  const std::vector<std::string> args{"--data", dir.string(), "--hang-main-after-ms", "1000"};

  const pid_t first = spawn_probe(sock.path(), kWatchdogUsec, args);
  const auto r1 = supervise(sock, first, kWatchdogSec, milliseconds(8000));
  CHECK(r1.ready);
  CHECK(r1.watchdog_pings >= 2);  // it was alive before the hang
  REQUIRE(r1.killed_by_watchdog);
  CHECK(r1.silent_before_kill >= kWatchdogSec);
  CHECK(WIFSIGNALED(r1.wait_status));
  CHECK(WTERMSIG(r1.wait_status) == SIGABRT);

  // Restart=always: the same unit starts again and reaches READY with the data directory intact.
  const pid_t second = spawn_probe(sock.path(), kWatchdogUsec, {"--data", dir.string(), "--run-ms", "500"});
  const auto r2 = supervise(sock, second, kWatchdogSec, milliseconds(4000));
  CHECK(r2.ready);
  CHECK_FALSE(r2.killed_by_watchdog);
  CHECK(count_lines(dir / "journal.txt") == 2);
  fs::remove_all(dir);
}

TEST_CASE(
    "kiosk as the compositor's child: WATCHDOG_PID is the main PID, pings still flow (NotifyAccess=all)",
    "[watchdog][e2e]") {
  const auto dir = make_temp_dir();
  NotifySocket sock((dir / "notify").string());
  const std::vector<std::string> args{"--data", dir.string(), "--hang-main-after-ms", "1200"};
  const pid_t main_pid = spawn_under_compositor(sock.path(), kWatchdogUsec, args);
  const auto r1 = supervise(sock, main_pid, kWatchdogSec, milliseconds(8000), true);
  CHECK(r1.ready);
  CHECK(r1.watchdog_pings >= 2);
  CHECK(r1.senders.size() == 1);
  CHECK(r1.senders.count(main_pid) == 0);  // every message came from the child, not the main PID
  REQUIRE(r1.killed_by_watchdog);          // the hung child stopped the pings
  CHECK(WIFSIGNALED(r1.wait_status));
  CHECK(WTERMSIG(r1.wait_status) == SIGABRT);  // the abort hit the main PID ...
  CHECK(::kill(-main_pid, 0) != 0);            // ... and nothing of the unit is left running

  const pid_t again =
      spawn_under_compositor(sock.path(), kWatchdogUsec, {"--data", dir.string(), "--run-ms", "500"});
  const auto r2 = supervise(sock, again, kWatchdogSec, milliseconds(4000), true);
  CHECK(r2.ready);
  CHECK_FALSE(r2.killed_by_watchdog);
  CHECK(count_lines(dir / "journal.txt") == 2);
  fs::remove_all(dir);
}

TEST_CASE("hung worker thread stops the pings although the main loop still ticks", "[watchdog][e2e]") {
  const auto dir = make_temp_dir();
  NotifySocket sock((dir / "notify").string());
  const pid_t pid = spawn_probe(sock.path(), kWatchdogUsec, {"--hang-worker-after-ms", "1000"});
  const auto r = supervise(sock, pid, kWatchdogSec, milliseconds(8000));
  CHECK(r.ready);
  CHECK(r.watchdog_pings >= 2);
  REQUIRE(r.killed_by_watchdog);
  CHECK(WTERMSIG(r.wait_status) == SIGABRT);
  bool named = false;
  for (const auto& s : r.statuses) named = named || s.find("stale worker idcard") != std::string::npos;
  CHECK(named);  // systemctl status says why
  fs::remove_all(dir);
}

// ---- Watchdog logic with a fake clock (no processes) ----

namespace {
struct FakeClock {
  steady_clock::time_point t{};
  steady_clock::time_point operator()() const { return t; }
};
}  // namespace

TEST_CASE("tick pings every half timeout, only while every heartbeat is fresh", "[watchdog]") {
  const auto dir = make_temp_dir();
  NotifySocket sock((dir / "n").string());
  FakeClock clk;
  clk.t = steady_clock::time_point(seconds(1000));
  WatchdogOptions o;
  o.notify_socket = sock.path();
  o.watchdog_timeout = seconds(10);
  o.now = [&] { return clk.t; };
  Watchdog wd(o);
  REQUIRE(wd.watchdog_enabled());
  CHECK(wd.interval() == seconds(5));
  CHECK(wd.stale_after() == seconds(5));

  CHECK(wd.ready());
  auto m = sock.receive(milliseconds(500));
  REQUIRE(m);
  CHECK(m->text == "READY=1");
  m = sock.receive(milliseconds(500));
  REQUIRE(m);
  CHECK(m->text == "WATCHDOG=1");

  wd.heartbeat("printer");
  clk.t += seconds(3);
  CHECK_FALSE(wd.tick());  // not due yet
  CHECK(wd.next_due() == seconds(2));
  clk.t += seconds(2);
  wd.heartbeat("printer");
  CHECK(wd.tick());
  CHECK(sock.receive(milliseconds(500))->text == "WATCHDOG=1");

  clk.t += seconds(6);  // printer silent for 6 s > 5 s
  CHECK(wd.stale() == std::vector<std::string>{"printer"});
  CHECK_FALSE(wd.tick());
  CHECK(sock.receive(milliseconds(500))->text == "STATUS=watchdog: stale worker printer");
  CHECK_FALSE(sock.receive(milliseconds(50)));  // no WATCHDOG=1
  CHECK(wd.next_due() == milliseconds(500));    // retry later, never spin
  CHECK_FALSE(wd.tick());
  CHECK_FALSE(sock.receive(milliseconds(50)));  // status not repeated

  wd.heartbeat("printer");  // recovers
  clk.t += milliseconds(500);
  CHECK(wd.tick());
  CHECK(sock.receive(milliseconds(500))->text == "STATUS=running");
  CHECK(sock.receive(milliseconds(500))->text == "WATCHDOG=1");

  wd.forget("printer");  // a worker that ends on purpose no longer blocks the pings
  clk.t += seconds(60);
  CHECK(wd.stale().empty());
  CHECK(wd.tick());
  fs::remove_all(dir);
}

TEST_CASE("without NOTIFY_SOCKET or WATCHDOG_USEC everything is a no-op", "[watchdog]") {
  WatchdogOptions o;
  o.notify_socket = "";
  o.watchdog_timeout = microseconds(0);
  Watchdog wd(o);
  CHECK_FALSE(wd.notify_enabled());
  CHECK_FALSE(wd.watchdog_enabled());
  CHECK_FALSE(wd.ready());
  CHECK_FALSE(wd.tick());
  CHECK(wd.next_due() == milliseconds::max());
  wd.heartbeat("camera");
  CHECK(wd.stale().empty());
}

TEST_CASE("a dead notify socket is a typed failure, not a crash", "[watchdog]") {
  WatchdogOptions o;
  o.notify_socket = "/nonexistent/kiosk/notify";
  o.watchdog_timeout = seconds(2);
  Watchdog wd(o);
  CHECK_FALSE(wd.ready());
  CHECK(wd.last_error().find("sendto") != std::string::npos);
  CHECK_FALSE(wd.tick());
  CHECK(wd.next_due() > milliseconds(0));

  o.notify_socket = "relative/path";
  Watchdog rel(o);
  CHECK_FALSE(rel.status("x"));
  CHECK(rel.last_error().find("absolute") != std::string::npos);
}

TEST_CASE("WATCHDOG_USEC parsing", "[watchdog]") {
  CHECK(Watchdog::parse_usec("30000000") == microseconds(30000000));
  CHECK(Watchdog::parse_usec("1") == microseconds(1));
  CHECK_FALSE(Watchdog::parse_usec(""));
  CHECK_FALSE(Watchdog::parse_usec("-5"));
  CHECK_FALSE(Watchdog::parse_usec("30s"));
  CHECK_FALSE(Watchdog::parse_usec(" 30"));
  CHECK_FALSE(Watchdog::parse_usec("18446744073709551615"));  // infinity
  CHECK_FALSE(Watchdog::parse_usec("99999999999999999"));
}

#ifdef KIOSK_BIN
// The real kiosk (not the probe) under the emulated systemd: READY=1 after its first frame, keep-alives
// from its idle main loop, and none once the process hangs (SIGSTOP stands in for a hung loop).
TEST_CASE("the kiosk itself: READY=1 after the first frame, keep-alives while idle, none when hung",
          "[watchdog][e2e]") {
  const auto dir = make_temp_dir();
  NotifySocket sock((dir / "notify").string());
  std::vector<std::string> argv_s{KIOSK_BIN, "--demo", "--window", "800x600", "--exit-after-ms", "60000"};
  std::vector<std::string> env_s{
      "NOTIFY_SOCKET=" + sock.path(), "WATCHDOG_USEC=" + std::to_string(kWatchdogUsec),
      "SDL_VIDEODRIVER=offscreen",    "SDL_AUDIODRIVER=dummy",
      "PATH=/usr/bin:/bin",           std::string("KIOSK_SOURCE_DIR=") + KIOSK_SOURCE_DIR,
      "TMPDIR=" + dir.string()};
  const pid_t pid = spawn_env(argv_s, env_s, true);
  bool ready = false;
  int pings_after_ready = 0;
  const auto deadline = steady_clock::now() + seconds(30);  // cold start on a loaded CI machine
  while (steady_clock::now() < deadline && pings_after_ready < 3) {
    auto m = sock.receive(milliseconds(500));
    if (!m) continue;
    CHECK(m->pid == pid);
    if (m->text.find("READY=1") != std::string::npos) ready = true;
    if (ready && m->text.find("WATCHDOG=1") != std::string::npos) ++pings_after_ready;
  }
  CHECK(ready);
  CHECK(pings_after_ready >= 3);

  // Hung: no keep-alive for three watchdog periods (systemd would abort and restart the unit).
  ::kill(pid, SIGSTOP);
  while (sock.receive(milliseconds(50))) {
  }  // drop what was sent before the stop
  int pings_while_hung = 0;
  const auto hung_until = steady_clock::now() + 3 * kWatchdogSec;
  while (steady_clock::now() < hung_until)
    if (auto m = sock.receive(milliseconds(100)); m && m->text.find("WATCHDOG=1") != std::string::npos)
      ++pings_while_hung;
  CHECK(pings_while_hung == 0);

  ::kill(pid, SIGKILL);
  int st = 0;
  ::waitpid(pid, &st, 0);
  CHECK(WIFSIGNALED(st));
  fs::remove_all(dir);
}
#endif
