// CcidPort over two byte Transports (bulk, interrupt): the in-process loopback used with the CCID
// device model in tests and the --demo kiosk. Messages are delimited by the CCID header's dwLength.
#pragma once

#include <memory>

#include "drivers/sscard/ccid_reader.hpp"
#include "drivers/transport/transport.hpp"

namespace kiosk::sscard {

class StreamCcidPort : public CcidPort {
 public:
  StreamCcidPort(std::shared_ptr<transport::Transport> bulk, std::shared_ptr<transport::Transport> intr,
                 ccid::Descriptor d);
  const ccid::Descriptor& descriptor() const override { return d_; }
  void send(std::span<const std::uint8_t> msg, Millis timeout) override;
  std::optional<Bytes> receive(Millis timeout) override;
  std::optional<Bytes> interrupt(Millis timeout) override;
  bool has_interrupt() const override { return intr_ != nullptr; }
  std::string describe() const override;

 private:
  std::shared_ptr<transport::Transport> bulk_, intr_;
  ccid::Descriptor d_;
};

// Reads one CCID bulk message from a byte stream (nullopt if nothing arrived before the timeout).
// Throws SsCardError(ReaderGone) when the peer is gone, Parse on an over-long dwLength.
std::optional<Bytes> read_ccid_message(transport::Transport& t, Millis timeout, std::size_t max_length);

}  // namespace kiosk::sscard
