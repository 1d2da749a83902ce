#include "drivers/printer/sim/simulator.hpp"

#include "drivers/printer/scan.hpp"

namespace kiosk::printer {

PrinterSimulator::PrinterSimulator(std::shared_ptr<transport::Transport> t, int width_dots)
    : t_(std::move(t)), width_(width_dots) {}

PrinterSimulator::~PrinterSimulator() {
  stop();
}

void PrinterSimulator::start() {
  if (run_.exchange(true)) return;
  th_ = std::thread([this] { loop(); });
}

void PrinterSimulator::stop() {
  run_ = false;
  t_->interrupt();  // an idle read blocks for idle_read_timeout(); wake it now
  if (th_.joinable()) th_.join();
}

void PrinterSimulator::loop() {
  std::uint8_t buf[4096];
  // Bytes or stop() (interrupt) wake the read at once; a transport that cannot be interrupted (TCP)
  // gets a short timeout instead.
  const auto idle = transport::idle_read_timeout(*t_);
  while (run_) {
    std::size_t n = 0;
    try {
      n = t_->read(buf, idle);
      ++wakeups_;
    } catch (const transport::TransportError&) {
      ++wakeups_;
      // Unplugged: wait for a re-plug without spinning.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (n == 0) continue;
    pending_.insert(pending_.end(), buf, buf + n);
    std::size_t off = 0;
    while (off < pending_.size()) {
      std::size_t len = element_length(std::span(pending_).subspan(off));
      if (len == 0) break;
      handle(std::span(pending_).subspan(off, len));
      off += len;
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(off));
  }
}

void PrinterSimulator::handle(std::span<const std::uint8_t> e) {
  std::unique_lock lk(mu_);
  if (e.size() == 3 && e[0] == 0x10 && e[1] == 0x04) {
    ++status_queries_;
    std::uint8_t r = encode_dle_eot(st_, e[2]);
    lk.unlock();
    try {
      t_->write(std::span(&r, 1), std::chrono::milliseconds(200));
    } catch (const transport::TransportError&) {
    }
    return;
  }
  if (e.size() == 3 && e[0] == 0x10 && e[1] == 0x05) {
    if (e[2] == 2 || e[2] == 1) st_.cutter_error = false;
    return;
  }
  if (e.size() == 3 && e[0] == 0x1D && e[1] == 'a') {
    asb_ = e[2] != 0;
    if (asb_) send_asb_locked();
    return;
  }
  if (!st_.can_print()) {
    dropped_ += e.size();
    return;
  }
  printed_.insert(printed_.end(), e.begin(), e.end());
  if (e[0] == 0x1D && e.size() >= 3 && e[1] == 'V') ++cuts_;
  if (e[0] == 0x1B && e.size() == 2 && (e[1] == 'i' || e[1] == 'm')) ++cuts_;
  if (fail_after_ != SIZE_MAX) {
    fail_after_ = fail_after_ > e.size() ? fail_after_ - e.size() : 0;
    if (fail_after_ == 0) {
      fail_after_ = SIZE_MAX;
      st_.paper_end = true;
      st_.paper_near_end = true;
      if (asb_) send_asb_locked();
    }
  }
  cv_.notify_all();
}

void PrinterSimulator::send_asb_locked() {
  std::uint8_t b[4];
  encode_asb(st_, b);
  try {
    t_->write(b, std::chrono::milliseconds(200));
  } catch (const transport::TransportError&) {
  }
}

#define SIM_SET(field)           \
  {                              \
    std::lock_guard lk(mu_);     \
    if (st_.field == on) return; \
    st_.field = on;              \
    if (asb_) send_asb_locked(); \
  }

void PrinterSimulator::set_paper_out(bool on)
    SIM_SET(paper_end) void PrinterSimulator::set_paper_near_end(bool on)
        SIM_SET(paper_near_end) void PrinterSimulator::set_cover_open(bool on)
            SIM_SET(cover_open) void PrinterSimulator::set_cutter_error(bool on) SIM_SET(cutter_error)
#undef SIM_SET

                void PrinterSimulator::paper_out_after(std::size_t n) {
  std::lock_guard lk(mu_);
  fail_after_ = n;
}

PrinterStatus PrinterSimulator::status() const {
  std::lock_guard lk(mu_);
  return st_;
}

std::vector<std::uint8_t> PrinterSimulator::printed() const {
  std::lock_guard lk(mu_);
  return printed_;
}

std::size_t PrinterSimulator::dropped() const {
  std::lock_guard lk(mu_);
  return dropped_;
}

int PrinterSimulator::status_queries() const {
  std::lock_guard lk(mu_);
  return status_queries_;
}

int PrinterSimulator::cuts() const {
  std::lock_guard lk(mu_);
  return cuts_;
}

void PrinterSimulator::clear_printed() {
  std::lock_guard lk(mu_);
  printed_.clear();
  cuts_ = 0;
  dropped_ = 0;
}

bool PrinterSimulator::wait_for_cuts(int n, std::chrono::milliseconds timeout) const {
  std::unique_lock lk(mu_);
  return cv_.wait_for(lk, timeout, [&] { return cuts_ >= n; });
}

RenderResult PrinterSimulator::render(GlyphSource* glyphs) const {
  auto bytes = printed();
  RenderOptions o;
  o.width_dots = width_;
  o.glyphs = glyphs;
  return printer::render(bytes, o);
}

}  // namespace kiosk::printer
