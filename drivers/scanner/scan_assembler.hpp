// Groups keystrokes (HID/evdev) or bytes (serial) into whole scans: a terminator (Enter, Tab, CR/LF)
// or, for scanners set to send no suffix, an idle gap ends a scan. Pure: time is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/scanner/hid_decoder.hpp"

namespace kiosk::scanner {

using Clock = std::chrono::steady_clock;

enum class Terminator { Enter, Tab, EnterOrTab, None };
std::optional<Terminator> parse_terminator(std::string_view name);  // "enter","tab","enter_or_tab","none"
const char* to_string(Terminator t);

struct AssemblerConfig {
  Terminator terminator = Terminator::Enter;
  // With Terminator::None: a gap this long ends the scan. Otherwise: a partial scan older than this
  // is dropped as noise (a cut-off read).
  std::chrono::milliseconds idle_gap{60};
  std::chrono::milliseconds abandon_after{1500};
  std::size_t max_length = 4096;  // longer scans are dropped whole (counted as overlong)
  std::string prefix;             // stripped if the scanner was programmed to add one
  std::string suffix;
};

struct AssemblerStats {
  std::uint64_t scans = 0;
  std::uint64_t overlong = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t empty = 0;
};

class ScanAssembler {
 public:
  explicit ScanAssembler(AssemblerConfig cfg = {}) : cfg_(std::move(cfg)) {}

  // Keystrokes from a keyboard wedge. Returns the scans completed by them.
  std::vector<std::string> push(const std::vector<Keystroke>& keys, Clock::time_point now);
  // Raw bytes from a serial scanner (CR, LF or CRLF end a scan when terminator is Enter/EnterOrTab).
  std::vector<std::string> push_bytes(std::span<const std::uint8_t> bytes, Clock::time_point now);
  // Call when no input arrived: completes an idle-terminated scan or drops an abandoned partial one.
  std::optional<std::string> poll(Clock::time_point now);
  // How long the caller may wait for input before poll() has something to do (nullopt: no deadline).
  std::optional<Clock::time_point> deadline() const;

  const AssemblerStats& stats() const { return stats_; }
  bool pending() const { return !buf_.empty() || overflowed_; }

 private:
  void append(std::string_view text, Clock::time_point now);
  std::optional<std::string> finish();
  bool is_terminator(Keystroke::Type t) const;

  AssemblerConfig cfg_;
  AssemblerStats stats_;
  std::string buf_;
  bool overflowed_ = false;
  bool last_cr_ = false;
  Clock::time_point last_input_{};
};

}  // namespace kiosk::scanner
