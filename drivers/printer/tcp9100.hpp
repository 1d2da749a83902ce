// Raw TCP (JetDirect port 9100) transport with deadlines on connect, write and read.
#pragma once

#include <cstdint>
#include <string>

#include "drivers/transport/transport.hpp"

namespace kiosk::printer {

class TcpTransport : public transport::Transport {
 public:
  // Connects within timeout; throws TransportError (NotFound, Timeout, Io).
  TcpTransport(const std::string& host, std::uint16_t port = 9100,
               transport::Millis timeout = transport::Millis(3000));
  // Adopts a connected socket (server side in the simulator and tests).
  explicit TcpTransport(int fd, std::string peer);
  ~TcpTransport() override;

  void write(std::span<const std::uint8_t> data, transport::Millis timeout) override;
  std::size_t read(std::span<std::uint8_t> buf, transport::Millis timeout) override;
  void flush_input() override;
  bool connected() const override { return fd_ >= 0 && !closed_; }
  std::string describe() const override { return "tcp:" + peer_; }
  void close();

 private:
  int fd_ = -1;
  bool closed_ = false;
  std::string peer_;
};

// A listening socket on 127.0.0.1 (port 0 = pick one) for the simulator; accept() honours a deadline.
class TcpListener {
 public:
  explicit TcpListener(std::uint16_t port = 0);
  ~TcpListener();
  std::uint16_t port() const { return port_; }
  // Returns nullptr if nobody connected before the deadline.
  std::unique_ptr<TcpTransport> accept(transport::Millis timeout);

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace kiosk::printer
