#include "drivers/sscard/loopback_port.hpp"

namespace kiosk::sscard {

namespace {
template <class F>
auto mapped(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const transport::TransportError& e) {
    switch (e.kind()) {
      case transport::ErrorKind::Disconnected:
      case transport::ErrorKind::NotFound:
        throw SsCardError(ErrorKind::ReaderGone, e.what());
      case transport::ErrorKind::Timeout:
        throw SsCardError(ErrorKind::Timeout, e.what());
      default:
        throw SsCardError(ErrorKind::Io, e.what());
    }
  }
}
}  // namespace

std::optional<Bytes> read_ccid_message(transport::Transport& t, Millis timeout, std::size_t max_length) {
  return mapped([&]() -> std::optional<Bytes> {
    Bytes msg(ccid::kHeaderSize);
    const std::size_t n = t.read(std::span(msg).first(1), timeout);
    if (n == 0) return std::nullopt;
    transport::read_exact(t, std::span(msg).subspan(1), timeout);
    const std::size_t total = ccid::announced_length(msg);
    if (total > max_length)
      throw SsCardError(ErrorKind::Parse, "CCID dwLength exceeds the maximum message length");
    msg.resize(total);
    if (total > ccid::kHeaderSize)
      transport::read_exact(t, std::span(msg).subspan(ccid::kHeaderSize), timeout);
    return msg;
  });
}

StreamCcidPort::StreamCcidPort(std::shared_ptr<transport::Transport> bulk,
                               std::shared_ptr<transport::Transport> intr, ccid::Descriptor d)
    : bulk_(std::move(bulk)), intr_(std::move(intr)), d_(d) {}

void StreamCcidPort::send(std::span<const std::uint8_t> msg, Millis timeout) {
  mapped([&] { bulk_->write(msg, timeout); });
}

std::optional<Bytes> StreamCcidPort::receive(Millis timeout) {
  return read_ccid_message(*bulk_, timeout, d_.max_message_length);
}

std::optional<Bytes> StreamCcidPort::interrupt(Millis timeout) {
  if (!intr_) return std::nullopt;
  return mapped([&]() -> std::optional<Bytes> {
    Bytes m(1);
    if (intr_->read(m, timeout) == 0) return std::nullopt;
    const std::size_t len = ccid::interrupt_length(m[0], d_.slots());
    if (len == 0) throw SsCardError(ErrorKind::Parse, "unknown CCID interrupt message type");
    m.resize(len);
    transport::read_exact(*intr_, std::span(m).subspan(1), timeout);
    return m;
  });
}

std::string StreamCcidPort::describe() const {
  return "ccid:" + bulk_->describe();
}

}  // namespace kiosk::sscard
