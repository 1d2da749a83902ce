// Printer status from real-time status (DLE EOT n) and Automatic Status Back (GS a): two different
// bit tables (reference/escpos.md §1.6), plus USB GET_PORT_STATUS.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

namespace kiosk::printer {

struct PrinterStatus {
  bool online = true;
  bool cover_open = false;
  bool paper_end = false;
  bool paper_near_end = false;
  bool cutter_error = false;
  bool unrecoverable = false;
  bool auto_recoverable = false;  // head temperature / voltage

  bool can_print() const { return online && !cover_open && !paper_end && !cutter_error && !unrecoverable; }
  bool operator==(const PrinterStatus&) const = default;
};

// The state a job cares about, in priority order.
enum class PrinterState { Ready, PaperNearEnd, PaperEnd, CoverOpen, CutterError, Offline, Error };
PrinterState classify(const PrinterStatus& s);
const char* to_string(PrinterState s);
std::string describe(const PrinterStatus& s);  // "online paper-near-end" etc.

class StatusError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// DLE EOT n (n = 1..4) reply byte, format 0xx1xx10; updates `s` with the fields that n reports.
// Throws StatusError on a byte that does not match the fixed bits or n outside 1..4.
void apply_dle_eot(PrinterStatus& s, int n, std::uint8_t reply);
bool is_dle_eot_reply(std::uint8_t b);
// GS a 4-byte block (byte 1 format 0xx1xx00). Throws StatusError if the fixed bits do not match.
PrinterStatus decode_asb(std::span<const std::uint8_t> four);
bool is_asb_header(std::uint8_t b);
// Encodes a status the way a printer would answer (used by the simulator and tests).
std::uint8_t encode_dle_eot(const PrinterStatus& s, int n);
void encode_asb(const PrinterStatus& s, std::uint8_t out[4]);
// USB printer class GET_PORT_STATUS byte: bit5 paper empty, bit4 select, bit3 not-error.
PrinterStatus decode_port_status(std::uint8_t b);

}  // namespace kiosk::printer
