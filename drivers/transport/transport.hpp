// Byte transports shared by every device driver: serial (termios), USB (libusb) and an in-process
// loopback. All calls take explicit deadlines; none busy-waits.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

namespace kiosk::transport {

using Millis = std::chrono::milliseconds;

enum class ErrorKind {
  Timeout,       // deadline passed before the operation completed
  Disconnected,  // device gone (unplugged, peer closed)
  Io,            // other OS / libusb error
  NotFound,      // device or port does not exist
  Access,        // permission denied
  Busy,          // claimed by someone else
  Invalid,       // bad argument or configuration
};

const char* to_string(ErrorKind kind);

class TransportError : public std::runtime_error {
 public:
  TransportError(ErrorKind kind, std::string detail)
      : std::runtime_error(std::string(to_string(kind)) + ": " + detail), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// A bidirectional byte stream to one device. Not thread-safe: one owner thread at a time.
class Transport {
 public:
  virtual ~Transport() = default;
  // Writes all bytes or throws (Timeout, Disconnected, Io).
  virtual void write(std::span<const std::uint8_t> data, Millis timeout) = 0;
  // Reads at least one byte into buf, waiting up to timeout. Returns 0 if the deadline passed with
  // nothing to read. Throws Disconnected / Io on failure.
  virtual std::size_t read(std::span<std::uint8_t> buf, Millis timeout) = 0;
  // Drops any bytes received but not yet read.
  virtual void flush_input() = 0;
  virtual bool connected() const = 0;
  // Human-readable endpoint for logs ("serial:/dev/ttyUSB0@115200", "loopback:idcard").
  virtual std::string describe() const = 0;
  // Makes a read() blocked on another thread return 0 at once; if none is blocked, the next read()
  // does (the request is sticky until one read consumes it). Safe to call from any thread. The
  // default does nothing: see interruptible().
  virtual void interrupt() {}
  // True if interrupt() works, so an idle reader may block with a long timeout and still be stopped
  // promptly; false means the caller must keep short read timeouts to notice a stop.
  virtual bool interruptible() const { return false; }
};

// Read timeout for a thread that only waits for bytes or a stop (device simulators): long when the
// transport is interruptible (no periodic wakeups while idle), else short enough to notice a stop.
inline Millis idle_read_timeout(const Transport& t) {
  return t.interruptible() ? Millis(60'000) : Millis(100);
}

// Reads exactly buf.size() bytes before the deadline or throws TransportError(Timeout).
void read_exact(Transport& t, std::span<std::uint8_t> buf, Millis timeout);

}  // namespace kiosk::transport
