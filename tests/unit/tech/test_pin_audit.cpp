#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "kiosk/core/clock.hpp"
#include "kiosk/tech/audit.hpp"
#include "kiosk/tech/pin.hpp"
#include "kiosk/tech/text_file.hpp"

using namespace kiosk;
using namespace kiosk::tech;
namespace fs = std::filesystem;

namespace {
fs::path temp_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("kiosk-tech-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
}  // namespace

TEST_CASE("PIN hashes verify only the right PIN and never contain it", "[tech][pin]") {
  auto h = hash_pin("246810", {}, true);
  CHECK(h.rfind("$argon2id$", 0) == 0);
  CHECK(h.find("246810") == std::string::npos);
  CHECK(verify_pin_hash(h, "246810"));
  CHECK_FALSE(verify_pin_hash(h, "246811"));
  CHECK_FALSE(verify_pin_hash("", "246810"));
  CHECK_FALSE(verify_pin_hash("garbage", "246810"));
  CHECK(hash_pin("246810", {}, true) != h);                  // salted
  CHECK_THROWS_AS(hash_pin("12345", {}, true), TechError);   // too short
  CHECK_THROWS_AS(hash_pin("12a456", {}, true), TechError);  // not digits
  CHECK_THROWS_AS(hash_pin("111111", {}, true), TechError);  // one digit repeated
}

TEST_CASE("wrong PINs lock the gate with exponential backoff on the injected clock", "[tech][pin]") {
  core::ManualClock clock;
  PinPolicy pol;  // 3 free attempts, 30 s doubling
  PinGate gate(hash_pin("246810", pol, true), pol, clock);
  CHECK(gate.attempt("000001") == PinGate::Result::Wrong);
  CHECK(gate.attempt("000002") == PinGate::Result::Wrong);
  CHECK(gate.attempt("000003") == PinGate::Result::LockedOut);
  CHECK(gate.remaining_lock_ms() == 30'000);
  // While locked even the right PIN is refused (and not checked).
  CHECK(gate.attempt("246810") == PinGate::Result::LockedOut);
  clock.advance_ms(29'999);
  CHECK(gate.locked());
  clock.advance_ms(1);
  CHECK_FALSE(gate.locked());
  CHECK(gate.attempt("000004") == PinGate::Result::LockedOut);
  CHECK(gate.remaining_lock_ms() == 60'000);
  clock.advance_ms(60'000);
  CHECK(gate.attempt("000005") == PinGate::Result::LockedOut);
  CHECK(gate.remaining_lock_ms() == 120'000);
  clock.advance_ms(120'000);
  CHECK(gate.attempt("246810") == PinGate::Result::Ok);
  CHECK(gate.consecutive_failures() == 0);
  CHECK(gate.attempt("000006") == PinGate::Result::Wrong);  // fresh allowance after success

  PinPolicy capped;
  capped.free_attempts = 1;
  capped.base_lock_ms = 1000;
  capped.max_lock_ms = 5000;
  PinGate g2(hash_pin("135790", capped, true), capped, clock);
  for (int i = 0; i < 10; ++i) {
    CHECK(g2.attempt("000000") == PinGate::Result::LockedOut);
    CHECK(g2.remaining_lock_ms() <= 5000);
    clock.advance_ms(g2.remaining_lock_ms());
  }
  PinGate none("", capped, clock);
  CHECK(none.attempt("135790") == PinGate::Result::NotConfigured);
}

TEST_CASE("technician.toml loads, rejects bad values and keeps comments when the hash is stored",
          "[tech][pin]") {
  auto d = temp_dir("cfg");
  auto f = (d / "technician.toml").string();
  {
    std::ofstream(f)
        << "# technician mode\n[technician]\npin_hash = \"\"   # set by kioskctl\nhold_ms = 5000\n"
           "free_attempts = 3\n";
  }
  auto c = load_technician_config(f);
  CHECK(c.pin_hash.empty());
  CHECK(c.hold_ms == 5000);
  auto h = hash_pin("246810", c.policy, true);
  store_pin_hash(f, h);
  auto c2 = load_technician_config(f);
  CHECK(c2.pin_hash == h);
  auto text = read_text(f);
  CHECK(text.find("# technician mode") != std::string::npos);
  CHECK(text.find("hold_ms = 5000") != std::string::npos);

  std::ofstream(d / "bad.toml") << "[technician]\nfree_attempts = \"three\"\n";
  CHECK_THROWS_WITH(load_technician_config((d / "bad.toml").string()), Catch::Contains("free_attempts"));
  std::ofstream(d / "bad2.toml") << "[technician]\npin_hash = \"1234\"\n";
  CHECK_THROWS_WITH(load_technician_config((d / "bad2.toml").string()), Catch::Contains("pin_hash"));
  std::ofstream(d / "bad3.toml") << "[technician\n";
  CHECK_THROWS_WITH(load_technician_config((d / "bad3.toml").string()), Catch::Contains("bad3.toml:1"));
  // The shipped file loads.
  auto shipped = load_technician_config(std::string(KIOSK_SOURCE_DIR) + "/config/technician.toml");
  CHECK(shipped.hold_ms == 5000);
  fs::remove_all(d);
}

TEST_CASE("set_toml_value edits one key and keeps everything else", "[tech]") {
  std::string t = "# head\n[a]\nx = 1  # one\ny = \"q\"\n\n[b]\nz = 2\n";
  auto t2 = set_toml_value_text(t, "a", "x", "5");
  CHECK(t2 == "# head\n[a]\nx = 5  # one\ny = \"q\"\n\n[b]\nz = 2\n");
  auto t3 = set_toml_value_text(t, "b", "w", "\"new\"");
  CHECK(t3.find("[b]\nz = 2\nw = \"new\"\n") != std::string::npos);
  auto t4 = set_toml_value_text(t, "c", "k", "1");
  CHECK(t4.find("\n[c]\nk = 1\n") != std::string::npos);
  CHECK(toml_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
}

TEST_CASE("audit log appends a hash chain, holds no personal data and detects tampering", "[tech][audit]") {
  auto d = temp_dir("audit");
  core::ManualClock clock;
  AuditLog log((d / "audit.log").string(), clock);
  log.append("screen", "enter", "corner hold 5 s");
  log.append("screen", "pin_wrong", "attempt 1");
  clock.advance_ms(5000);
  // A careless caller passing a full ID number: the log still holds only the masked form.
  log.append("kioskctl", "diag", "idcard.read pass 410102199003071234");
  auto all = log.recent(10);
  REQUIRE(all.size() == 3);
  CHECK(all[0].seq == 1);
  CHECK(all[2].seq == 3);
  CHECK(all[2].wall == all[0].wall + 5);
  CHECK(log.verify().empty());
  auto text = read_text(log.path());
  CHECK(text.find("410102199003071234") == std::string::npos);
  CHECK(text.find("4101**********1234") != std::string::npos);
  CHECK(log.recent(2).size() == 2);
  CHECK(log.recent(2)[0].action == "pin_wrong");

  // Edit one line's detail: the chain breaks at that line.
  auto pos = text.find("attempt 1");
  text.replace(pos, 9, "attempt 2");
  std::ofstream(log.path(), std::ios::trunc) << text;
  CHECK_THAT(log.verify(), Catch::Contains("line 2") && Catch::Contains("altered"));
  // Delete a line: the sequence gap shows.
  auto lines = text.substr(text.find('\n') + 1);
  std::ofstream(log.path(), std::ios::trunc) << lines;
  CHECK_THAT(log.verify(), Catch::Contains("line 1"));
  fs::remove_all(d);
}

TEST_CASE("the lockout survives a restart (state file on the wall clock)", "[tech][pin]") {
  auto d = temp_dir("pinstate");
  auto state = (d / "pin-state").string();
  core::ManualClock clock;
  PinPolicy pol;
  auto h = hash_pin("246810", pol, true);
  {
    PinGate g(h, pol, clock);
    g.persist_to(state);
    g.attempt("000001");
    g.attempt("000002");
    CHECK(g.attempt("000003") == PinGate::Result::LockedOut);
  }
  clock.advance_ms(10'000);
  {
    PinGate g(h, pol, clock);  // "rebooted" terminal
    g.persist_to(state);
    CHECK(g.locked());
    CHECK(g.remaining_lock_ms() == Approx(20'000).margin(1000));
    CHECK(g.attempt("246810") == PinGate::Result::LockedOut);
    CHECK(g.consecutive_failures() == 3);
  }
  clock.advance_ms(21'000);
  {
    PinGate g(h, pol, clock);
    g.persist_to(state);
    CHECK_FALSE(g.locked());
    CHECK(g.attempt("000004") == PinGate::Result::LockedOut);  // failures remembered: next lock doubles
    CHECK(g.remaining_lock_ms() == 60'000);
  }
  std::ofstream(state, std::ios::trunc) << "garbage";
  PinGate g(h, pol, clock);
  g.persist_to(state);
  CHECK(g.consecutive_failures() == 0);
  fs::remove_all(d);
}
