// Virtual receipt printer: holds the device end of a Transport (loopback or TCP), answers DLE EOT and
// GS a like a real printer, keeps what it printed and renders it. Faults: paper-out (now or after N
// bytes of a job), cover open, cutter error.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "drivers/printer/renderer.hpp"
#include "drivers/printer/status.hpp"
#include "drivers/transport/transport.hpp"

namespace kiosk::printer {

class PrinterSimulator {
 public:
  explicit PrinterSimulator(std::shared_ptr<transport::Transport> device_end, int width_dots = 576);
  ~PrinterSimulator();
  void start();
  void stop();

  void set_paper_out(bool on);
  void set_paper_near_end(bool on);
  void set_cover_open(bool on);
  void set_cutter_error(bool on);
  // Paper runs out after n more printable bytes (fault during a job).
  void paper_out_after(std::size_t n);

  PrinterStatus status() const;
  std::vector<std::uint8_t> printed() const;  // bytes accepted while paper was present
  std::size_t dropped() const;                // bytes discarded while not able to print
  int cuts() const;                           // receipts finished (cut commands printed)
  int status_queries() const;                 // DLE EOT requests answered
  void clear_printed();
  // Waits until `cuts() >= n` or the timeout passes.
  bool wait_for_cuts(int n, std::chrono::milliseconds timeout) const;
  RenderResult render(GlyphSource* glyphs = nullptr) const;
  // Times the simulator thread woke up from a read (bytes, timeout, interrupt, error); for tests
  // showing that an idle simulator does not wake periodically.
  std::uint64_t wakeups() const { return wakeups_; }

 private:
  void loop();
  void handle(std::span<const std::uint8_t> e);
  void send_asb_locked();
  std::shared_ptr<transport::Transport> t_;
  int width_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  PrinterStatus st_;
  std::size_t fail_after_ = SIZE_MAX;
  std::vector<std::uint8_t> printed_;
  std::size_t dropped_ = 0;
  int cuts_ = 0;
  int status_queries_ = 0;
  bool asb_ = false;
  std::vector<std::uint8_t> pending_;
  std::atomic<bool> run_{false};
  std::atomic<std::uint64_t> wakeups_{0};
  std::thread th_;
};

}  // namespace kiosk::printer
