// verify_pin_async against the demo SS card (card model behind the CCID device model over loopback):
// pin.result Commands posted from the worker's PIN thread, the card's try counter, and the whole
// session → flow → worker path with the log sink captured: the PIN digits never reach it.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "kiosk/core/config.hpp"
#include "kiosk/core/session.hpp"
#include "kiosk/flow/run.hpp"
#include "kiosk/hw/sscard_worker.hpp"

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

// Collects what the worker posts; waits (bounded) for the next event of interest.
struct Inbox {
  core::EventQueue q;
  std::vector<core::Event> seen;
  template <class Pred>
  std::optional<core::Event> next(Pred pred, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      for (auto it = seen.begin(); it != seen.end(); ++it)
        if (pred(*it)) {
          core::Event e = *it;
          seen.erase(it);
          return e;
        }
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      q.wait_for(50ms);
      for (auto& e : q.drain()) seen.push_back(std::move(e));
    }
  }
  std::optional<core::DeviceEvent> device(core::DeviceEvent::Kind k) {
    auto e = next([&](const core::Event& x) {
      auto* d = std::get_if<core::DeviceEvent>(&x);
      return d && d->kind == k;
    });
    if (!e) return std::nullopt;
    return std::get<core::DeviceEvent>(*e);
  }
  std::string pin_result() {
    auto e = next([](const core::Event& x) {
      auto* c = std::get_if<core::Command>(&x);
      return c && c->name == "pin.result";
    });
    return e ? std::get<core::Command>(*e).arg : "(no pin.result)";
  }
};

