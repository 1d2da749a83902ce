// The certification flow driven through the real Session: effects out, device/platform results in.
#include <catch2/catch.hpp>

#include "tests/unit/flow/flow_fixture.hpp"

using namespace kiosk;
using core::Effect;
using K = Effect::Kind;

namespace {

struct Fixture : test::FlowFixture {
  static core::DeviceEvent idcard(const std::string& id = "410105195803120011") {
    core::DeviceEvent d;
    d.kind = core::DeviceEvent::Kind::IdCardRead;
    d.device = "idcard";
    d.identity.source = core::IdSource::IdCard;
    d.identity.name = "张建国";
    d.identity.id_number = id;
    d.identity.region_code = id.substr(0, 6);
    return d;
  }
  static core::DeviceEvent sscard() {
    core::DeviceEvent d = idcard();
    d.kind = core::DeviceEvent::Kind::SsCardInserted;
    d.device = "sscard";
    d.identity.source = core::IdSource::SsCard;
    d.identity.region_code = "410100";
    return d;
  }
  static core::Command reply(const std::string& op, bool ok = true, const std::string& error = "",
                             nlohmann::json data = nlohmann::json::object()) {
    nlohmann::json j = {{"op", op},
                        {"ok", ok},
                        {"error", error},
                        {"code", ok ? "OK" : "REJECTED"},
                        {"transaction_number", ok ? "TX123" : ""},
                        {"data", data}};
    return core::Command{"platform.reply", j.dump()};
  }
};

}  // namespace

