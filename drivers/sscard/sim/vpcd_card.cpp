#include "drivers/sscard/sim/vpcd_card.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace kiosk::sscard::sim {

VpcdCard::VpcdCard(std::shared_ptr<SimCard> card, std::string host, int port)
    : card_(std::move(card)), host_(std::move(host)), port_(port) {}

VpcdCard::~VpcdCard() {
  stop();
}

void VpcdCard::start(std::chrono::milliseconds connect_timeout) {
  const auto deadline = std::chrono::steady_clock::now() + connect_timeout;
  while (true) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw SsCardError(ErrorKind::Io, "socket failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port_));
    if (::inet_pton(AF_INET, host_.c_str(), &a.sin_addr) != 1) {
      ::close(fd);
      throw SsCardError(ErrorKind::Io, "bad vpcd host address");
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = fd;
      break;
    }
    ::close(fd);
    if (std::chrono::steady_clock::now() > deadline)
      throw SsCardError(ErrorKind::Io, "cannot connect to vpcd");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop_ = false;
  thread_ = std::thread([this] { serve(); });
}

void VpcdCard::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  const int fd = fd_.exchange(-1);
  if (fd >= 0) ::close(fd);
}

namespace {
// Reads exactly n bytes, polling in 100 ms slices so stop() is noticed. false on EOF / stop.
bool read_n(int fd, std::uint8_t* p, std::size_t n, const std::atomic<bool>& stop) {
  while (n > 0) {
    pollfd pfd{fd, POLLIN, 0};
    const int r = ::poll(&pfd, 1, 100);
    if (stop) return false;
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    if (r == 0) continue;
    const ssize_t got = ::recv(fd, p, n, 0);
    if (got <= 0) return false;
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

bool send_all(int fd, const Bytes& payload) {
  Bytes msg{static_cast<std::uint8_t>(payload.size() >> 8), static_cast<std::uint8_t>(payload.size())};
  msg.insert(msg.end(), payload.begin(), payload.end());
  std::size_t off = 0;
  while (off < msg.size()) {
    const ssize_t n = ::send(fd, msg.data() + off, msg.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}
}  // namespace

void VpcdCard::serve() {
  const int fd = fd_;
  while (!stop_) {
    std::uint8_t len[2];
    if (!read_n(fd, len, 2, stop_)) return;
    const std::size_t n = static_cast<std::size_t>(len[0] << 8 | len[1]);
    Bytes buf(n);
    if (n && !read_n(fd, buf.data(), n, stop_)) return;
    if (n == 1) {
      switch (buf[0]) {
        case 0x00:
          break;    // power off
        case 0x01:  // power on
        case 0x02:
          card_->reset();
          break;
        case 0x04:
          if (!send_all(fd, card_->atr())) return;
          break;
        default:
          break;
      }
      continue;
    }
    ++apdus_;
    if (!send_all(fd, card_->process(buf))) return;
  }
}

}  // namespace kiosk::sscard::sim
