// The real Reader/CardPoller against the GA 467 simulator, over the in-process loopback and over a
// pseudo-terminal (real termios serial path), with every simulator fault.
#include <catch2/catch.hpp>
#include <thread>

#include "drivers/idcard/reader.hpp"
#include "drivers/idcard/sim/simulator.hpp"

using namespace kiosk::idcard;
using namespace std::chrono_literals;
using sim::Fault;
using sim::Simulator;

namespace {

const std::vector<sim::CardFixture>& fixtures() {
  static auto f = sim::load_fixtures(sim::default_fixture_path());
  return f;
}
const sim::CardFixture& card(const std::string& id) {
  for (auto& c : fixtures())
    if (c.id == id) return c;
  throw std::runtime_error("no fixture " + id);
}

ReaderOptions fast() {
  ReaderOptions o;
  o.command_timeout = 150ms;
  o.read_timeout = 400ms;
  o.retries = 1;
  return o;
}

PollEvent step_until(CardPoller& p, PollEvent::Kind want, int max_steps = 20) {
  for (int i = 0; i < max_steps; ++i) {
    auto e = p.step();
    if (e.kind == want) return e;
    if (e.kind != PollEvent::Kind::None) {
      INFO("unexpected event " << static_cast<int>(e.kind) << " " << e.detail);
    }
    std::this_thread::sleep_for(5ms);
  }
  FAIL("event never came");
  return {};
}

}  // namespace

TEST_CASE("loopback: every fixture reads back through find/select/read", "[idcard][protocol]") {
  Simulator s(Simulator::Link::Loopback);
  s.start();
  auto t = s.open_host();
  Reader r(*t, fast());
  CHECK(r.sam_status() == 0x90);
  CHECK_NOTHROW(r.reset_sam());
  CHECK(r.sam_id() == "05.01-20231120-000000001-000000002");
  CHECK_FALSE(r.read_card());  // no card yet
  for (auto& c : fixtures()) {
    s.place_card(c);
    const int finds = s.requests(cmd::kFindCard), selects = s.requests(cmd::kSelectCard),
              reads = s.requests(cmd::kReadBase);
    auto got = r.read_card();
    REQUIRE(got);
    CHECK(got->document.id_number == c.document.id_number);
    CHECK(got->document.name == c.document.name);
    CHECK(got->document.kind == c.document.kind);
    CHECK(got->photo_wlt == c.photo);
    // The protocol minimum: exactly three round trips.
    CHECK(s.requests(cmd::kFindCard) == finds + 1);
    CHECK(s.requests(cmd::kSelectCard) == selects + 1);
    CHECK(s.requests(cmd::kReadBase) == reads + 1);
    s.remove_card();
  }
  CHECK(r.stats().retries == 0);
}

TEST_CASE("loopback: fingerprint and extra-address reads", "[idcard][protocol]") {
  Simulator s;
  s.start();
  auto t = s.open_host();
  auto opts = fast();
  opts.read_fingerprint = true;
  opts.read_extra_address = true;
  Reader r(*t, opts);
  s.place_card(card("guangdong-resident"));
  auto a = r.read_card();
  REQUIRE(a);
  CHECK(a->fingerprint.size() == 1024);
  CHECK(a->extra_address.empty());  // 91: no content is not an error
  CHECK(s.requests(cmd::kReadBaseFingerprint) == 1);
  s.place_card(card("henan-resident"));
  auto b = r.read_card();
  REQUIRE(b);
  CHECK(b->fingerprint.empty());
  CHECK(b->extra_address == "河南省郑州市金水区花园路８号");
}

