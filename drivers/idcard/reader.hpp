// The host side of GA 467 over any Transport: SAM management, the find → select → read cycle and card
// polling with debouncing, removal detection, retries and reconnect. No I/O beyond the Transport.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "drivers/idcard/card_text.hpp"
#include "drivers/idcard/codec.hpp"
#include "drivers/transport/transport.hpp"

namespace kiosk::idcard {

using Millis = std::chrono::milliseconds;

struct ReaderOptions {
  Millis command_timeout{500};  // find / select / SAM commands
  Millis read_timeout{2500};    // 30 01 / 30 10 (1295 bytes at 9600 baud would need 1.4 s)
  int retries = 2;              // extra attempts after a timeout or a corrupt answer
  bool read_fingerprint = false;
  bool read_extra_address = false;
};

class ReaderError : public std::runtime_error {
 public:
  enum class Kind {
    Transport,  // timeout / unplug after retries: see transport_kind
    Protocol,   // corrupt or unexpected answer after retries
    Status,     // SAM answered with an error SW3
    CardData,   // the card answered but its record / text is invalid
  };
  ReaderError(Kind kind, const std::string& what, std::uint8_t sw3 = 0,
              transport::ErrorKind tkind = transport::ErrorKind::Io)
      : std::runtime_error(what), kind_(kind), sw3_(sw3), tkind_(tkind) {}
  Kind kind() const { return kind_; }
  std::uint8_t sw3() const { return sw3_; }
  transport::ErrorKind transport_kind() const { return tkind_; }
  bool disconnected() const {
    return kind_ == Kind::Transport && tkind_ == transport::ErrorKind::Disconnected;
  }

 private:
  Kind kind_;
  std::uint8_t sw3_;
  transport::ErrorKind tkind_;
};

struct CardRead {
  IdentityDocument document;
  Bytes photo_wlt;            // 1024-byte WLT; personal data
  Bytes fingerprint;          // empty unless read_fingerprint and the card has one
  std::string extra_address;  // 追加住址 (empty if none / not read)
  void wipe();
};

struct ReaderStats {
  unsigned long frames_sent = 0, frames_received = 0, retries = 0, bad_frames = 0, garbage_bytes = 0;
};

class Reader {
 public:
  Reader(transport::Transport& t, ReaderOptions opts = {});

  // One request/answer round trip with retries; returns the answer whatever its SW3.
  Response transact(Command c, std::span<const std::uint8_t> data, Millis timeout);

  void reset_sam();
  // SW3 of 11 FF (0x90 = healthy).
  std::uint8_t sam_status();
  // "05.01-20231120-0000000001-0000000002" style text of the 16-byte 管理信息 ([HSL] format).
  std::string sam_id();

  // 20 01: true if a card is in the field (9F), false on 80; throws on other statuses.
  bool find_card();
  void select_card();
  CardRead read_base(bool with_fingerprint);
  std::string read_extra_address();  // empty on 91 (no content)
  // find → select → read; nullopt if no card.
  std::optional<CardRead> read_card();

  const ReaderStats& stats() const { return stats_; }
  transport::Transport& transport() { return t_; }

 private:
  Response expect_ok(Command c, Millis timeout, const char* what);
  transport::Transport& t_;
  ReaderOptions opts_;
  ReaderStats stats_;
  Bytes rx_;
};

// Card presence state machine on top of a Reader, one step per poll tick. The owner sleeps
// `interval` between steps (on a condition variable, never spinning).
struct PollerOptions {
  Millis interval{300};
  int removal_misses = 2;  // consecutive "no card" answers before a read card counts as removed
  Millis reconnect_backoff{1000};
  ReaderOptions reader;
};

struct PollEvent {
  enum class Kind { None, CardRead, CardRemoved, CardError, Fault, Recovered };
  Kind kind = Kind::None;
  std::optional<CardRead> card;  // CardRead
  std::string detail;            // CardError/Fault/Recovered: log-safe English text (no personal data)
};

class CardPoller {
 public:
  // `open` (re)creates the transport: called at start and after a fault; it may throw TransportError.
  using Opener = std::function<std::unique_ptr<transport::Transport>()>;
  CardPoller(Opener open, PollerOptions opts = {});
  ~CardPoller();

  PollEvent step();
  // How long the owner should wait before the next step (interval, or backoff while faulted).
  Millis next_delay() const;
  bool card_present() const { return present_; }
  bool faulted() const { return faulted_; }
  const PollerOptions& options() const { return opts_; }
  std::string describe() const;  // transport description (log-safe)
  ReaderStats stats() const;

 private:
  PollEvent fault(const std::string& why);
  bool ensure_open(std::string& why);
  Opener open_;
  PollerOptions opts_;
  std::unique_ptr<transport::Transport> transport_;
  std::unique_ptr<Reader> reader_;
  bool present_ = false;
  bool announced_ = false;  // a CardRead was reported for the card in the field
  bool faulted_ = false;
  bool ever_ok_ = false;
  int misses_ = 0;
  std::string last_fault_;
  ReaderStats past_stats_;
};

}  // namespace kiosk::idcard
