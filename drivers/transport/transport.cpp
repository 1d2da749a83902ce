#include "drivers/transport/transport.hpp"

namespace kiosk::transport {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Timeout:
      return "timeout";
    case ErrorKind::Disconnected:
      return "disconnected";
    case ErrorKind::Io:
      return "io error";
    case ErrorKind::NotFound:
      return "not found";
    case ErrorKind::Access:
      return "access denied";
    case ErrorKind::Busy:
      return "busy";
    case ErrorKind::Invalid:
      return "invalid";
  }
  return "unknown";
}

void read_exact(Transport& t, std::span<std::uint8_t> buf, Millis timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  std::size_t got = 0;
  while (got < buf.size()) {
    auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    if (left.count() <= 0) {
      throw TransportError(ErrorKind::Timeout, t.describe() + ": got " + std::to_string(got) + " of " +
                                                   std::to_string(buf.size()) + " bytes");
    }
    got += t.read(buf.subspan(got), left);
  }
}

}  // namespace kiosk::transport