TEST_CASE("loopback: faults are survived or reported precisely", "[idcard][protocol]") {
  Simulator s;
  s.start();
  auto t = s.open_host();
  Reader r(*t, fast());
  s.place_card(card("hebei-resident-longterm"));

  SECTION("no card") {
    s.set_fault(Fault::NoCard, 1);
    CHECK_FALSE(r.read_card());
    CHECK(r.read_card());
  }
  SECTION("SAM error") {
    s.set_fault(Fault::SamError);
    CHECK(r.sam_status() == 0x60);
    try {
      r.find_card();
      FAIL("no throw");
    } catch (const ReaderError& e) {
      CHECK(e.kind() == ReaderError::Kind::Status);
      CHECK(e.sw3() == 0x60);
      CHECK(std::string(e.what()).find("SAM self-test failed") != std::string::npos);
    }
  }
  SECTION("wrong checksum once: retried") {
    s.set_fault(Fault::WrongChecksum, 1, cmd::kReadBase);
    auto c = r.read_card();
    REQUIRE(c);
    CHECK(c->document.valid_until == "长期");
    CHECK(r.stats().bad_frames == 1);
    CHECK(r.stats().retries == 1);
    CHECK(s.requests(cmd::kReadBase) == 2);
  }
  SECTION("wrong checksum every time: protocol error") {
    s.set_fault(Fault::WrongChecksum);
    try {
      r.find_card();
      FAIL("no throw");
    } catch (const ReaderError& e) {
      CHECK(e.kind() == ReaderError::Kind::Protocol);
      CHECK(std::string(e.what()).find("checksum mismatch") != std::string::npos);
    }
  }
  SECTION("truncated answer: timeout then retry") {
    s.set_fault(Fault::Truncated, 1, cmd::kReadBase);
    CHECK(r.read_card());
    CHECK(r.stats().retries == 1);
  }
  SECTION("truncated every time: typed timeout") {
    s.set_fault(Fault::Truncated, -1, cmd::kSelectCard);
    try {
      r.read_card();
      FAIL("no throw");
    } catch (const ReaderError& e) {
      CHECK(e.kind() == ReaderError::Kind::Transport);
      CHECK(e.transport_kind() == kiosk::transport::ErrorKind::Timeout);
      CHECK(std::string(e.what()).find("answer truncated") != std::string::npos);
    }
  }
  SECTION("split frames and garbage before the preamble") {
    s.set_fault(Fault::SplitFrames);
    s.set_fault(Fault::GarbageBeforePreamble);
    CHECK(r.read_card());
    CHECK(r.stats().garbage_bytes > 0);
    CHECK(r.stats().retries == 0);
  }
  SECTION("silent device") {
    s.set_fault(Fault::Silent);
    CHECK_THROWS_AS(r.sam_status(), ReaderError);
  }
  SECTION("unplug mid-answer") {
    s.set_fault(Fault::UnplugMidAnswer, 1, cmd::kReadBase);
    try {
      r.read_card();
      FAIL("no throw");
    } catch (const ReaderError& e) {
      CHECK(e.disconnected());
    }
    CHECK_FALSE(s.plugged());
  }
}

TEST_CASE("poller: placement, debouncing, removal, unplug and recovery", "[idcard][protocol]") {
  Simulator s;
  s.start();
  PollerOptions po;
  po.reader = fast();
  po.removal_misses = 2;
  CardPoller p([&] { return s.open_host(); }, po);

  CHECK(p.step().kind == PollEvent::Kind::None);
  s.place_card(card("henan-resident"));
  auto read = p.step();
  REQUIRE(read.kind == PollEvent::Kind::CardRead);
  CHECK(read.card->document.id_number == "41010519900307123X");
  // Same card still present: no new event, no re-read.
  const int reads = s.requests(cmd::kReadBase);
  for (int i = 0; i < 3; ++i) CHECK(p.step().kind == PollEvent::Kind::None);
  CHECK(s.requests(cmd::kReadBase) == reads);
  // One missed find (card lifted a moment) is debounced.
  s.set_fault(Fault::NoCard, 1);
  CHECK(p.step().kind == PollEvent::Kind::None);
  CHECK(p.step().kind == PollEvent::Kind::None);
  CHECK(p.card_present());
  s.remove_card();
  CHECK(p.step().kind == PollEvent::Kind::None);
  CHECK(p.step().kind == PollEvent::Kind::CardRemoved);

  // Unplug: one Fault, then silence while away, then Recovered and a fresh read.
  s.place_card(card("hongkong-residence"));
  s.set_fault(Fault::UnplugMidAnswer, 1, cmd::kReadBase);
  auto f = p.step();
  CHECK(f.kind == PollEvent::Kind::Fault);
  CHECK(f.detail.find("disconnected") != std::string::npos);
  CHECK(p.faulted());
  CHECK(p.next_delay() == po.reconnect_backoff);
  CHECK(p.step().kind == PollEvent::Kind::None);
  s.replug();
  CHECK(p.step().kind == PollEvent::Kind::Recovered);
  auto again = p.step();
  REQUIRE(again.kind == PollEvent::Kind::CardRead);
  CHECK(again.card->document.kind == CardKind::HkMacauTaiwan);
}

TEST_CASE("poller: SAM failure is a device fault; card failure is a card error", "[idcard][protocol]") {
  Simulator s;
  s.start();
  PollerOptions po;
  po.reader = fast();
  CardPoller p([&] { return s.open_host(); }, po);
  s.set_fault(Fault::SamError);
  auto f = p.step();
  CHECK(f.kind == PollEvent::Kind::Fault);
  CHECK(f.detail.find("SAM") != std::string::npos);
  s.clear_faults();
  CHECK(p.step().kind == PollEvent::Kind::Recovered);

  s.place_card(card("foreign-2017"));
  s.set_fault(Fault::WrongChecksum, -1, cmd::kSelectCard);  // select keeps failing: protocol fault
  CHECK(p.step().kind == PollEvent::Kind::Fault);
  s.clear_faults();
  step_until(p, PollEvent::Kind::Recovered);
  auto r = step_until(p, PollEvent::Kind::CardRead);
  CHECK(r.card->document.kind == CardKind::ForeignPermanent2017);
}

