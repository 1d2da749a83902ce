#include "drivers/printer/printer.hpp"

#include "drivers/printer/scan.hpp"

namespace kiosk::printer {

const char* to_string(PrintErrorKind k) {
  switch (k) {
    case PrintErrorKind::PaperOut:
      return "paper-out";
    case PrintErrorKind::CoverOpen:
      return "cover-open";
    case PrintErrorKind::CutterError:
      return "cutter-error";
    case PrintErrorKind::Offline:
      return "offline";
    case PrintErrorKind::DeviceError:
      return "device-error";
    case PrintErrorKind::Disconnected:
      return "disconnected";
    case PrintErrorKind::Timeout:
      return "timeout";
    case PrintErrorKind::Io:
      return "io";
  }
  return "?";
}

PrintError from_transport(const transport::TransportError& e, bool partial) {
  using transport::ErrorKind;
  switch (e.kind()) {
    case ErrorKind::Timeout:
      return PrintError(PrintErrorKind::Timeout, e.what(), partial);
    case ErrorKind::Disconnected:
    case ErrorKind::NotFound:
      return PrintError(PrintErrorKind::Disconnected, e.what(), partial);
    default:
      return PrintError(PrintErrorKind::Io, e.what(), partial);
  }
}

ReceiptPrinter::ReceiptPrinter(transport::Transport& t, Dialect d, Millis io_timeout)
    : t_(t), dialect_(std::move(d)), timeout_(io_timeout) {}

std::uint8_t ReceiptPrinter::ask(int n) {
  const std::uint8_t req[3] = {0x10, 0x04, static_cast<std::uint8_t>(n)};
  t_.write(req, timeout_);
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      throw PrintError(PrintErrorKind::Timeout, "no reply to DLE EOT " + std::to_string(n));
    std::uint8_t b = 0;
    if (t_.read(std::span(&b, 1), left) == 0) continue;
    if (is_dle_eot_reply(b)) return b;
    // Anything else (ASB blocks, GS ( k size replies) is not the answer; keep waiting.
  }
}

PrinterStatus ReceiptPrinter::query_status() {
  try {
    if (!dialect_.realtime_status && fallback_) return fallback_();
    PrinterStatus s;
    for (int n = 1; n <= 4; ++n) apply_dle_eot(s, n, ask(n));
    return s;
  } catch (const transport::TransportError& e) {
    throw from_transport(e);
  }
}

void ReceiptPrinter::recover() {
  const std::uint8_t req[3] = {0x10, 0x05, 0x02};
  try {
    t_.write(req, timeout_);
  } catch (const transport::TransportError& e) {
    throw from_transport(e);
  }
}

void ReceiptPrinter::fail(const PrinterStatus& s, bool partial) {
  switch (classify(s)) {
    case PrinterState::CoverOpen:
      throw PrintError(PrintErrorKind::CoverOpen, describe(s), partial);
    case PrinterState::PaperEnd:
      throw PrintError(PrintErrorKind::PaperOut, describe(s), partial);
    case PrinterState::CutterError:
      throw PrintError(PrintErrorKind::CutterError, describe(s), partial);
    case PrinterState::Offline:
      throw PrintError(PrintErrorKind::Offline, describe(s), partial);
    default:
      throw PrintError(PrintErrorKind::DeviceError, describe(s), partial);
  }
}

PrintReport ReceiptPrinter::print(std::span<const std::uint8_t> job) {
  t_.flush_input();
  PrinterStatus s = query_status();
  if (!s.can_print()) fail(s, false);
  std::size_t sent = 0;
  try {
    while (sent < job.size()) {
      // Cut the chunk at an element boundary so a status request never lands inside image data.
      std::size_t end = sent;
      while (end < job.size() && end - sent < chunk_size) {
        std::size_t len = element_length(job.subspan(end));
        if (len == 0) len = job.size() - end;  // malformed tail: send as is
        end += len;
      }
      t_.write(job.subspan(sent, end - sent), timeout_);
      sent = end;
      s = query_status();
      if (!s.can_print()) {
        recover();
        fail(s, true);
      }
    }
  } catch (const transport::TransportError& e) {
    throw from_transport(e, sent > 0);
  }
  return {sent, s};
}

}  // namespace kiosk::printer