TEST_CASE("pension certification by ID card: every step, routed to the household region") {
  Fixture f;
  f.open_item("KS-A013");
  CHECK(f.s->screen_name() == "flow.identify");
  CHECK(f.has(K::Speak, "flow.identify.spoken"));
  CHECK(f.run().step_number() == 1);
  CHECK(f.run().step_count() == 8);
  f.on(Fixture::idcard());
  CHECK(f.has(K::Identified, "idcard"));
  CHECK(f.s->screen_name() == "flow.consent");
  CHECK(f.s->data().region_code == "410100");
  CHECK(f.s->data().region_name == "河南省郑州市");
  CHECK_FALSE(f.s->data().region_is_insured);
  f.tap("consent.agree");
  CHECK(f.has(K::StartFace, "KS-A013"));
  CHECK(f.s->screen_name() == "flow.face");
  CHECK(f.s->paused());  // countdown paused during device work
  const int before = f.s->remaining_s();
  f.clock.advance_ms(200'000);
  CHECK(f.s->tick().empty());
  CHECK(f.s->remaining_s() == before);
  f.on(core::Command{"face.result", "pass score=0.97 quality=0.9 actions=blink,nod"});
  CHECK(f.s->screen_name() == "flow.confirm");
  CHECK(f.s->data().face["passed"] == true);
  CHECK(f.s->data().face["actions"].size() == 2);
  f.tap("confirm.submit");
  CHECK(f.has(K::Platform, "certification_submit"));
  CHECK(f.s->screen_name() == "flow.submit");
  f.on(Fixture::reply("certification_submit", true, "",
                      {{"status", "certified"}, {"valid_until", "2027-11-23"}}));
  CHECK(f.s->screen_name() == "flow.show_result");
  CHECK(f.s->data().transaction_number == "TX123");
  f.tap("flow.next");
  CHECK(f.has(K::Print, "service_receipt_80"));
  f.on(core::Command{"print.result", "printed"});
  CHECK(f.s->screen_name() == "flow.rate");
  f.tap("rate.5");
  CHECK(f.has(K::Platform, "rating:5"));
  CHECK(f.s->screen_name() == "flow.end");
  f.tap("flow.finish");
  CHECK(f.has(K::WipeSessionData));
  CHECK(f.s->screen_name() == "home");
  CHECK(f.s->data().identity.empty());
  CHECK(f.s->data().region_code.empty());
  CHECK(f.s->data().result.is_null());
}

TEST_CASE("identified on the home screen: the identify step is passed by; SS card gives the insured region") {
  Fixture f;
  f.on(Fixture::sscard());
  f.open_item("KS-A014");
  CHECK(f.s->screen_name() == "flow.consent");
  CHECK(f.run().step_number() == 2);
  CHECK(f.s->data().region_is_insured);
}

TEST_CASE("QR e-voucher is resolved by the platform before routing") {
  Fixture f;
  f.open_item("KS-B017");
  core::DeviceEvent q;
  q.kind = core::DeviceEvent::Kind::QrScanned;
  q.device = "scanner";
  q.identity.source = core::IdSource::QrVoucher;
  q.identity.token = "ES-130102-c41d8e2b99a07f16";
  f.on(q);
  CHECK(f.has(K::Platform, "voucher_resolve"));
  CHECK(f.s->paused());
  f.on(Fixture::reply("voucher_resolve", true, "",
                      {{"name", "李秀英"},
                       {"id_number", "130102196005210029"},
                       {"insured_region", "130100"},
                       {"kind", "e_sscard"}}));
  CHECK(f.s->screen_name() == "flow.consent");
  CHECK(f.s->data().region_name == "河北省石家庄市");
  CHECK(f.s->data().region_is_insured);
}

TEST_CASE("an item not open for the resident's region says so and ends") {
  Fixture f;
  f.open_item("KS-A013");
  f.on(Fixture::idcard("510104196202140043"));
  CHECK(f.s->screen_name() == "flow.not_open");
  CHECK(f.s->data().region_name == "四川省成都市");
  CHECK(f.run().message_key() == "flow.not_open.body");
  f.tap("flow.finish");
  CHECK(f.s->screen_name() == "home");
  CHECK(f.s->data().identity.empty());
}

TEST_CASE("platform down: nothing submitted, retry works") {
  Fixture f;
  f.on(Fixture::idcard());
  f.open_item("KS-A013");
  f.tap("consent.agree");
  f.on(core::Command{"face.result", "pass score=0.95 quality=0.9"});
  f.tap("confirm.submit");
  f.on(Fixture::reply("certification_submit", false, "offline"));
  CHECK(f.s->screen_name() == "flow.error");
  CHECK(f.run().message_key() == "flow.error.platform");
  CHECK_FALSE(f.s->paused());
  f.tap("flow.retry");
  CHECK(f.has(K::Platform, "certification_submit"));
  f.on(Fixture::reply("certification_submit", true, "", {{"status", "certified"}}));
  CHECK(f.s->screen_name() == "flow.show_result");
}

TEST_CASE("liveness failure: retries up to max_attempts, then only staff or leave") {
  Fixture f;
  f.on(Fixture::idcard());
  f.open_item("KS-A013");
  f.tap("consent.agree");
  for (int i = 1; i <= 3; ++i) {
    f.on(core::Command{"face.result", "fail reason=spoof"});
    CHECK(f.s->screen_name() == "flow.face_failed");
    CHECK(f.run().attempts() == i);
    f.tap("face.retry");
    if (i < 3) CHECK(f.has(K::StartFace));
  }
  CHECK(f.run().message_key() == "flow.face_failed.final");
  CHECK(f.s->screen_name() == "flow.face_failed");
  f.tap("flow.finish");
  CHECK(f.s->screen_name() == "home");
}

TEST_CASE("SS card pulled mid-flow ends the session with a notice and wipes") {
  Fixture f;
  f.on(Fixture::sscard());
  f.open_item("KS-A013");
  f.tap("consent.agree");
  CHECK(f.s->screen_name() == "flow.face");
  core::DeviceEvent out;
  out.kind = core::DeviceEvent::Kind::SsCardRemoved;
  out.device = "sscard";
  f.on(out);
  CHECK(f.has(K::StopFace));
  CHECK(f.has(K::WipeSessionData));
  CHECK(f.s->screen_name() == "home");
  CHECK(f.s->notice() == "notice.card_removed");
  CHECK(f.s->data().identity.empty());
  f.tap("notice.ok");
  CHECK(f.s->notice().empty());
}

TEST_CASE("camera and printer faults are explained; printing can be skipped") {
  Fixture f;
  f.on(Fixture::idcard());
  f.open_item("KS-A013");
  f.tap("consent.agree");
  core::DeviceEvent cam;
  cam.kind = core::DeviceEvent::Kind::DeviceFault;
  cam.device = "camera";
  cam.detail = "no frames";
  f.on(cam);
  CHECK(f.s->screen_name() == "flow.error");
  CHECK(f.run().message_key() == "flow.error.camera");
  f.tap("flow.retry");
  CHECK(f.has(K::StartFace));
  f.on(core::Command{"face.result", "pass score=0.95 quality=0.9"});
  f.tap("confirm.submit");
  f.on(Fixture::reply("certification_submit", true, "", {{"status", "certified"}}));
  f.tap("flow.next");
  f.on(core::Command{"print.result", "failed paper-out"});
  CHECK(f.run().message_key() == "flow.error.print");
  f.tap("flow.skip");
  CHECK(f.s->screen_name() == "flow.rate");
  CHECK(f.s->data().print_status == "failed");
}

TEST_CASE("back: consent goes back to the guide; timeout mid-flow wipes") {
  Fixture f;
  f.on(Fixture::idcard());
  f.open_item("KS-A013");
  CHECK(f.s->screen_name() == "flow.consent");
  f.tap("nav.back");
  CHECK(f.s->screen_name() == "guide");
  CHECK_FALSE(f.s->data().identity.empty());
  f.tap("guide.start");
  f.tap("consent.agree");
  f.on(core::Command{"face.result", "pass score=0.95 quality=0.9"});
  CHECK(f.s->screen_name() == "flow.confirm");
  f.tap("nav.back");
  CHECK(f.s->screen_name() == "flow.consent");  // review → back to the last decision
  f.clock.advance_ms(10'000'000);
  f.fx = f.s->tick();
  CHECK(f.has(K::WipeSessionData));
  CHECK(f.s->screen_name() == "home");
  CHECK(f.s->data().identity.empty());
}

TEST_CASE("a wrong card type keeps the identify screen with a hint; late replies are ignored") {
  Fixture f;
  f.open_item("KS-A013");
  f.on(Fixture::reply("certification_submit", true));  // stale: nothing happens
  CHECK(f.s->screen_name() == "flow.identify");
  f.on(core::Command{"platform.reply", "{not json"});
  CHECK(f.s->screen_name() == "flow.identify");
}

TEST_CASE("route_for derives city-level regions") {
  core::Identity id;
  id.id_number = "440305195906300070";
  auto r = flow::route_for(id, &test::shipped_regions());
  REQUIRE(r);
  CHECK(r->code == "440300");
  CHECK(r->name == "广东省深圳市");
  CHECK(flow::region_name("110101", &test::shipped_regions()) == "北京市");
  id.id_number = "";
  CHECK_FALSE(flow::route_for(id, &test::shipped_regions()));
}
