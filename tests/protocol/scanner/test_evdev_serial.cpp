// EvdevScanner over a pipe carrying real struct input_event records, and SerialScanner over a
// pseudo-terminal with the real TermiosPort.
#include <fcntl.h>
#include <linux/input.h>
#include <pty.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <thread>

#include "drivers/scanner/evdev_scanner.hpp"
#include "drivers/scanner/serial_scanner.hpp"

using namespace kiosk::scanner;
using namespace std::chrono_literals;

namespace {
void put_key(std::vector<input_event>& v, int code, int value) {
  input_event e{};
  e.type = EV_KEY;
  e.code = static_cast<std::uint16_t>(code);
  e.value = value;
  v.push_back(e);
  input_event syn{};
  syn.type = EV_SYN;
  v.push_back(syn);
}
void tap(std::vector<input_event>& v, int code, bool shift = false) {
  if (shift) put_key(v, KEY_LEFTSHIFT, 1);
  put_key(v, code, 1);
  put_key(v, code, 2);  // autorepeat: ignored
  put_key(v, code, 0);
  if (shift) put_key(v, KEY_LEFTSHIFT, 0);
}
}  // namespace

TEST_CASE("evdev: key events become a scan; autorepeat and SYN are ignored") {
  int p[2];
  REQUIRE(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
  EvdevConfig cfg;
  cfg.grab = false;  // a pipe cannot be grabbed; the grab itself is tested below
  EvdevScanner s(p[0], cfg);
  std::vector<input_event> ev;
  tap(ev, KEY_Q, true);
  tap(ev, KEY_R);
  tap(ev, KEY_1);
  tap(ev, KEY_ENTER);
  tap(ev, KEY_A);
  tap(ev, KEY_KPENTER);
  // Written in two chunks split inside a record: the reader reassembles.
  const auto* bytes = reinterpret_cast<const char*>(ev.data());
  const std::size_t total = ev.size() * sizeof(input_event), half = total / 2 + 3;
  REQUIRE(write(p[1], bytes, half) == static_cast<ssize_t>(half));
  std::thread later([&] {
    std::this_thread::sleep_for(20ms);
    REQUIRE(write(p[1], bytes + half, total - half) == static_cast<ssize_t>(total - half));
  });
  auto a = s.read_scan(1000ms);
  later.join();
  auto b = s.read_scan(1000ms);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a == "Qr1");
  CHECK(*b == "a");
  CHECK_FALSE(s.read_scan(30ms));
  close(p[1]);
  CHECK_THROWS_AS(s.read_scan(200ms), kiosk::transport::TransportError);
}

TEST_CASE("evdev: refusing to run without the exclusive grab") {
  int p[2];
  REQUIRE(pipe2(p, O_CLOEXEC) == 0);
  EvdevConfig cfg;
  cfg.grab = true;
  try {
    EvdevScanner s(p[0], cfg);
    FAIL("ran without a grab");
  } catch (const kiosk::transport::TransportError& e) {
    CHECK(std::string(e.what()).find("exclusive grab") != std::string::npos);
  }
  close(p[0]);
  close(p[1]);
}

TEST_CASE("evdev: a device path that does not exist is NotFound") {
  EvdevConfig cfg;
  cfg.path = "/dev/input/event-does-not-exist";
  try {
    EvdevScanner s(cfg);
    FAIL("opened a missing device");
  } catch (const kiosk::transport::TransportError& e) {
    CHECK(e.kind() == kiosk::transport::ErrorKind::NotFound);
  }
}

TEST_CASE("serial scanner over a pseudo-terminal: CRLF scans, GBK text") {
  int master = -1, slave = -1;
  char name[128] = {};
  REQUIRE(openpty(&master, &slave, name, nullptr, nullptr) == 0);
  SerialConfig cfg;
  cfg.device = name;
  cfg.baud = 115200;
  cfg.encoding = "gbk";
  SerialScanner s(std::make_unique<TermiosPort>(name, 115200), cfg);
  CHECK(s.describe() == std::string("serial:") + name + "@115200");
  CHECK_FALSE(s.read_scan(30ms));
  // "提交" in GBK is CC E1 BD BB.
  const char data[] = "TOKEN-1\r\n\xCC\xE1\xBD\xBB\r\n";
  REQUIRE(write(master, data, sizeof data - 1) == static_cast<ssize_t>(sizeof data - 1));
  auto a = s.read_scan(1000ms);
  auto b = s.read_scan(1000ms);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a == "TOKEN-1");
  CHECK(*b == "提交");
  // Invalid GBK is dropped and counted, not passed on.
  const char bad[] = "\xFF\xFF\r\nok\r\n";
  REQUIRE(write(master, bad, sizeof bad - 1) == static_cast<ssize_t>(sizeof bad - 1));
  auto c = s.read_scan(1000ms);
  REQUIRE(c);
  CHECK(*c == "ok");
  CHECK(s.bad_encoding() == 1);
  close(slave);
  close(master);
}

TEST_CASE("serial: bad configuration is rejected with a typed error") {
  CHECK_THROWS_AS(TermiosPort("/dev/null", 12345), kiosk::transport::TransportError);
  CHECK_THROWS_AS(TermiosPort("/dev/no-such-tty", 9600), kiosk::transport::TransportError);
  int master = -1, slave = -1;
  char name[128] = {};
  REQUIRE(openpty(&master, &slave, name, nullptr, nullptr) == 0);
  SerialConfig cfg;
  cfg.encoding = "latin1";
  CHECK_THROWS_AS(SerialScanner(std::make_unique<TermiosPort>(name, 9600), cfg),
                  kiosk::transport::TransportError);
  close(slave);
  close(master);
}
