// Serial (RS-232 / USB CDC-ACM virtual COM) scanners: the payload arrives as bytes followed by CR, LF
// or CRLF (as programmed). Runs over any transport::Transport; TermiosPort is a minimal serial port.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "drivers/scanner/scanner.hpp"

namespace kiosk::scanner {

struct SerialConfig {
  std::string device;  // /dev/ttyACM0
  int baud = 9600;
  std::string encoding = "utf-8";  // or "gbk" (many Chinese scanners' default for 汉字)
  AssemblerConfig assembler;
};

// Raw 8N1 termios port. Throws TransportError on open failure.
class TermiosPort : public transport::Transport {
 public:
  TermiosPort(const std::string& device, int baud);
  ~TermiosPort() override;
  TermiosPort(const TermiosPort&) = delete;
  TermiosPort& operator=(const TermiosPort&) = delete;
  void write(std::span<const std::uint8_t> data, transport::Millis timeout) override;
  std::size_t read(std::span<std::uint8_t> buf, transport::Millis timeout) override;
  void flush_input() override;
  bool connected() const override { return fd_ >= 0; }
  std::string describe() const override;

 private:
  std::string device_;
  int baud_;
  int fd_ = -1;
};

// GBK → UTF-8 (iconv). Empty optional if the bytes are not valid GBK.
std::optional<std::string> gbk_to_utf8(std::string_view gbk);

class SerialScanner : public Scanner {
 public:
  SerialScanner(std::unique_ptr<transport::Transport> port, SerialConfig cfg);
  std::optional<std::string> read_scan(std::chrono::milliseconds timeout) override;
  std::string describe() const override { return port_->describe(); }
  AssemblerStats stats() const override { return assembler_.stats(); }
  std::uint64_t bad_encoding() const { return bad_encoding_; }

 private:
  std::unique_ptr<transport::Transport> port_;
  SerialConfig cfg_;
  ScanAssembler assembler_;
  std::deque<std::string> ready_;
  std::uint64_t bad_encoding_ = 0;
};

}  // namespace kiosk::scanner
