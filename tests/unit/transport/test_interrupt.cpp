// Transport::interrupt(): a read blocked on another thread returns 0 at once, the request is sticky
// for the next read, and it only affects the interrupted side.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "drivers/transport/loopback.hpp"
#include "drivers/transport/serial.hpp"

using namespace kiosk::transport;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Starts a read with a 10 s timeout on another thread, interrupts it after `delay`, and returns
// {bytes read, how long the read took}.
std::pair<std::size_t, Millis> interrupted_read(Transport& t, Millis delay) {
  auto f = std::async(std::launch::async, [&t] {
    std::uint8_t b[8];
    const auto t0 = Clock::now();
    const std::size_t n = t.read(b, 10'000ms);
    return std::pair{n, std::chrono::duration_cast<Millis>(Clock::now() - t0)};
  });
  std::this_thread::sleep_for(delay);
  t.interrupt();
  REQUIRE(f.wait_for(2s) == std::future_status::ready);
  return f.get();
}

}  // namespace

TEST_CASE("loopback interrupt wakes a blocked read at once", "[transport][loopback]") {
  auto pair = make_loopback("t");
  REQUIRE(pair.device->interruptible());
  auto [n, took] = interrupted_read(*pair.device, 100ms);
  CHECK(n == 0);
  CHECK(took >= 90ms);  // it really blocked until the interrupt
  CHECK(took < 150ms);  // and woke well before its 10 s timeout
  // Consumed: the next read waits for its own timeout again.
  std::uint8_t b[4];
  const auto t0 = Clock::now();
  CHECK(pair.device->read(b, 50ms) == 0);
  CHECK(Clock::now() - t0 >= 45ms);
}

TEST_CASE("loopback interrupt is sticky for the next read and leaves bytes queued", "[transport][loopback]") {
  auto pair = make_loopback("t");
  const std::uint8_t msg[] = {1, 2, 3};
  pair.device->interrupt();
  pair.host->write(msg, 100ms);
  std::uint8_t b[8];
  const auto t0 = Clock::now();
  CHECK(pair.device->read(b, 5'000ms) == 0);
  CHECK(Clock::now() - t0 < 50ms);
  REQUIRE(pair.device->read(b, 100ms) == 3);  // the bytes were not dropped
  CHECK(b[2] == 3);
}

TEST_CASE("loopback interrupt affects only its own side", "[transport][loopback]") {
  auto pair = make_loopback("t");
  auto host_read = std::async(std::launch::async, [&] {
    std::uint8_t b[4];
    return pair.host->read(b, 2'000ms);
  });
  auto [n, took] = interrupted_read(*pair.device, 50ms);
  CHECK(n == 0);
  CHECK(took < 150ms);
  // The host's reader saw the shared cv fire but must keep waiting; a write then reaches it.
  CHECK(host_read.wait_for(100ms) == std::future_status::timeout);
  const std::uint8_t one[] = {7};
  pair.device->write(one, 100ms);
  REQUIRE(host_read.wait_for(1s) == std::future_status::ready);
  CHECK(host_read.get() == 1);
}

TEST_CASE("loopback close still reports Disconnected to a blocked read", "[transport][loopback]") {
  auto pair = make_loopback("t");
  auto f = std::async(std::launch::async, [&] {
    std::uint8_t b[4];
    try {
      pair.device->read(b, 5'000ms);
    } catch (const TransportError& e) {
      return e.kind();
    }
    return ErrorKind::Io;
  });
  std::this_thread::sleep_for(30ms);
  pair.host->close();
  REQUIRE(f.wait_for(1s) == std::future_status::ready);
  CHECK(f.get() == ErrorKind::Disconnected);
}

TEST_CASE("pty (fd) transport interrupt wakes a blocked read", "[transport][serial]") {
  PtyDevice pty = open_pty("t");
  REQUIRE(pty.master->interruptible());
  auto [n, took] = interrupted_read(*pty.master, 100ms);
  CHECK(n == 0);
  CHECK(took >= 90ms);
  CHECK(took < 150ms);

  // Sticky: an interrupt before the read makes it return at once; then bytes still flow.
  pty.master->interrupt();
  std::uint8_t b[8];
  const auto t0 = Clock::now();
  CHECK(pty.master->read(b, 5'000ms) == 0);
  CHECK(Clock::now() - t0 < 50ms);
  auto port = SerialPort::open(pty.slave_path);
  REQUIRE(port->interruptible());
  const std::uint8_t msg[] = {0xAA, 0x55};
  port->write(msg, 200ms);
  REQUIRE(pty.master->read(b, 1'000ms) == 2);
  CHECK(b[0] == 0xAA);
}

TEST_CASE("idle_read_timeout is long only for interruptible transports", "[transport]") {
  struct Plain : Transport {
    void write(std::span<const std::uint8_t>, Millis) override {}
    std::size_t read(std::span<std::uint8_t>, Millis) override { return 0; }
    void flush_input() override {}
    bool connected() const override { return true; }
    std::string describe() const override { return "plain"; }
  } plain;
  auto pair = make_loopback("t");
  CHECK_FALSE(plain.interruptible());
  CHECK(idle_read_timeout(plain) <= 100ms);
  CHECK(idle_read_timeout(*pair.device) >= 10'000ms);
}