TEST_CASE("poller: a card that fails authentication is reported once and must be lifted",
          "[idcard][protocol]") {
  Simulator s;
  s.start();
  PollerOptions po;
  po.reader = fast();
  CardPoller p([&] { return s.open_host(); }, po);
  s.place_card(card("henan-resident"));
  s.set_fault(Fault::CardAuthFailed, 1, cmd::kReadBase);
  auto e = p.step();
  REQUIRE(e.kind == PollEvent::Kind::CardError);
  CHECK(e.detail.find("SAM 认证证/卡失败") != std::string::npos);
  CHECK(e.detail.find("41010519900307123X") == std::string::npos);
  const int reads = s.requests(cmd::kReadBase);
  CHECK(p.step().kind == PollEvent::Kind::None);  // no retry storm while it lies there
  CHECK(s.requests(cmd::kReadBase) == reads);
  s.remove_card();
  CHECK(p.step().kind == PollEvent::Kind::None);
  CHECK(p.step().kind == PollEvent::Kind::None);  // never announced, so no removal event
  s.place_card(card("henan-resident"));
  CHECK(p.step().kind == PollEvent::Kind::CardRead);
  CHECK_FALSE(p.faulted());
}

TEST_CASE("poller: readers that need the card lifted before the next find", "[idcard][protocol]") {
  Simulator s;
  s.set_rearm_requires_removal(true);
  s.start();
  PollerOptions po;
  po.reader = fast();
  po.removal_misses = 2;
  CardPoller p([&] { return s.open_host(); }, po);
  s.place_card(card("foreign-2023"));
  REQUIRE(p.step().kind == PollEvent::Kind::CardRead);
  // Such a reader answers 80 while the read card lies there; we report removal (documented limit).
  CHECK(p.step().kind == PollEvent::Kind::None);
  CHECK(p.step().kind == PollEvent::Kind::CardRemoved);
  CHECK(p.step().kind == PollEvent::Kind::None);  // no phantom re-read
  s.remove_card();
  s.place_card(card("foreign-2023"));
  CHECK(p.step().kind == PollEvent::Kind::CardRead);
}

TEST_CASE("pty: the real serial path, with faults and a replug", "[idcard][protocol][pty]") {
  Simulator s(Simulator::Link::Pty, "idcard-test");
  s.start();
  REQUIRE(s.pty_path().rfind("/dev/pts/", 0) == 0);
  {
    auto t = s.open_host();
    CHECK(t->describe().find("serial:/dev/pts/") == 0);
    Reader r(*t, fast());
    CHECK(r.sam_status() == 0x90);
    for (auto& c : fixtures()) {
      s.place_card(c);
      auto got = r.read_card();
      REQUIRE(got);
      CHECK(got->document.id_number == c.document.id_number);
    }
    s.set_fault(Fault::GarbageBeforePreamble, 1);
    s.set_fault(Fault::SplitFrames, 1, cmd::kReadBase);
    s.set_fault(Fault::WrongChecksum, 1, cmd::kSelectCard);
    CHECK(r.read_card());
    CHECK(r.stats().garbage_bytes > 0);
    CHECK(r.stats().retries == 1);
  }
  PollerOptions po;
  po.reader = fast();
  CardPoller p([&] { return s.open_host(); }, po);
  s.remove_card();
  CHECK(p.step().kind == PollEvent::Kind::None);
  s.place_card(card("henan-resident"));
  CHECK(p.step().kind == PollEvent::Kind::CardRead);
  const std::string old_path = s.pty_path();
  s.unplug();
  CHECK(p.step().kind == PollEvent::Kind::Fault);
  CHECK(p.step().kind == PollEvent::Kind::None);  // still away: opening fails quietly
  s.replug();
  CHECK(p.step().kind == PollEvent::Kind::Recovered);
  CHECK(p.describe().find(s.pty_path()) != std::string::npos);
  CHECK(p.step().kind == PollEvent::Kind::CardRead);
  (void)old_path;
}

TEST_CASE("an idle simulator does not wake up; unplug and stop() are prompt", "[idcard][idle]") {
  for (auto link : {Simulator::Link::Loopback, Simulator::Link::Pty}) {
    Simulator s(link);
    s.start();
    auto t = s.open_host();
    Reader r(*t, fast());
    CHECK(r.sam_status() == 0x90);  // the thread is serving
    const auto before = s.wakeups();
    std::this_thread::sleep_for(link == Simulator::Link::Loopback ? 1100ms : 300ms);
    CHECK(s.wakeups() == before);  // no periodic read timeouts while nobody asks
    CHECK(r.sam_status() == 0x90);

    auto t0 = std::chrono::steady_clock::now();
    s.unplug();  // the thread is blocked in an idle read: it must be woken to close the link
    CHECK(std::chrono::steady_clock::now() - t0 < 50ms);
    CHECK_FALSE(s.plugged());
    s.replug();
    auto t2 = s.open_host();
    Reader r2(*t2, fast());
    CHECK(r2.sam_status() == 0x90);

    t0 = std::chrono::steady_clock::now();
    s.stop();
    CHECK(std::chrono::steady_clock::now() - t0 < 50ms);
  }
}
