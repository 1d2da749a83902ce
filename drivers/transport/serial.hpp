// Serial transports over a file descriptor: SerialPort (termios raw 8N1, baud) and a pseudo-terminal
// pair for simulators, so tests run the real serial path. Reads and writes wait in poll() with the
// caller's deadline; a hang-up or EIO is reported as Disconnected.
#pragma once

#include <memory>
#include <string>

#include "drivers/transport/transport.hpp"

namespace kiosk::transport {

// Any non-blocking fd (tty, pty master, pipe). Owns and closes the fd.
class FdTransport : public Transport {
 public:
  FdTransport(int fd, std::string name);
  ~FdTransport() override;
  FdTransport(const FdTransport&) = delete;
  FdTransport& operator=(const FdTransport&) = delete;

  void write(std::span<const std::uint8_t> data, Millis timeout) override;
  std::size_t read(std::span<std::uint8_t> buf, Millis timeout) override;
  void flush_input() override;
  bool connected() const override;
  std::string describe() const override { return name_; }
  // Wakes a blocked read() through an eventfd polled alongside the device fd.
  void interrupt() override;
  bool interruptible() const override { return wake_fd_ >= 0; }
  // Closes the fd now (an unplug for the peer). Later calls throw Disconnected.
  void close();
  int fd() const { return fd_; }

 protected:
  int fd_;
  std::string name_;
  bool hung_up_ = false;
  bool is_tty_ = false;
  int wake_fd_ = -1;  // eventfd for interrupt(); lives until destruction (close() keeps it)
};

struct SerialOptions {
  int baud = 115200;  // 9600 19200 38400 57600 115200 230400
};

class SerialPort : public FdTransport {
 public:
  // Opens and configures raw 8N1 at the baud rate. Throws TransportError (NotFound, Access, Busy,
  // Invalid for an unsupported baud, Io).
  static std::unique_ptr<SerialPort> open(const std::string& path, SerialOptions opts = {});
  void set_baud(int baud);
  int baud() const { return baud_; }

 private:
  SerialPort(int fd, std::string path, int baud);
  std::string path_;
  int baud_;
};

// The device side of a pseudo-terminal: `master` is what a simulator talks through, `slave_path`
// (/dev/pts/N) is what the driver opens as a SerialPort. The pair keeps a slave fd open itself so the
// master never sees a hang-up between driver sessions; closing `master` is an unplug.
struct PtyDevice {
  std::unique_ptr<FdTransport> master;
  std::string slave_path;
  int keep_slave_fd = -1;
  PtyDevice() = default;
  PtyDevice(PtyDevice&&) noexcept;
  PtyDevice& operator=(PtyDevice&&) noexcept;
  ~PtyDevice();
};
PtyDevice open_pty(const std::string& name);

}  // namespace kiosk::transport
