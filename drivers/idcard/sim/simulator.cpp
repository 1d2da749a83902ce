#include "drivers/idcard/sim/simulator.hpp"

#include <array>

namespace kiosk::idcard::sim {

namespace {

// Non-owning handle on the shared loopback host end (the Opener interface wants a unique_ptr).
class SharedHost : public transport::Transport {
 public:
  explicit SharedHost(std::shared_ptr<transport::Transport> t) : t_(std::move(t)) {}
  void write(std::span<const std::uint8_t> d, transport::Millis to) override { t_->write(d, to); }
  std::size_t read(std::span<std::uint8_t> b, transport::Millis to) override { return t_->read(b, to); }
  void flush_input() override { t_->flush_input(); }
  bool connected() const override { return t_->connected(); }
  std::string describe() const override { return t_->describe(); }
  void interrupt() override { t_->interrupt(); }
  bool interruptible() const override { return t_->interruptible(); }

 private:
  std::shared_ptr<transport::Transport> t_;
};

constexpr std::pair<int, int> key(Command c) {
  return {c.cmd, c.para};
}

}  // namespace

const char* to_string(Fault f) {
  switch (f) {
    case Fault::NoCard:
      return "no_card";
    case Fault::SamError:
      return "sam_error";
    case Fault::WrongChecksum:
      return "wrong_checksum";
    case Fault::Truncated:
      return "truncated";
    case Fault::SplitFrames:
      return "split_frames";
    case Fault::GarbageBeforePreamble:
      return "garbage_before_preamble";
    case Fault::UnplugMidAnswer:
      return "unplug_mid_answer";
    case Fault::Silent:
      return "silent";
    case Fault::CardAuthFailed:
      return "card_auth_failed";
  }
  return "?";
}

Response CardState::answer(const Request& req) {
  Response r;
  auto status = [&](std::uint8_t sw3, Bytes data = {}) {
    r.sw3 = sw3;
    r.data = std::move(data);
    return r;
  };
  if (sam_error) return status(0x60);
  const Command c = req.command;
  if (c == cmd::kResetSam) {
    found = selected = false;
    return status(0x90);
  }
  if (c == cmd::kSamStatus) return status(0x90);
  if (c == cmd::kSamId)  // 05.01-20231120-000000001-000000002
    return status(0x90, {0x05, 0x00, 0x01, 0x00, 0xD0, 0xB3, 0x34, 0x01, 0x01, 0, 0, 0, 0x02, 0, 0, 0});
  if (c == cmd::kFindCard) {
    found = selected = false;
    if (!card || no_card || (rearm_requires_removal && read_since_placed)) return status(0x80);
    found = true;
    return status(0x9F, Bytes(4, 0));
  }
  if (c == cmd::kSelectCard) {
    if (!card || !found) return status(0x81);
    selected = true;
    return status(0x90, Bytes(8, 0));
  }
  if (c == cmd::kReadBase || c == cmd::kReadBaseFingerprint) {
    if (!card || !selected) return status(0x41);
    BaseRecord rec;
    rec.text = encode_text(card->document);
    rec.photo = card->photo;
    const bool fp = c == cmd::kReadBaseFingerprint;
    if (fp) rec.fingerprint = card->fingerprint;
    read_since_placed = true;
    return status(0x90, encode_base_record(rec, fp));
  }
  if (c == cmd::kReadExtraAddress) {
    if (!card || !selected) return status(0x41);
    if (card->extra_address.empty()) return status(0x91);
    Bytes data = utf8_to_ucs2le(card->extra_address);
    while (data.size() < 70) {
      data.push_back(0x20);
      data.push_back(0x00);
    }
    return status(0x90, std::move(data));
  }
  if (c.cmd == 0x60 && c.para <= 4) return status(0x90);
  return status(0x21);
}

Simulator::Simulator(Link link, std::string name) : link_(link), name_(std::move(name)) {
  if (link_ == Link::Loopback) {
    loop_ = transport::make_loopback(name_);
  } else {
    pty_ = std::make_unique<transport::PtyDevice>(transport::open_pty(name_));
  }
}

Simulator::~Simulator() {
  stop();
}

void Simulator::start() {
  std::lock_guard lock(mu_);
  if (running_) return;
  stop_ = false;
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void Simulator::stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    stop_ = true;
    if (plugged_) device_locked()->interrupt();  // the thread may be blocked in an idle read
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  running_ = false;
}

std::unique_ptr<transport::Transport> Simulator::open_host() {
  std::string path;
  {
    std::lock_guard lock(mu_);
    if (!plugged_)
      throw transport::TransportError(transport::ErrorKind::NotFound, name_ + ": simulator unplugged");
    if (link_ == Link::Loopback) return std::make_unique<SharedHost>(loop_.host);
    path = pty_->slave_path;
  }
  return transport::SerialPort::open(path);
}

std::string Simulator::pty_path() const {
  std::lock_guard lock(mu_);
  return pty_ ? pty_->slave_path : "";
}

void Simulator::place_card(CardFixture card) {
  std::lock_guard lock(mu_);
  state_.card = std::move(card);
  state_.found = state_.selected = state_.read_since_placed = false;
}

void Simulator::remove_card() {
  std::lock_guard lock(mu_);
  state_.card.reset();
  state_.found = state_.selected = state_.read_since_placed = false;
}

bool Simulator::card_present() const {
  std::lock_guard lock(mu_);
  return state_.card.has_value();
}

void Simulator::set_fault(Fault f, int count, std::optional<Command> only) {
  std::lock_guard lock(mu_);
  faults_.push_back({f, count, only});
}

void Simulator::clear_faults() {
  std::lock_guard lock(mu_);
  faults_.clear();
}

void Simulator::set_latency(Command c, Millis ms) {
  std::lock_guard lock(mu_);
  latency_[key(c)] = ms;
}

void Simulator::set_default_latency(Millis ms) {
  std::lock_guard lock(mu_);
  default_latency_ = ms;
}

void Simulator::set_rearm_requires_removal(bool on) {
  std::lock_guard lock(mu_);
  state_.rearm_requires_removal = on;
}

bool Simulator::plugged() const {
  std::lock_guard lock(mu_);
  return plugged_;
}

void Simulator::do_unplug_locked() {
  if (!plugged_) return;
  if (link_ == Link::Loopback) {
    loop_.device->close();
  } else {
    pty_->master->close();  // the driver's slave fd now reads EIO / hang-up
  }
  plugged_ = false;
  unplug_requested_ = false;
  cv_.notify_all();
}

void Simulator::do_replug_locked() {
  if (plugged_) return;
  if (link_ == Link::Loopback) {
    loop_.device->reopen();
  } else {
    pty_ = std::make_unique<transport::PtyDevice>(transport::open_pty(name_));
  }
  plugged_ = true;
  cv_.notify_all();
}

void Simulator::unplug() {
  std::unique_lock lock(mu_);
  if (!running_) {
    do_unplug_locked();
    return;
  }
  unplug_requested_ = true;
  if (plugged_) device_locked()->interrupt();
  cv_.notify_all();
  cv_.wait(lock, [&] { return !plugged_ || stop_; });
}

void Simulator::replug() {
  std::lock_guard lock(mu_);
  do_replug_locked();
}

std::map<std::pair<int, int>, int> Simulator::request_counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

int Simulator::requests(Command c) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(key(c));
  return it == counts_.end() ? 0 : it->second;
}