struct LogCapture {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  LogCapture() {
    // A plain sink with no scrubbing: the test sees exactly what the code logs, at every level.
    auto logger =
        std::make_shared<spdlog::logger>("pin-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous); }
};

std::unique_ptr<hw::SsCardWorker> demo_worker() {
  hw::SsCardSettings s;
  s.event_wait = 50ms;
  s.reconnect_backoff = 50ms;
  return hw::make_demo_sscard_worker(s);
}

}  // namespace

TEST_CASE(
    "verify_pin_async: wrong PINs count down on the card, the third locks it, the right one then fails") {
  auto w = demo_worker();
  Inbox in;
  w->start(in.q);
  REQUIRE(w->insert_card("gen2"));  // PIN 123456, 3 tries
  REQUIRE(in.device(core::DeviceEvent::Kind::SsCardInserted));

  std::string digits = "975318";
  w->verify_pin_async(digits, in.q);
  CHECK(digits.empty());  // the caller's copy (SessionData::pin) is wiped at once
  CHECK(in.pin_result() == "wrong tries=2");
  digits = "975318";
  w->verify_pin_async(digits, in.q);
  CHECK(in.pin_result() == "wrong tries=1");
  digits = "975318";
  w->verify_pin_async(digits, in.q);
  CHECK(in.pin_result() == "blocked");
  digits = "123456";
  w->verify_pin_async(digits, in.q);
  CHECK(in.pin_result() == "blocked");
  CHECK(w->status()["pin_checks"] == 4);
  w->stop();
}

TEST_CASE("verify_pin_async: the right PIN resets the counter; no card; not digits") {
  auto w = demo_worker();
  Inbox in;
  w->start(in.q);
  std::string digits = "123456";
  w->verify_pin_async(digits, in.q);
  CHECK(in.pin_result() == "no_card");

  REQUIRE(w->insert_card("gen2"));
  REQUIRE(in.device(core::DeviceEvent::Kind::SsCardInserted));
  digits = "975318";
  w->verify_pin_async(digits, in.q);
  CHECK(in.pin_result() == "wrong tries=2");
  digits = "123456";
  w->verify_pin_async(digits, in.q);
  CHECK(in.pin_result() == "ok");
  digits = "975318";
  w->verify_pin_async(digits, in.q);
  CHECK(in.pin_result() == "wrong tries=2");  // back to 3 after the right PIN

  digits = "12ab";
  w->verify_pin_async(digits, in.q);
  CHECK(in.pin_result() == "error reason=invalid");

  w->remove_card();
  REQUIRE(in.device(core::DeviceEvent::Kind::SsCardRemoved));
  digits = "123456";
  w->verify_pin_async(digits, in.q);
  CHECK(in.pin_result() == "no_card");
  w->stop();
}

TEST_CASE("pin_result_arg maps every PinResult kind") {
  using PK = sscard::PinResult::Kind;
  sscard::PinResult r;
  r.kind = PK::Wrong;
  r.tries_left = 4;
  CHECK(hw::pin_result_arg(r) == "wrong tries=4");
  r.kind = PK::Ok;
  CHECK(hw::pin_result_arg(r) == "ok");
  r.kind = PK::Blocked;
  CHECK(hw::pin_result_arg(r) == "blocked");
  r.kind = PK::NoCard;
  CHECK(hw::pin_result_arg(r) == "no_card");
  r.kind = PK::Error;
  CHECK(hw::pin_result_arg(r) == "error reason=card");
}

TEST_CASE("session + 临时挂失 flow + demo card: PIN digits never reach the log, effects or SessionData") {
  LogCapture log;
  const idcard::RegionTable regions =
      idcard::RegionTable::load(core::source_config_dir() + "/regions/gb2260.tsv");
  core::Catalog catalog;
  catalog.load_dir(core::source_config_dir() + "/catalog");
  flow::FlowLibrary flows(flow::FlowSet::load_dir(core::source_config_dir() + "/flows"), &regions);
  core::ManualClock clock;
  core::Session s(catalog, core::SessionOptions{}, clock);
  s.set_flows(&flows);

  auto w = demo_worker();
  Inbox in;
  w->start(in.q);
  std::vector<std::string> effect_args;
  // What App::apply does for these effects (the lead wires the same in kiosk/app/app.cpp).
  auto apply = [&](const std::vector<core::Effect>& fx) {
    for (auto& e : fx) {
      effect_args.push_back(std::string(core::to_string(e.kind)) + " " + e.arg);
      if (e.kind == core::Effect::Kind::VerifyPin) w->verify_pin_async(s.data().pin, in.q);
      if (e.kind == core::Effect::Kind::Log) spdlog::info("{}", e.arg);
    }
  };
  auto tap = [&](const std::string& id) {
    clock.advance_ms(1000);
    spdlog::debug("tap {}", flow::loggable_action(id));  // App::frame's debug trace of taps
    apply(s.handle(core::UserAction{id}));
  };
  auto type = [&](const std::string& pin) {
    for (char c : pin) tap(std::string("pin.") + c);
  };
  auto deliver = [&](const std::string& result) { apply(s.handle(core::Command{"pin.result", result})); };

  tap("home.category.self_service");
  tap("category.item.KS-B024");
  tap("guide.start");
  REQUIRE(w->insert_card("gen2"));
  auto inserted = in.device(core::DeviceEvent::Kind::SsCardInserted);
  REQUIRE(inserted);
  apply(s.handle(*inserted));
  REQUIRE(s.screen_name() == "flow.pin");

  type("975318");
  tap("pin.ok");
  CHECK(s.data().pin.empty());  // taken by the worker
  CHECK(s.paused());
  deliver(in.pin_result());
  CHECK(s.screen_name() == "flow.pin");
  CHECK(dynamic_cast<const flow::FlowRun&>(*s.flow()).hint_key() == "pin.wrong.2");

  type("123456");
  tap("pin.ok");
  deliver(in.pin_result());
  CHECK(s.screen_name() == "flow.confirm");
  CHECK(s.data().pin.empty());
  w->stop();

  const std::string text = log.out.str();
  INFO(text);
  CHECK(text.find("PIN verify: ok") != std::string::npos);  // the log did capture the worker
  CHECK(text.find("wrong PIN, 2 tries left") != std::string::npos);
  for (const char* pin : {"975318", "123456"}) {
    CHECK(text.find(pin) == std::string::npos);
    for (auto& a : effect_args) CHECK(a.find(pin) == std::string::npos);
  }
  // The tap trace does not spell the PIN key by key either.
  CHECK(text.find("tap pin.#") != std::string::npos);
  for (char d = '0'; d <= '9'; ++d) CHECK(text.find(std::string("tap pin.") + d) == std::string::npos);
}

TEST_CASE("loggable_action hides keypad digits only") {
  CHECK(flow::loggable_action("pin.7") == "pin.#");
  CHECK(flow::loggable_action("pin.0") == "pin.#");
  CHECK(flow::loggable_action("pin.ok") == "pin.ok");
  CHECK(flow::loggable_action("pin.del") == "pin.del");
  CHECK(flow::loggable_action("rate.5") == "rate.5");
}
