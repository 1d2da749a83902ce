// Keyboard-wedge scanner read from a Linux input device (/dev/input/eventN) with an exclusive grab
// (EVIOCGRAB): while we hold it, no other reader — X, the SDL UI, a console — sees the keystrokes.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "drivers/scanner/scanner.hpp"

namespace kiosk::scanner {

struct EvdevConfig {
  std::string path;        // /dev/input/event5 or /dev/input/by-id/...-event-kbd
  std::string name_match;  // if path is empty: first device whose name contains this
  bool grab = true;        // refuse to run without the grab (scans would leak as keystrokes)
  Layout layout = Layout::Us;
  AssemblerConfig assembler;
};

// Input devices whose name contains `needle` (path + name), for `kioskctl` and auto-detection.
std::vector<std::pair<std::string, std::string>> find_evdev_devices(const std::string& needle);

class EvdevScanner : public Scanner {
 public:
  // Opens and grabs the device. Throws transport::TransportError (NotFound, Access, Busy, Io).
  explicit EvdevScanner(EvdevConfig cfg);
  // Takes an already open fd delivering struct input_event (tests); grabs it if cfg.grab.
  EvdevScanner(int fd, EvdevConfig cfg);
  ~EvdevScanner() override;
  EvdevScanner(const EvdevScanner&) = delete;
  EvdevScanner& operator=(const EvdevScanner&) = delete;

  std::optional<std::string> read_scan(std::chrono::milliseconds timeout) override;
  std::string describe() const override { return "evdev:" + path_; }
  AssemblerStats stats() const override { return assembler_.stats(); }
  bool grabbed() const { return grabbed_; }

 private:
  void grab();
  EvdevConfig cfg_;
  std::string path_;
  int fd_ = -1;
  bool grabbed_ = false;
  KeyTranslator keys_;
  ScanAssembler assembler_;
  std::deque<std::string> ready_;       // scans completed by one read beyond the first
  std::vector<unsigned char> pending_;  // partial input_event bytes
};

}  // namespace kiosk::scanner