transport::Transport* Simulator::device_locked() {
  if (link_ == Link::Loopback) return loop_.device.get();
  return pty_->master.get();
}

bool Simulator::take_fault(Fault f, Command c) {
  for (auto& s : faults_) {
    if (s.fault != f || s.count == 0) continue;
    if (s.only && !(*s.only == c)) continue;
    if (s.count > 0) --s.count;
    return true;
  }
  return false;
}

bool Simulator::wait_or_stop(Millis ms) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, ms, [&] { return stop_; });
}

void Simulator::run() {
  Bytes rx;
  std::array<std::uint8_t, 2048> buf;
  for (;;) {
    transport::Transport* t;
    {
      std::unique_lock lock(mu_);
      if (unplug_requested_) do_unplug_locked();
      cv_.wait(lock, [&] { return stop_ || (plugged_ && !unplug_requested_) || unplug_requested_; });
      if (stop_) return;
      if (unplug_requested_ || !plugged_) continue;
      t = device_locked();
    }
    try {
      // stop() and unplug() interrupt this read; a transport that cannot be interrupted gets a short
      // timeout so they are still seen promptly.
      const std::size_t n = t->read(buf, transport::idle_read_timeout(*t));
      ++wakeups_;
      if (n == 0) continue;
      rx.insert(rx.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
      serve(*t, rx);
    } catch (const transport::TransportError&) {
      ++wakeups_;
      rx.clear();
      std::unique_lock lock(mu_);
      // Our own unplug (or a stopped peer): wait for replug / stop.
      cv_.wait_for(lock, Millis(100), [&] { return stop_ || unplug_requested_; });
    }
  }
}

void Simulator::serve(transport::Transport& t, Bytes& rx) {
  for (;;) {
    Scan s = scan_frame(rx, 3);
    rx.erase(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(s.consumed));
    if (s.kind == Scan::Kind::NeedMore) return;
    if (s.kind == Scan::Kind::Error) {  // the SAM reports what it got wrong
      t.write(encode_response(0, 0, s.error_kind == CodecError::Kind::BadChecksum ? 0x10 : 0x11),
              Millis(1000));
      continue;
    }
    Request req;
    try {
      req = parse_request(s.body);
    } catch (const CodecError&) {
      t.write(encode_response(0, 0, 0x11), Millis(1000));
      continue;
    }
    Millis delay;
    Bytes frame;
    {
      std::lock_guard lock(mu_);
      ++counts_[key(req.command)];
      auto it = latency_.find(key(req.command));
      delay = it == latency_.end() ? default_latency_ : it->second;
      state_.sam_error = take_fault(Fault::SamError, req.command);
      state_.no_card = req.command == cmd::kFindCard && take_fault(Fault::NoCard, req.command);
      Response r = state_.answer(req);
      if (take_fault(Fault::CardAuthFailed, req.command)) r = Response{0, 0, 0x32, {}};
      frame = encode_response(r.sw1, r.sw2, r.sw3, r.data);
    }
    if (delay.count() > 0 && wait_or_stop(delay)) return;
    send_answer(t, req.command, std::move(frame));
    if (!plugged()) return;
  }
}

void Simulator::send_answer(transport::Transport& t, Command c, Bytes frame) {
  bool silent, bad_sum, garbage, truncated, unplug_mid, split;
  {
    std::lock_guard lock(mu_);
    silent = take_fault(Fault::Silent, c);
    bad_sum = take_fault(Fault::WrongChecksum, c);
    garbage = take_fault(Fault::GarbageBeforePreamble, c);
    truncated = take_fault(Fault::Truncated, c);
    unplug_mid = take_fault(Fault::UnplugMidAnswer, c);
    split = take_fault(Fault::SplitFrames, c);
  }
  if (silent) return;
  if (bad_sum) frame.back() ^= 0x5A;
  if (garbage) {
    static constexpr std::uint8_t kNoise[] = {0xAA, 0x00, 0xAA, 0xAA, 0x96, 0x13, 0x37, 0xAA, 0xAA};
    frame.insert(frame.begin(), std::begin(kNoise), std::end(kNoise));
  }
  if (truncated) frame.resize(frame.size() / 2);
  const Millis to(1000);
  if (unplug_mid) {
    t.write(std::span(frame).first(frame.size() / 2), to);
    std::lock_guard lock(mu_);
    do_unplug_locked();
    return;
  }
  if (split) {
    // Irregular pieces: inside the preamble, inside LEN, then 200-byte chunks, 1 ms apart.
    std::size_t off = 0, piece = 3;
    while (off < frame.size()) {
      const std::size_t n = std::min(piece, frame.size() - off);
      t.write(std::span(frame).subspan(off, n), to);
      off += n;
      piece = off < 7 ? 3 : 200;
      if (off < frame.size() && wait_or_stop(Millis(1))) return;
    }
    return;
  }
  t.write(frame, to);
}

}  // namespace kiosk::idcard::sim
