#include "drivers/printer/tcp9100.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace kiosk::printer {

using transport::ErrorKind;
using transport::TransportError;

namespace {

int wait_fd(int fd, short ev, transport::Millis t) {
  pollfd p{fd, ev, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, t.count())));
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) throw TransportError(ErrorKind::Io, std::string("poll: ") + std::strerror(errno));
  return rc == 0 ? 0 : p.revents;
}

}  // namespace

TcpTransport::TcpTransport(const std::string& host, std::uint16_t port, transport::Millis timeout)
    : peer_(host + ":" + std::to_string(port)) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0)
    throw TransportError(ErrorKind::NotFound, peer_ + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard(res, freeaddrinfo);
  fd_ = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) throw TransportError(ErrorKind::Io, std::string("socket: ") + std::strerror(errno));
  if (::connect(fd_, res->ai_addr, res->ai_addrlen) != 0 && errno != EINPROGRESS) {
    int e = errno;
    ::close(fd_);
    fd_ = -1;
    throw TransportError(e == ECONNREFUSED ? ErrorKind::NotFound : ErrorKind::Io,
                         peer_ + ": " + std::strerror(e));
  }
  int ev = wait_fd(fd_, POLLOUT, timeout);
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
  if (ev == 0 || err != 0) {
    ::close(fd_);
    fd_ = -1;
    if (ev == 0) throw TransportError(ErrorKind::Timeout, peer_ + ": connect");
    throw TransportError(err == ECONNREFUSED ? ErrorKind::NotFound : ErrorKind::Io,
                         peer_ + ": " + std::strerror(err));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

TcpTransport::TcpTransport(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

TcpTransport::~TcpTransport() {
  if (fd_ >= 0) ::close(fd_);
}

void TcpTransport::close() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  closed_ = true;
}

void TcpTransport::write(std::span<const std::uint8_t> data, transport::Millis timeout) {
  if (!connected()) throw TransportError(ErrorKind::Disconnected, peer_ + " closed");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto left = std::chrono::duration_cast<transport::Millis>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || wait_fd(fd_, POLLOUT, left) == 0)
        throw TransportError(ErrorKind::Timeout, peer_ + ": write");
      continue;
    }
    closed_ = true;
    throw TransportError(ErrorKind::Disconnected, peer_ + ": " + std::strerror(errno));
  }
}

std::size_t TcpTransport::read(std::span<std::uint8_t> buf, transport::Millis timeout) {
  if (!connected()) throw TransportError(ErrorKind::Disconnected, peer_ + " closed");
  int ev = wait_fd(fd_, POLLIN, timeout);
  if (ev == 0) return 0;
  ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
  if (n > 0) return static_cast<std::size_t>(n);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
  closed_ = true;
  throw TransportError(ErrorKind::Disconnected, peer_ + ": peer closed");
}

void TcpTransport::flush_input() {
  std::uint8_t tmp[256];
  while (connected() && wait_fd(fd_, POLLIN, transport::Millis(0)) != 0) {
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) break;
  }
}

TcpListener::TcpListener(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw TransportError(ErrorKind::Io, "socket");
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 4) != 0) {
    ::close(fd_);
    throw TransportError(ErrorKind::Busy, std::string("bind/listen: ") + std::strerror(errno));
  }
  socklen_t len = sizeof a;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
}

TcpListener::~TcpListener() {
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<TcpTransport> TcpListener::accept(transport::Millis timeout) {
  if (wait_fd(fd_, POLLIN, timeout) == 0) return nullptr;
  int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (c < 0) throw TransportError(ErrorKind::Io, std::string("accept: ") + std::strerror(errno));
  return std::make_unique<TcpTransport>(c, "client");
}

}  // namespace kiosk::printer
