// The choose step (one large-button decision) and the entry step (a number typed or scanned), through
// the real Session with the shipped flows: 城乡居民养老保险参保登记 and 办件查询 (PX-0001).
#include <catch2/catch.hpp>

#include "tests/unit/flow/flow_fixture.hpp"

using namespace kiosk;
using core::Effect;
using K = Effect::Kind;

namespace {

struct Fixture : test::FlowFixture {
  static core::DeviceEvent idcard() {
    core::DeviceEvent d;
    d.kind = core::DeviceEvent::Kind::IdCardRead;
    d.device = "idcard";
    d.identity.source = core::IdSource::IdCard;
    d.identity.name = "马桂兰";
    d.identity.id_number = "410102197506010043";
    d.identity.region_code = "410102";
    return d;
  }
  static core::DeviceEvent qr(const std::string& token) {
    core::DeviceEvent d;
    d.kind = core::DeviceEvent::Kind::QrScanned;
    d.device = "scanner";
    d.identity.source = core::IdSource::QrVoucher;
    d.identity.token = token;
    return d;
  }
  static core::Command reply(const std::string& op, nlohmann::json data = nlohmann::json::object()) {
    nlohmann::json j = {
        {"op", op},    {"ok", true}, {"error", ""}, {"code", "OK"}, {"transaction_number", "TX9"},
        {"data", data}};
    return core::Command{"platform.reply", j.dump()};
  }
};

}  // namespace

TEST_CASE("choose: one decision stored in inputs, shown for review, changeable with back, wiped at the end") {
  Fixture f;
  f.on(Fixture::idcard());
  f.open_item("KS-D003");
  REQUIRE(f.s->screen_name() == "flow.consent");
  f.tap("consent.agree");
  f.on(core::Command{"face.result", "pass score=0.95 quality=0.9"});
  REQUIRE(f.s->screen_name() == "flow.choose");
  CHECK(f.run().step().field == "grade");
  CHECK(f.run().step_number() == 4);
  f.tap("choose.999");  // not an option: nothing happens
  CHECK(f.s->screen_name() == "flow.choose");
  CHECK_FALSE(f.s->data().inputs.contains("grade"));
  f.tap("choose.500");
  REQUIRE(f.s->screen_name() == "flow.confirm");
  CHECK(f.s->data().inputs["grade"] == "500");
  f.tap("nav.back");  // back from review returns to the choice
  REQUIRE(f.s->screen_name() == "flow.choose");
  f.tap("choose.1000");
  f.tap("confirm.submit");
  CHECK(f.has(K::Platform, "registration_submit:resident_pension"));
  CHECK(f.s->data().inputs["grade"] == "1000");
  f.on(Fixture::reply("registration_submit:resident_pension",
                      {{"status", "accepted"}, {"case_no", "BJ26112341010001"}}));
  CHECK(f.s->screen_name() == "flow.show_result");
  CHECK(f.s->data().transaction_number == "TX9");
  f.tap("nav.home");
  CHECK(f.s->data().inputs.empty());
  CHECK(f.s->data().identity.empty());
}

TEST_CASE("entry: digits on the keypad, OK only when long enough; a scanned case QR fills it; no identity") {
  Fixture f;
  f.open_item("PX-0001");
  REQUIRE(f.s->screen_name() == "flow.entry");
  CHECK(f.run().step_number() == 1);
  f.tap("entry.ok");  // too short: ignored
  CHECK(f.s->screen_name() == "flow.entry");
  for (char c : std::string("2611054101000")) f.tap(std::string("entry.") + c);
  f.tap("entry.9");
  f.tap("entry.del");
  f.tap("entry.1");
  f.tap("entry.7");  // beyond max_length: ignored
  CHECK(f.s->data().inputs["case_no"] == "26110541010001");
  f.tap("entry.ok");
  CHECK(f.has(K::Platform, "case_lookup"));
  CHECK(f.s->data().identity.empty());  // never asked who the resident is
  f.on(Fixture::reply("case_lookup", {{"cases", nlohmann::json::array()}}));
  CHECK(f.s->screen_name() == "flow.show_result");
  f.tap("flow.next");
  f.tap("rate.skip");
  f.tap("flow.finish");
  CHECK(f.s->data().inputs.empty());

  // Scanned: a URL or other junk gives a hint; a case number goes straight to the lookup.
  f.open_item("PX-0001");
  f.on(Fixture::qr("https://example.com/?a=1"));
  CHECK(f.s->screen_name() == "flow.entry");
  CHECK(f.run().hint_key() == "flow.entry.bad_qr");
  CHECK(f.s->data().identity.empty());  // a QR on the entry screen is not an identity
  f.on(Fixture::qr("BJ26102013010017"));
  CHECK(f.has(K::Platform, "case_lookup"));
  CHECK(f.s->data().inputs["case_no"] == "BJ26102013010017");
}

TEST_CASE("choose and entry steps are validated when the flow loads") {
  const std::string head = "[flow]\nid = \"t\"\nitems = [\"KS-A005\"]\n";
  const std::string ident = "[[step]]\nkind = \"identify\"\nsources = [\"idcard\"]\n";
  auto load = [&](const std::string& steps) {
    return flow::parse_flow(head + steps + "[[step]]\nkind = \"end\"\n", "t.toml");
  };
  auto f = load(ident + "[[step]]\nkind = \"choose\"\nfield = \"grade\"\noptions = [\"200\", \"500\"]\n");
  CHECK(f.steps[1].kind == flow::StepKind::Choose);
  auto keys = flow::string_keys(f.steps[1]);
  CHECK(std::find(keys.begin(), keys.end(), "choice.grade.title") != keys.end());
  CHECK(std::find(keys.begin(), keys.end(), "choice.grade.500") != keys.end());
  CHECK_THROWS_WITH(load(ident + "[[step]]\nkind = \"choose\"\nfield = \"grade\"\noptions = [\"200\"]\n"),
                    Catch::Contains("2..6 options"));
  CHECK_THROWS_WITH(
      load(ident + "[[step]]\nkind = \"choose\"\nfield = \"grade\"\noptions = [\"title\", \"x\"]\n"),
      Catch::Contains("option ids"));
  CHECK_THROWS_WITH(load(ident + "[[step]]\nkind = \"choose\"\noptions = [\"a\", \"b\"]\n"),
                    Catch::Contains("choose needs field"));
  CHECK_THROWS_WITH(load("[[step]]\nkind = \"entry\"\nfield = \"n\"\nmin_length = 9\nmax_length = 4\n"),
                    Catch::Contains("min_length"));
  // case_lookup may run without an identity only after an entry step.
  CHECK_NOTHROW(
      load("[[step]]\nkind = \"entry\"\nfield = \"case_no\"\n[[step]]\nkind = \"query\"\noperation = "
           "\"case_lookup\"\n"));
  CHECK_THROWS_WITH(load("[[step]]\nkind = \"query\"\noperation = \"case_lookup\"\n"),
                    Catch::Contains("needs an identify step"));
  CHECK_THROWS_WITH(load("[[step]]\nkind = \"entry\"\nfield = \"n\"\n[[step]]\nkind = \"query\"\noperation = "
                         "\"record_query:rights_record\"\n"),
                    Catch::Contains("needs an identify step"));
}
