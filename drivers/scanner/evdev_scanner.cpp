#include "drivers/scanner/evdev_scanner.hpp"

#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace kiosk::scanner {
namespace {

using transport::ErrorKind;
using transport::TransportError;

ErrorKind kind_of_errno(int e) {
  switch (e) {
    case ENOENT:
      return ErrorKind::NotFound;
    case EACCES:
    case EPERM:
      return ErrorKind::Access;
    case EBUSY:
      return ErrorKind::Busy;
    case ENODEV:
      return ErrorKind::Disconnected;
    default:
      return ErrorKind::Io;
  }
}

std::string device_name(int fd) {
  char name[256] = {};
  if (ioctl(fd, EVIOCGNAME(sizeof name - 1), name) < 0) return {};
  return name;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> find_evdev_devices(const std::string& needle) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator("/dev/input", ec)) {
    auto p = e.path().string();
    if (e.path().filename().string().rfind("event", 0) != 0) continue;
    int fd = ::open(p.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    auto name = device_name(fd);
    ::close(fd);
    if (name.find(needle) != std::string::npos) out.emplace_back(p, name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

EvdevScanner::EvdevScanner(EvdevConfig cfg)
    : cfg_(std::move(cfg)), path_(cfg_.path), keys_(cfg_.layout), assembler_(cfg_.assembler) {
  if (path_.empty()) {
    auto found = find_evdev_devices(cfg_.name_match);
    if (cfg_.name_match.empty() || found.empty())
      throw TransportError(ErrorKind::NotFound, "no input device named like '" + cfg_.name_match + "'");
    path_ = found.front().first;
  }
  fd_ = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) throw TransportError(kind_of_errno(errno), "open " + path_ + ": " + std::strerror(errno));
  try {
    grab();
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

EvdevScanner::EvdevScanner(int fd, EvdevConfig cfg)
    : cfg_(std::move(cfg)),
      path_(cfg_.path.empty() ? "fd" : cfg_.path),
      fd_(fd),
      keys_(cfg_.layout),
      assembler_(cfg_.assembler) {
  grab();
}

void EvdevScanner::grab() {
  if (!cfg_.grab) return;
  if (ioctl(fd_, EVIOCGRAB, 1) < 0) {
    int e = errno;
    throw TransportError(e == EBUSY ? ErrorKind::Busy : kind_of_errno(e),
                         "exclusive grab of " + path_ + " failed: " + std::strerror(e));
  }
  grabbed_ = true;
}

EvdevScanner::~EvdevScanner() {
  if (fd_ >= 0) {
    if (grabbed_) ioctl(fd_, EVIOCGRAB, 0);
    ::close(fd_);
  }
}

std::optional<std::string> EvdevScanner::read_scan(std::chrono::milliseconds timeout) {
  const auto end = Clock::now() + timeout;
  std::vector<Keystroke> keys;
  unsigned char buf[64 * sizeof(input_event)];
  for (;;) {
    if (!ready_.empty()) {
      std::string s = std::move(ready_.front());
      ready_.pop_front();
      return s;
    }
    auto now = Clock::now();
    if (auto s = assembler_.poll(now)) return s;
    if (now >= end) return std::nullopt;
    auto until = end;
    if (auto d = assembler_.deadline()) until = std::min(until, *d);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    pollfd pfd{fd_, POLLIN, 0};
    int pr = ::poll(&pfd, 1, static_cast<int>(wait));
    if (pr < 0) {
      if (errno == EINTR) continue;
      throw TransportError(ErrorKind::Io, std::string("poll: ") + std::strerror(errno));
    }
    if (pr == 0) continue;
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      throw TransportError(kind_of_errno(errno), "read " + path_ + ": " + std::strerror(errno));
    }
    if (n == 0 || (pfd.revents & (POLLHUP | POLLERR)) != 0) {
      if (n == 0) throw TransportError(ErrorKind::Disconnected, path_ + " closed");
    }
    pending_.insert(pending_.end(), buf, buf + n);
    keys.clear();
    std::size_t off = 0;
    for (; off + sizeof(input_event) <= pending_.size(); off += sizeof(input_event)) {
      input_event ev;
      std::memcpy(&ev, pending_.data() + off, sizeof ev);
      if (ev.type != EV_KEY) continue;
      std::uint8_t u = evdev_to_usage(ev.code);
      if (u == 0) continue;
      if (ev.value == 1) keys_.key_down(u, keys);
      if (ev.value == 0) keys_.key_up(u, keys);  // 2 = autorepeat: ignored
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(off));
    auto scans = assembler_.push(keys, Clock::now());
    for (auto& s : scans) ready_.push_back(std::move(s));
  }
}

}  // namespace kiosk::scanner
