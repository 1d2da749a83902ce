// Device side of GA 467: answers the real bytes for cards from JSON fixtures, with per-command
// latency and injectable faults. Runs over an in-process loopback or a pseudo-terminal (so the real
// serial path is exercised). Used by protocol tests, kioskctl idcard sim and kiosk --demo.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "drivers/idcard/card_text.hpp"
#include "drivers/idcard/codec.hpp"
#include "drivers/transport/loopback.hpp"
#include "drivers/transport/serial.hpp"

namespace kiosk::idcard::sim {

using Millis = std::chrono::milliseconds;

struct CardFixture {
  std::string id;  // fixture key ("henan-resident")
  IdentityDocument document;
  Bytes photo;        // 1024 synthetic bytes (not a real WLT)
  Bytes fingerprint;  // empty or 1024
  std::string extra_address;
};

// Fixture file: {"cards": [{"id", "kind", "name", ...}]} (see tests/data/idcard/cards.json).
std::vector<CardFixture> load_fixtures(const std::string& path);
CardFixture fixture_from_json(const std::string& json_object);
std::string
default_fixture_path();  // $KIOSK_IDCARD_FIXTURES or KIOSK_SOURCE_DIR/tests/data/idcard/cards.json

enum class Fault {
  NoCard,                 // find answers 80 even with a card
  SamError,               // every command answers 60 (SAM self-test failed)
  WrongChecksum,          // answer's CHK flipped
  Truncated,              // only the first half of the answer is sent
  SplitFrames,            // answer written in irregular pieces (split preamble, LEN) with pauses
  GarbageBeforePreamble,  // `AA 00 AA AA 96 …` noise before the answer
  UnplugMidAnswer,        // half the answer, then the device disappears
  Silent,                 // no answer at all
  CardAuthFailed,         // card-level failure: the answer is SW3 32 (SAM 认证证/卡失败)
};
const char* to_string(Fault f);

// Answer bytes for a request given the card state (pure, used by the thread and by tests).
class CardState {
 public:
  std::optional<CardFixture> card;
  bool found = false, selected = false;
  bool read_since_placed = false;
  bool rearm_requires_removal = false;  // some readers: a read card must leave before find succeeds
  bool sam_error = false;
  bool no_card = false;
  Response answer(const Request& req);
};

class Simulator {
 public:
  enum class Link { Loopback, Pty };
  explicit Simulator(Link link = Link::Loopback, std::string name = "idcard");
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  void start();
  void stop();

  // The driver's side: a Transport for the loopback (valid while plugged; Disconnected after an
  // unplug), or the /dev/pts path for the pty link.
  std::unique_ptr<transport::Transport> open_host();
  std::string pty_path() const;

  void place_card(CardFixture card);
  void remove_card();
  bool card_present() const;

  // `count` answers get the fault (-1 = until cleared); `only` restricts it to one command.
  void set_fault(Fault f, int count = -1, std::optional<Command> only = std::nullopt);
  void clear_faults();
  void set_latency(Command c, Millis ms);
  void set_default_latency(Millis ms);
  void set_rearm_requires_removal(bool on);

  // Emulated unplug / replug (the pty link gets a new /dev/pts path on replug).
  void unplug();
  void replug();
  bool plugged() const;

  std::map<std::pair<int, int>, int> request_counts() const;  // {cmd,para} → count
  int requests(Command c) const;
  // Times the simulator thread woke up from a read (bytes, timeout, interrupt, error); for tests
  // showing that an idle simulator does not wake periodically.
  std::uint64_t wakeups() const { return wakeups_; }

 private:
  struct FaultSpec {
    Fault fault;
    int count;
    std::optional<Command> only;
  };
  void run();
  bool take_fault(Fault f, Command c);
  void serve(transport::Transport& t, Bytes& rx);
  void send_answer(transport::Transport& t, Command c, Bytes frame);
  bool wait_or_stop(Millis ms);
  void do_unplug_locked();
  void do_replug_locked();
  transport::Transport* device_locked();

  Link link_;
  std::string name_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  std::atomic<std::uint64_t> wakeups_{0};
  bool stop_ = false, running_ = false;
  bool plugged_ = true;
  bool unplug_requested_ = false;
  CardState state_;
  std::vector<FaultSpec> faults_;
  std::map<std::pair<int, int>, Millis> latency_;
  Millis default_latency_{0};
  std::map<std::pair<int, int>, int> counts_;
  // links
  transport::LoopbackPair loop_;
  std::unique_ptr<transport::PtyDevice> pty_;
};

}  // namespace kiosk::idcard::sim
