// Receipt printer driver over any Transport (USB printer class, TCP 9100, serial, loopback):
// status before, between chunks and after a job; typed errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>

#include "drivers/printer/dialect.hpp"
#include "drivers/printer/status.hpp"
#include "drivers/transport/transport.hpp"

namespace kiosk::printer {

enum class PrintErrorKind {
  PaperOut,
  CoverOpen,
  CutterError,
  Offline,
  DeviceError,
  Disconnected,
  Timeout,
  Io
};
const char* to_string(PrintErrorKind k);

class PrintError : public std::runtime_error {
 public:
  PrintError(PrintErrorKind k, std::string detail, bool partial = false)
      : std::runtime_error(std::string(to_string(k)) + ": " + detail), kind_(k), partial_(partial) {}
  PrintErrorKind kind() const { return kind_; }
  // Some of the job may be on paper (fault during the job).
  bool partial() const { return partial_; }

 private:
  PrintErrorKind kind_;
  bool partial_;
};

struct PrintReport {
  std::size_t bytes = 0;
  PrinterStatus status_after;
};

class ReceiptPrinter {
 public:
  using Millis = std::chrono::milliseconds;
  ReceiptPrinter(transport::Transport& t, Dialect d, Millis io_timeout = Millis(1500));

  // DLE EOT 1..4. Throws PrintError(Timeout / Disconnected / Io).
  PrinterStatus query_status();
  // Checks status, sends the job in chunks cut at command boundaries with a status check between
  // chunks, checks again at the end. On a fault the printer's buffer is cleared (DLE ENQ 2) so nothing
  // left over prints later. Throws PrintError.
  PrintReport print(std::span<const std::uint8_t> job);
  // Clears a recoverable error and the receive buffer (DLE ENQ 2).
  void recover();

  // Optional status source for transports where DLE EOT is not answered (USB GET_PORT_STATUS).
  void set_status_fallback(std::function<PrinterStatus()> f) { fallback_ = std::move(f); }
  const Dialect& dialect() const { return dialect_; }
  std::size_t chunk_size = 2048;

 private:
  std::uint8_t ask(int n);
  [[noreturn]] void fail(const PrinterStatus& s, bool partial);
  transport::Transport& t_;
  Dialect dialect_;
  Millis timeout_;
  std::function<PrinterStatus()> fallback_;
};

// Maps a transport failure onto the printer's error kinds.
PrintError from_transport(const transport::TransportError& e, bool partial = false);

}  // namespace kiosk::printer
