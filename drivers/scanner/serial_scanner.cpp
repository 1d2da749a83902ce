#include "drivers/scanner/serial_scanner.hpp"

#include <fcntl.h>
#include <iconv.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace kiosk::scanner {
namespace {

using transport::ErrorKind;
using transport::TransportError;

speed_t to_speed(int baud) {
  switch (baud) {
    case 1200:
      return B1200;
    case 2400:
      return B2400;
    case 4800:
      return B4800;
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
    default:
      throw TransportError(ErrorKind::Invalid, "unsupported baud rate " + std::to_string(baud));
  }
}

}  // namespace

TermiosPort::TermiosPort(const std::string& device, int baud) : device_(device), baud_(baud) {
  speed_t sp = to_speed(baud);
  fd_ = ::open(device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) {
    int e = errno;
    throw TransportError(e == ENOENT   ? ErrorKind::NotFound
                         : e == EACCES ? ErrorKind::Access
                                       : ErrorKind::Io,
                         "open " + device + ": " + std::strerror(e));
  }
  termios t{};
  if (tcgetattr(fd_, &t) != 0) {
    ::close(fd_);
    throw TransportError(ErrorKind::Invalid, device + " is not a tty");
  }
  cfmakeraw(&t);
  t.c_cflag |= CLOCAL | CREAD;
  t.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS);
  cfsetispeed(&t, sp);
  cfsetospeed(&t, sp);
  tcsetattr(fd_, TCSANOW, &t);
}

TermiosPort::~TermiosPort() {
  if (fd_ >= 0) ::close(fd_);
}

std::string TermiosPort::describe() const {
  return "serial:" + device_ + "@" + std::to_string(baud_);
}

void TermiosPort::flush_input() {
  tcflush(fd_, TCIFLUSH);
}

void TermiosPort::write(std::span<const std::uint8_t> data, transport::Millis timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  std::size_t off = 0;
  while (off < data.size()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw TransportError(ErrorKind::Timeout, "write " + device_);
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = ::write(fd_, data.data() + off, data.size() - off);
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      throw TransportError(errno == EIO ? ErrorKind::Disconnected : ErrorKind::Io, "write " + device_);
    if (n > 0) off += static_cast<std::size_t>(n);
  }
}

std::size_t TermiosPort::read(std::span<std::uint8_t> buf, transport::Millis timeout) {
  pollfd p{fd_, POLLIN, 0};
  int pr = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, timeout.count())));
  if (pr < 0 && errno != EINTR) throw TransportError(ErrorKind::Io, "poll " + device_);
  if (pr <= 0) return 0;
  if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
    if (!(p.revents & POLLIN)) throw TransportError(ErrorKind::Disconnected, device_ + " hung up");
  ssize_t n = ::read(fd_, buf.data(), buf.size());
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return 0;
    throw TransportError(errno == EIO ? ErrorKind::Disconnected : ErrorKind::Io,
                         "read " + device_ + ": " + std::strerror(errno));
  }
  if (n == 0) throw TransportError(ErrorKind::Disconnected, device_ + " closed");
  return static_cast<std::size_t>(n);
}

std::optional<std::string> gbk_to_utf8(std::string_view gbk) {
  iconv_t cd = iconv_open("UTF-8", "GBK");
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string in(gbk);
  std::string out(gbk.size() * 3 / 2 + 4, '\0');
  char* ip = in.data();
  char* op = out.data();
  std::size_t il = in.size(), ol = out.size();
  std::size_t rc = iconv(cd, &ip, &il, &op, &ol);
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1) || il != 0) return std::nullopt;
  out.resize(out.size() - ol);
  return out;
}

SerialScanner::SerialScanner(std::unique_ptr<transport::Transport> port, SerialConfig cfg)
    : port_(std::move(port)), cfg_(std::move(cfg)), assembler_(cfg_.assembler) {
  if (cfg_.encoding != "utf-8" && cfg_.encoding != "gbk")
    throw TransportError(ErrorKind::Invalid, "serial scanner encoding must be utf-8 or gbk");
}

std::optional<std::string> SerialScanner::read_scan(std::chrono::milliseconds timeout) {
  const auto end = Clock::now() + timeout;
  std::uint8_t buf[256];
  for (;;) {
    while (!ready_.empty()) {
      std::string s = std::move(ready_.front());
      ready_.pop_front();
      if (cfg_.encoding == "gbk") {
        auto u = gbk_to_utf8(s);
        if (!u) {
          ++bad_encoding_;
          continue;
        }
        s = std::move(*u);
      }
      return s;
    }
    auto now = Clock::now();
    if (auto s = assembler_.poll(now)) {
      ready_.push_back(std::move(*s));
      continue;
    }
    if (now >= end) return std::nullopt;
    auto until = end;
    if (auto d = assembler_.deadline()) until = std::min(until, *d);
    auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - now) + std::chrono::milliseconds(1);
    std::size_t n = port_->read(buf, wait);
    if (n == 0) continue;
    for (auto& s : assembler_.push_bytes(std::span(buf, n), Clock::now())) ready_.push_back(std::move(s));
  }
}

}  // namespace kiosk::scanner
