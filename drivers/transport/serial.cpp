#include "drivers/transport/serial.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kiosk::transport {

namespace {

using Clock = std::chrono::steady_clock;

int poll_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
  if (left < 0) return 0;
  return static_cast<int>(std::min<long long>(left, 60'000));
}

speed_t to_speed(int baud) {
  switch (baud) {
    case 9600:
      return B9600;
    case 19200:
      return B19200;
    case 38400:
      return B38400;
    case 57600:
      return B57600;
    case 115200:
      return B115200;
    case 230400:
      return B230400;
    default:
      throw TransportError(ErrorKind::Invalid, "unsupported baud rate " + std::to_string(baud));
  }
}

void make_raw(int fd, int baud, const std::string& name) {
  termios tio{};
  if (tcgetattr(fd, &tio) != 0)
    throw TransportError(ErrorKind::Io, name + ": tcgetattr: " + std::strerror(errno));
  cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  const speed_t sp = to_speed(baud);
  cfsetispeed(&tio, sp);
  cfsetospeed(&tio, sp);
  if (tcsetattr(fd, TCSANOW, &tio) != 0)
    throw TransportError(ErrorKind::Io, name + ": tcsetattr: " + std::strerror(errno));
}

ErrorKind kind_of_errno(int e) {
  switch (e) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
      return ErrorKind::NotFound;
    case EACCES:
    case EPERM:
      return ErrorKind::Access;
    case EBUSY:
    case EWOULDBLOCK:
      return ErrorKind::Busy;
    default:
      return ErrorKind::Io;
  }
}

}  // namespace

FdTransport::FdTransport(int fd, std::string name)
    : fd_(fd),
      name_(std::move(name)),
      is_tty_(isatty(fd) == 1),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}  // -1 on failure: not interruptible

FdTransport::~FdTransport() {
  close();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void FdTransport::interrupt() {
  if (wake_fd_ < 0) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);  // only fails if the counter is full
}

void FdTransport::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool FdTransport::connected() const {
  return fd_ >= 0 && !hung_up_;
}

void FdTransport::write(std::span<const std::uint8_t> data, Millis timeout) {
  if (fd_ < 0 || hung_up_) throw TransportError(ErrorKind::Disconnected, name_ + " closed");
  const auto deadline = Clock::now() + timeout;
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) {
      if (errno == EIO || errno == ENODEV || errno == EPIPE) {
        hung_up_ = true;
        throw TransportError(ErrorKind::Disconnected, name_ + ": " + std::strerror(errno));
      }
      throw TransportError(ErrorKind::Io, name_ + ": write: " + std::strerror(errno));
    }
    pollfd p{fd_, POLLOUT, 0};
    int r = ::poll(&p, 1, poll_ms(deadline));
    if (r == 0)
      throw TransportError(ErrorKind::Timeout,
                           name_ + ": write of " + std::to_string(data.size()) + " bytes");
    if (r < 0 && errno != EINTR)
      throw TransportError(ErrorKind::Io, name_ + ": poll: " + std::strerror(errno));
    if (r > 0 && (p.revents & (POLLHUP | POLLERR)) && !(p.revents & POLLOUT)) {
      hung_up_ = true;
      throw TransportError(ErrorKind::Disconnected, name_ + ": hang-up");
    }
  }
}

std::size_t FdTransport::read(std::span<std::uint8_t> buf, Millis timeout) {
  if (fd_ < 0 || hung_up_) throw TransportError(ErrorKind::Disconnected, name_ + " closed");
  if (buf.empty()) return 0;
  const auto deadline = Clock::now() + timeout;
  bool was_readable = false;
  for (;;) {
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n > 0) return static_cast<std::size_t>(n);
    // A raw tty (VMIN=0) returns 0 when empty; 0 after poll() said readable is end of stream.
    const bool eof = n == 0 && (was_readable || !is_tty_);
    if (eof || (n < 0 && (errno == EIO || errno == ENODEV))) {
      hung_up_ = true;
      throw TransportError(ErrorKind::Disconnected, name_ + (n == 0 ? ": end of stream" : ": device gone"));
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      throw TransportError(ErrorKind::Io, name_ + ": read: " + std::strerror(errno));
    const int ms = poll_ms(deadline);
    if (ms == 0 && Clock::now() >= deadline) return 0;
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    pollfd& p = fds[0];
    int r = ::poll(fds, wake_fd_ >= 0 ? 2 : 1, ms);
    if (r == 0) return 0;
    if (r < 0 && errno != EINTR)
      throw TransportError(ErrorKind::Io, name_ + ": poll: " + std::strerror(errno));
    if (r > 0 && (fds[1].revents & POLLIN)) {
      std::uint64_t count = 0;
      [[maybe_unused]] ssize_t got = ::read(wake_fd_, &count, sizeof count);  // consume the request
      return 0;
    }
    if (r > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)) && !(p.revents & POLLIN)) {
      hung_up_ = true;
      throw TransportError(ErrorKind::Disconnected, name_ + ": hang-up");
    }
    was_readable = r > 0;
  }
}

void FdTransport::flush_input() {
  if (fd_ < 0) return;
  if (isatty(fd_)) {
    tcflush(fd_, TCIFLUSH);
    return;
  }
  std::uint8_t junk[512];
  while (::read(fd_, junk, sizeof junk) > 0) {
  }
}

SerialPort::SerialPort(int fd, std::string path, int baud)
    : FdTransport(fd, "serial:" + path + "@" + std::to_string(baud)), path_(std::move(path)), baud_(baud) {}

std::unique_ptr<SerialPort> SerialPort::open(const std::string& path, SerialOptions opts) {
  to_speed(opts.baud);
  int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw TransportError(kind_of_errno(errno), path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw TransportError(ErrorKind::Busy, path + ": in use by another process");
  }
  try {
    make_raw(fd, opts.baud, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  tcflush(fd, TCIOFLUSH);
  return std::unique_ptr<SerialPort>(new SerialPort(fd, path, opts.baud));
}

void SerialPort::set_baud(int baud) {
  make_raw(fd_, baud, path_);
  baud_ = baud;
  name_ = "serial:" + path_ + "@" + std::to_string(baud);
}

PtyDevice::PtyDevice(PtyDevice&& o) noexcept
    : master(std::move(o.master)), slave_path(std::move(o.slave_path)), keep_slave_fd(o.keep_slave_fd) {
  o.keep_slave_fd = -1;
}

PtyDevice& PtyDevice::operator=(PtyDevice&& o) noexcept {
  if (this != &o) {
    if (keep_slave_fd >= 0) ::close(keep_slave_fd);
    master = std::move(o.master);
    slave_path = std::move(o.slave_path);
    keep_slave_fd = o.keep_slave_fd;
    o.keep_slave_fd = -1;
  }
  return *this;
}

PtyDevice::~PtyDevice() {
  master.reset();
  if (keep_slave_fd >= 0) ::close(keep_slave_fd);
}

PtyDevice open_pty(const std::string& name) {
  int m = -1, s = -1;
  char path[128] = {};
  if (::openpty(&m, &s, path, nullptr, nullptr) != 0)
    throw TransportError(ErrorKind::Io, "openpty: " + std::string(std::strerror(errno)));
  fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
  fcntl(m, F_SETFD, FD_CLOEXEC);
  fcntl(s, F_SETFD, FD_CLOEXEC);
  make_raw(s, 115200, path);
  PtyDevice d;
  d.master = std::make_unique<FdTransport>(m, "pty:" + name + ":" + path);
  d.slave_path = path;
  d.keep_slave_fd = s;
  return d;
}

}  // namespace kiosk::transport
