#include <catch2/catch.hpp>

#include "kiosk/core/session.hpp"

using namespace kiosk::core;

namespace {
struct Fixture {
  Catalog catalog;
  ManualClock clock;
  SessionOptions opts;
  Fixture() { catalog.load_dir(source_config_dir() + "/catalog"); }
};

bool has(const std::vector<Effect>& fx, Effect::Kind k, const std::string& arg = {}) {
  for (auto& e : fx)
    if (e.kind == k && (arg.empty() || e.arg == arg)) return true;
  return false;
}

void type(Session& s, const std::string& letters) {
  for (char c : letters)
    s.handle(UserAction{std::string("search.key.") + static_cast<char>(std::toupper(c))});
}
}  // namespace

TEST_CASE("search screen: type initials, page through results, open one, back keeps the query") {
  Fixture f;
  Session s(f.catalog, f.opts, f.clock);
  auto fx = s.handle(UserAction{"home.search"});
  CHECK(s.screen().id == ScreenId::Search);
  CHECK(s.screen_name() == "search");
  CHECK(has(fx, Effect::Kind::ScreenChanged, "search"));
  CHECK(has(fx, Effect::Kind::Speak, "search.spoken"));
  CHECK(s.timer_active());
  CHECK(s.search_results().empty());
  CHECK(s.page_items().empty());

  type(s, "y");
  const auto broad = s.search_results().size();
  CHECK(broad > 10);
  CHECK(s.page_count() == static_cast<int>((broad + 4) / 5));
  s.handle(UserAction{"nav.next"});
  CHECK(s.screen().page == 1);
  type(s, "lj");  // editing the query returns to the first page
  CHECK(s.search_query() == "ylj");
  CHECK(s.screen().page == 0);
  auto items = s.page_items();
  REQUIRE_FALSE(items.empty());
  CHECK(items.front()->code == "KS-A013");
  CHECK(items.size() <= 5);
  s.handle(UserAction{"search.key.bksp"});
  CHECK(s.search_query() == "yl");
  s.handle(UserAction{"search.key.shift"});  // keys without meaning here change nothing
  s.handle(UserAction{"search.key.J"});
  CHECK(s.search_query() == "ylj");

  fx = s.handle(UserAction{"search.result.KS-A013"});
  CHECK(s.screen().id == ScreenId::Guide);
  CHECK(s.screen().arg == "KS-A013");
  CHECK(s.data().item_code == "KS-A013");
  s.handle(UserAction{"nav.back"});
  CHECK(s.screen().id == ScreenId::Search);
  CHECK(s.search_query() == "ylj");  // the resident comes back to the same list
  s.handle(UserAction{"search.clear"});
  CHECK(s.search_query().empty());
  fx = s.handle(UserAction{"nav.back"});
  CHECK(s.screen().id == ScreenId::Home);
}

TEST_CASE("search by a common word, backspace removes a whole Chinese character, elder pages are shorter") {
  Fixture f;
  Session s(f.catalog, f.opts, f.clock);
  s.handle(UserAction{"home.category.social_security"});
  s.handle(UserAction{"category.search"});
  REQUIRE(s.screen().id == ScreenId::Search);
  s.handle(UserAction{"search.word.社保卡"});
  CHECK(s.search_query() == "社保卡");
  bool found = false;
  for (auto* i : s.search_results()) found = found || i->code == "KS-B024";
  CHECK(found);
  s.handle(UserAction{"search.key.bksp"});
  CHECK(s.search_query() == "社保");
  s.handle(UserAction{"home.elder"});
  CHECK(s.items_per_page() == 3);
  CHECK(s.page_items().size() <= 3);
  // Back from search returns to the category it was opened from.
  s.handle(UserAction{"nav.back"});
  CHECK(s.screen().id == ScreenId::Category);
}

TEST_CASE("guide page prints a guide slip: one Print effect, the outcome shown and spoken") {
  Fixture f;
  Session s(f.catalog, f.opts, f.clock);
  s.handle(UserAction{"home.category.social_security"});
  s.handle(UserAction{"category.item.KS-A007"});
  REQUIRE(s.screen().id == ScreenId::Guide);
  auto fx = s.handle(UserAction{"guide.print"});
  CHECK(has(fx, Effect::Kind::Print, "guide_slip_80"));
  CHECK(s.data().item_code == "KS-A007");
  CHECK(s.data().print_status == "printing");
  // A second tap while printing does not print twice.
  CHECK_FALSE(has(s.handle(UserAction{"guide.print"}), Effect::Kind::Print));
  fx = s.handle(Command{"print.result", "printed"});
  CHECK(s.data().print_status == "printed");
  CHECK(s.notice() == "search.slip_printed");
  CHECK(has(fx, Effect::Kind::Speak, "search.slip_printed_spoken"));
  s.handle(UserAction{"notice.ok"});
  CHECK(s.notice().empty());
  CHECK(s.screen().id == ScreenId::Guide);

  fx = s.handle(UserAction{"guide.print"});
  CHECK(has(fx, Effect::Kind::Print, "guide_slip_80"));
  s.handle(Command{"print.result", "failed paper out"});
  CHECK(s.data().print_status == "failed");
  CHECK(s.notice() == "search.slip_failed");
  // Off the guide page there is nothing to print.
  s.handle(UserAction{"notice.ok"});
  s.handle(UserAction{"nav.back"});
  CHECK_FALSE(has(s.handle(UserAction{"guide.print"}), Effect::Kind::Print));
  // A stray print result (no job) is logged, not shown.
  s.handle(UserAction{"nav.home"});
  fx = s.handle(Command{"print.result", "printed"});
  CHECK(has(fx, Effect::Kind::Log));
  CHECK(s.notice().empty());
}
