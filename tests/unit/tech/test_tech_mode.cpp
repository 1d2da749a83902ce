#include <catch2/catch.hpp>
#include <filesystem>

#include "kiosk/tech/tech_mode.hpp"

using namespace kiosk;
using namespace kiosk::tech;
namespace fs = std::filesystem;

namespace {
struct Fixture {
  fs::path dir = fs::temp_directory_path() / ("kiosk-tech-mode-" + std::to_string(::getpid()));
  core::ManualClock clock;
  std::shared_ptr<AuditLog> audit;
  std::vector<std::string> ran;
  std::vector<Binding> saved;
  std::unique_ptr<TechMode> mode;
  Fixture() {
    fs::remove_all(dir);
    audit = std::make_shared<AuditLog>((dir / "audit.log").string(), clock);
    TechnicianConfig cfg;
    cfg.pin_hash = hash_pin("246810", cfg.policy, true);
    TechHooks h;
    h.check_ids = {"idcard.read", "printer.status", "printer.receipt"};
    h.run_check = [this](const std::string& id) {
      ran.push_back(id);
      CheckResult r;
      r.status = id == "printer.receipt" ? CheckStatus::Fail : CheckStatus::Pass;
      return r;
    };
    h.list_matches = [] {
      return std::vector<std::vector<std::string>>{{"idcard", "sim", "sim", "demo", "idcard-demo.toml"}};
    };
    h.save_binding = [this](const Binding& b) { saved.push_back(b); };
    mode = std::make_unique<TechMode>(cfg, clock, audit, h);
  }
  ~Fixture() { fs::remove_all(dir); }
  void type(const std::string& pin) {
    for (char c : pin) mode->action(std::string("tech.key.") + c);
    mode->action("tech.key.ok");
  }
  std::string actions() {
    std::string s;
    for (auto& e : audit->recent(100)) s += e.action + " ";
    return s;
  }
};
}  // namespace

TEST_CASE("entry needs a 5 s corner hold, then the PIN", "[tech][mode]") {
  Fixture f;
  f.mode->long_press(4999, true);
  CHECK_FALSE(f.mode->active());
  f.mode->long_press(6000, false);
  CHECK_FALSE(f.mode->active());
  f.mode->action("tech.menu.diagnostics");  // ignored while closed
  CHECK_FALSE(f.mode->active());
  f.mode->long_press(5000, true);
  CHECK(f.mode->screen() == TechMode::Screen::Pin);
  f.mode->action("tech.menu.diagnostics");  // no way around the PIN
  CHECK(f.mode->screen() == TechMode::Screen::Pin);
  f.type("246810");
  CHECK(f.mode->screen() == TechMode::Screen::Menu);
  CHECK(f.actions() == "entry_gesture enter ");
  CHECK(f.audit->verify().empty());
}

TEST_CASE("wrong PINs lock the pad; the lockout counts down and ends", "[tech][mode]") {
  Fixture f;
  f.mode->long_press(5000, true);
  f.type("111112");
  CHECK(f.mode->message_key() == "tech.pin.wrong");
  CHECK(f.mode->message_args()[0].second == "2");
  f.type("111113");
  f.type("111114");
  CHECK(f.mode->message_key() == "tech.pin.locked");
  CHECK(f.mode->message_args()[0].second == "30");
  f.type("246810");  // right PIN during the lockout: refused
  CHECK(f.mode->screen() == TechMode::Screen::Pin);
  f.clock.advance_ms(10'000);
  f.mode->tick();
  CHECK(f.mode->message_args()[0].second == "20");
  f.clock.advance_ms(20'000);
  f.type("246810");
  CHECK(f.mode->screen() == TechMode::Screen::Menu);
  auto log = f.actions();
  CHECK(log.find("pin_wrong pin_wrong lockout lockout enter") != std::string::npos);
  // The PIN itself is never in the audit log.
  for (auto& e : f.audit->recent(100)) CHECK(e.detail.find("246810") == std::string::npos);
}

TEST_CASE("menu → diagnostics, devices bind/test, leave, idle exit", "[tech][mode]") {
  Fixture f;
  f.mode->long_press(5000, true);
  f.type("246810");
  f.mode->action("tech.menu.diagnostics");
  CHECK(f.mode->screen() == TechMode::Screen::Diagnostics);
  f.mode->action("tech.diag.all");
  CHECK(f.ran.size() == 3);
  CHECK(f.mode->results().size() == 3);
  f.mode->action("tech.check.printer.receipt");  // re-run replaces the row
  CHECK(f.mode->results().size() == 3);
  f.mode->action("tech.back");
  f.mode->action("tech.menu.devices");
  REQUIRE(f.mode->matches().size() == 1);
  f.mode->action("tech.bind.0");
  REQUIRE(f.saved.size() == 1);
  CHECK(f.saved[0].role == "idcard");
  CHECK(f.saved[0].profile_file == "idcard-demo.toml");
  f.mode->action("tech.bind.7");  // out of range: ignored
  CHECK(f.saved.size() == 1);
  f.ran.clear();
  f.mode->action("tech.test.printer");
  CHECK(f.ran == std::vector<std::string>{"printer.status", "printer.receipt"});
  f.mode->action("tech.leave");
  CHECK_FALSE(f.mode->active());
  CHECK(f.mode->results().empty());
  // Idle exit.
  f.mode->long_press(5000, true);
  f.type("246810");
  f.clock.advance_ms(299'000);
  CHECK_FALSE(f.mode->tick());
  f.clock.advance_ms(1'000);
  CHECK(f.mode->tick());
  CHECK_FALSE(f.mode->active());
  CHECK(f.actions().find("leave") != std::string::npos);
}
