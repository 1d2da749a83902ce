#include <catch2/catch.hpp>

#include "kiosk/core/session.hpp"

using namespace kiosk::core;

namespace {
struct Fixture {
  Catalog catalog;
  ManualClock clock;
  SessionOptions opts;
  Fixture() {
    catalog.load_dir(source_config_dir() + "/catalog");
    opts.items_per_page = 6;
  }
};

bool has(const std::vector<Effect>& fx, Effect::Kind k, const std::string& arg = {}) {
  for (auto& e : fx)
    if (e.kind == k && (arg.empty() || e.arg == arg)) return true;
  return false;
}
}  // namespace

TEST_CASE("home -> category -> guide -> back -> back returns home") {
  Fixture f;
  Session s(f.catalog, f.opts, f.clock);
  CHECK(s.screen().id == ScreenId::Home);
  CHECK_FALSE(s.timer_active());
  auto fx = s.handle(UserAction{"home.category.social_security"});
  CHECK(has(fx, Effect::Kind::ScreenChanged, "category"));
  CHECK(s.screen().arg == "social_security");
  CHECK(s.page_count() == 4);  // 24 items, 6 per page
  s.handle(UserAction{"nav.next"});
  s.handle(UserAction{"nav.next"});
  s.handle(UserAction{"nav.next"});
  s.handle(UserAction{"nav.next"});  // clamps at the last page
  CHECK(s.screen().page == 3);
  s.handle(UserAction{"nav.prev"});
  CHECK(s.screen().page == 2);
  fx = s.handle(UserAction{"category.item.KS-A013"});
  CHECK(s.screen().id == ScreenId::Guide);
  CHECK(has(fx, Effect::Kind::Speak, "guide.spoken"));
  s.handle(UserAction{"nav.back"});
  CHECK(s.screen().id == ScreenId::Category);
  CHECK(s.screen().page == 2);  // back restores the page the resident was on
  fx = s.handle(UserAction{"nav.back"});
  CHECK(s.screen().id == ScreenId::Home);
  CHECK(has(fx, Effect::Kind::WipeSessionData));
}

TEST_CASE("inactivity: countdown, 20 s warning, extensions, then wipe and home") {
  Fixture f;
  Session s(f.catalog, f.opts, f.clock);
  s.handle(UserAction{"home.category.tax"});
  CHECK(s.timer_active());
  CHECK(s.remaining_s() == 60);
  f.clock.advance_ms(39'000);
  CHECK(s.tick().empty());
  CHECK(s.remaining_s() == 21);
  f.clock.advance_ms(1'000);
  auto fx = s.tick();
  CHECK(s.warning());
  CHECK(has(fx, Effect::Kind::Speak, "timeout.spoken"));
  // Other controls are ignored while the warning is up.
  s.handle(UserAction{"category.item.KS-D014"});
  CHECK(s.screen().id == ScreenId::Category);
  // At least ten extensions are granted.
  for (int i = 0; i < 10; ++i) {
    REQUIRE(s.can_extend());
    s.handle(UserAction{"timeout.continue"});
    CHECK_FALSE(s.warning());
    CHECK(s.remaining_s() == 60);
    f.clock.advance_ms(45'000);
    s.tick();
    REQUIRE(s.warning());
  }
  CHECK_FALSE(s.can_extend());
  s.handle(UserAction{"timeout.continue"});
  CHECK(s.warning());
  f.clock.advance_ms(15'000);
  fx = s.tick();
  CHECK(s.screen().id == ScreenId::Home);
  CHECK(has(fx, Effect::Kind::WipeSessionData));
  CHECK(s.extensions_used() == 0);
}

TEST_CASE("timer pauses while busy and elder mode gets longer timeouts") {
  Fixture f;
  Session s(f.catalog, f.opts, f.clock);
  s.handle(UserAction{"home.elder"});
  CHECK(s.elder_mode());
  s.handle(UserAction{"home.category.tax"});
  CHECK(s.remaining_s() == 90);
  s.set_busy(true);
  f.clock.advance_ms(200'000);
  CHECK(s.tick().empty());
  CHECK(s.remaining_s() == 90);
  s.set_busy(false);
  f.clock.advance_ms(91'000);
  s.tick();
  CHECK(s.screen().id == ScreenId::Home);
  CHECK_FALSE(s.elder_mode());  // a timeout resets preferences for the next resident
}

TEST_CASE("identity from a device lives in SessionData until the session ends") {
  Fixture f;
  Session s(f.catalog, f.opts, f.clock);
  DeviceEvent d;
  d.kind = DeviceEvent::Kind::IdCardRead;
  d.device = "idcard";
  d.identity.name = "张三";
  d.identity.id_number = "410102199001011234";
  auto fx = s.handle(d);
  CHECK(has(fx, Effect::Kind::Identified, "idcard"));
  CHECK(s.data().identity.name == "张三");
  CHECK(s.timer_active());  // personal data on a home screen still times out
  f.clock.advance_ms(61'000);
  s.tick();
  CHECK(s.data().identity.empty());
  CHECK(s.data().identity.name.empty());
}

TEST_CASE("calling staff raises an effect from any screen") {
  Fixture f;
  Session s(f.catalog, f.opts, f.clock);
  auto fx = s.handle(UserAction{"nav.staff"});
  CHECK(has(fx, Effect::Kind::CallStaff, "home"));
  CHECK(s.staff_called());
  s.handle(UserAction{"staff.ok"});
  CHECK_FALSE(s.staff_called());
}
