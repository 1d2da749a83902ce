// The SS card PIN step driven through the real Session: VerifyPin out, pin.result in; "PIN or face" for
// 社会保障卡临时挂失 (config/flows/sscard_loss.toml); only_for / skip_if_verified loader rules.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "kiosk/core/config.hpp"
#include "kiosk/core/session.hpp"
#include "kiosk/core/strings.hpp"
#include "kiosk/flow/run.hpp"
#include "tests/unit/flow/flow_fixture.hpp"

using namespace kiosk;
using core::Effect;
using K = Effect::Kind;
using Phase = flow::FlowRun::Phase;

namespace {

struct Pin {
  core::Catalog catalog;
  core::ManualClock clock;
  core::SessionOptions opts;
  std::unique_ptr<flow::FlowLibrary> flows;
  std::unique_ptr<core::Session> s;
  std::vector<Effect> fx, all;  // last event's effects / every effect so far

  explicit Pin(flow::FlowSet set = flow::FlowSet::load_dir(core::source_config_dir() + "/flows")) {
    catalog.load_dir(core::source_config_dir() + "/catalog");
    flows = std::make_unique<flow::FlowLibrary>(std::move(set), &test::shipped_regions());
    s = std::make_unique<core::Session>(catalog, opts, clock);
    s->set_flows(flows.get());
  }
  void on(const core::Event& e) {
    fx = s->handle(e);
    all.insert(all.end(), fx.begin(), fx.end());
  }
  void tap(const std::string& id) {
    clock.advance_ms(1000);
    on(core::UserAction{id});
  }
  void type(const std::string& digits) {
    for (char c : digits) tap(std::string("pin.") + c);
  }
  void answer(const std::string& arg) { on(core::Command{"pin.result", arg}); }
  bool has(K k, const std::string& arg = {}) const {
    for (auto& e : fx)
      if (e.kind == k && (arg.empty() || e.arg == arg)) return true;
    return false;
  }
  bool ever(K k) const {
    for (auto& e : all)
      if (e.kind == k) return true;
    return false;
  }
  const flow::FlowRun& run() const { return dynamic_cast<const flow::FlowRun&>(*s->flow()); }
  void open_loss() {  // 社会保障卡临时挂失 (self_service category, third page)
    tap("home.category.self_service");
    tap("category.item.KS-B024");
    tap("guide.start");
    REQUIRE(s->screen_name() == "flow.identify");
  }
  static core::DeviceEvent sscard() {
    core::DeviceEvent d;
    d.kind = core::DeviceEvent::Kind::SsCardInserted;
    d.device = "sscard";
    d.identity.source = core::IdSource::SsCard;
    d.identity.document = core::DocumentType::SocialSecurityCard;
    d.identity.name = "张三丰";
    d.identity.id_number = "410101199001011234";
    d.identity.card_number = "A00000001";
    d.identity.region_code = "410100";
    return d;
  }
  static core::DeviceEvent idcard() {
    core::DeviceEvent d = sscard();
    d.kind = core::DeviceEvent::Kind::IdCardRead;
    d.device = "idcard";
    d.identity.source = core::IdSource::IdCard;
    d.identity.document = core::DocumentType::ResidentIdCard;
    d.identity.card_number.clear();
    d.identity.region_code = "410105";
    return d;
  }
  // SS card in, six digits typed and OK pressed: the flow waits for the card's answer.
  void to_verify(const std::string& digits = "975318") {
    type(digits);
    tap("pin.ok");
    REQUIRE(has(Effect::Kind::VerifyPin, "KS-B024"));
  }
};

}  // namespace

TEST_CASE("SS card holder: PIN verified on the card replaces consent and face") {
  Pin t;
  t.open_loss();
  t.on(Pin::sscard());
  REQUIRE(t.s->screen_name() == "flow.pin");
  CHECK(t.has(K::Speak, "flow.pin.spoken"));
  // identify, pin, confirm, submit, show_result, print, rate: consent and face do not count.
  CHECK(t.run().step_number() == 2);
  CHECK(t.run().step_count() == 9 - 2);

  t.type("12345");
  CHECK(t.run().pin_length() == 5);
  t.tap("pin.del");
  CHECK(t.run().pin_length() == 4);
  t.tap("pin.ok");  // four digits: OK is not accepted
  CHECK_FALSE(t.has(Effect::Kind::VerifyPin));
  t.type("56");
  CHECK(t.s->data().pin == "123456");
  t.tap("pin.7");  // six is the most
  CHECK(t.s->data().pin == "123456");
  t.tap("pin.ok");
  REQUIRE(t.has(Effect::Kind::VerifyPin, "KS-B024"));
  CHECK(t.run().verifying_pin());
  CHECK(t.s->paused());                                                    // the countdown waits for the card
  for (auto& e : t.all) CHECK(e.arg.find("123456") == std::string::npos);  // nothing carries the digits

  // Keypad and back do nothing while the card counts this try.
  t.tap("pin.1");
  t.tap("nav.back");
  CHECK(t.run().verifying_pin());
  t.clock.advance_ms(10 * 60 * 1000);
  t.on(core::Command{"noop"});
  CHECK(t.s->tick().empty());  // no timeout while paused

  t.answer("ok");
  CHECK(t.s->data().pin.empty());
  CHECK(t.run().pin_verified());
  REQUIRE(t.s->screen_name() == "flow.confirm");
  CHECK(t.run().step_number() == 3);
  CHECK_FALSE(t.ever(K::StartFace));

  // Back from the review goes to the PIN (consent/face are not this resident's steps), not to a loop.
  t.tap("nav.back");
  CHECK(t.s->screen_name() == "flow.pin");
  t.to_verify("123456");
  t.answer("ok");
  REQUIRE(t.s->screen_name() == "flow.confirm");
  t.tap("confirm.submit");
  CHECK(t.has(K::Platform, "sscard_loss_report"));
  CHECK_FALSE(t.ever(K::StartFace));
}

TEST_CASE("ID card: the PIN step is skipped and the resident certifies by face") {
  Pin t;
  t.open_loss();
  t.on(Pin::idcard());
  REQUIRE(t.s->screen_name() == "flow.consent");
  CHECK(t.run().step_number() == 2);
  CHECK(t.run().step_count() == 9 - 1);  // everything but the PIN
  t.tap("consent.agree");
  CHECK(t.has(K::StartFace));
  CHECK_FALSE(t.ever(Effect::Kind::VerifyPin));
  // A late pin.result (nothing asked) changes nothing.
  t.answer("ok");
  CHECK(t.s->screen_name() == "flow.face");
  CHECK_FALSE(t.run().pin_verified());
}

TEST_CASE("wrong PIN: keypad cleared, tries left said; the card's last try locks it") {
  Pin t;
  t.open_loss();
  t.on(Pin::sscard());
  t.to_verify();
  t.answer("wrong tries=2");
  CHECK(t.s->screen_name() == "flow.pin");
  CHECK(t.run().phase() == Phase::Step);
  CHECK(t.run().hint_key() == "pin.wrong.2");  // 「密码错误，还可以再试2次」
  CHECK(t.has(K::Speak, "pin.wrong.2"));
  CHECK(t.run().pin_length() == 0);
  CHECK(t.s->data().pin.empty());
  CHECK_FALSE(t.s->paused());

  t.to_verify();
  t.answer("wrong tries=1");
  CHECK(t.run().hint_key() == "pin.wrong.1");

  t.to_verify();
  t.answer("wrong tries=0");
  REQUIRE(t.s->screen_name() == "flow.pin_blocked");
  CHECK(t.run().message_key() == "pin.blocked.body");
  CHECK(t.has(K::Speak, "pin.blocked.body_spoken"));
  CHECK(t.s->data().pin.empty());

  // No further attempts: the keypad is gone and back ends the visit (wiped), it does not re-offer the PIN.
  t.tap("pin.1");
  t.tap("pin.ok");
  CHECK_FALSE(t.has(Effect::Kind::VerifyPin));
  t.tap("nav.back");
  CHECK(t.s->screen_name() == "home");
  CHECK(t.has(K::WipeSessionData));
  CHECK(t.s->data().identity.empty());
}

TEST_CASE("blocked card at the first try; finish goes home and wipes") {
  Pin t;
  t.open_loss();
  t.on(Pin::sscard());
  t.to_verify();
  t.answer("blocked");
  REQUIRE(t.s->screen_name() == "flow.pin_blocked");
  CHECK(t.run().message_key() == "pin.blocked.body");
  t.tap("flow.finish");
  CHECK(t.s->screen_name() == "home");
  CHECK(t.has(K::WipeSessionData));
}

TEST_CASE("max_attempts caps wrong PINs per visit below the card's own counter") {
  flow::FlowSet set;
  set.add(flow::parse_flow(R"(
[flow]
id = "activate"
items = ["KS-B024"]
[[step]]
kind = "identify"
sources = ["sscard"]
[[step]]
kind = "pin"
max_attempts = 2
[[step]]
kind = "confirm"
[[step]]
kind = "submit"
operation = "sscard_loss_report"
[[step]]
kind = "end"
)",
                           "activate.toml"));
  Pin t(std::move(set));
  t.open_loss();
  // Only SS card holders reach this flow: the PIN counts in the indicator before identification too.
  CHECK(t.run().step_count() == 4);
  t.on(Pin::sscard());
  t.to_verify();
  t.answer("wrong tries=9");
  CHECK(t.run().hint_key() == "pin.wrong.1");  // the card allows 9, this visit 1 more
  t.to_verify();
  t.answer("wrong tries=8");
  REQUIRE(t.s->screen_name() == "flow.pin_blocked");
  CHECK(t.run().message_key() == "pin.limit.body");
}

TEST_CASE("card pulled mid-PIN or while verifying: session ends, digits and identity wiped") {
  SECTION("while typing") {
    Pin t;
    t.open_loss();
    t.on(Pin::sscard());
    t.type("123");
    REQUIRE(t.s->data().pin == "123");
    core::DeviceEvent out;
    out.kind = core::DeviceEvent::Kind::SsCardRemoved;
    out.device = "sscard";
    t.on(out);
    CHECK(t.s->screen_name() == "home");
    CHECK(t.s->notice() == "notice.card_removed");
    CHECK(t.s->data().pin.empty());
    CHECK(t.s->data().identity.empty());
  }
  SECTION("while the card verifies; its late answer is ignored") {
    Pin t;
    t.open_loss();
    t.on(Pin::sscard());
    t.to_verify();
    core::DeviceEvent out;
    out.kind = core::DeviceEvent::Kind::SsCardRemoved;
    out.device = "sscard";
    t.on(out);
    CHECK(t.s->screen_name() == "home");
    CHECK(t.s->data().pin.empty());
    t.answer("no_card");
    CHECK(t.s->screen_name() == "home");
    CHECK(t.s->notice() == "notice.card_removed");
  }
}

TEST_CASE("no card / reader error answers: explained, retry returns to an empty keypad") {
  for (std::string arg : {"no_card", "error reason=card", "error", "garbage words"}) {
    Pin t;
    t.open_loss();
    t.on(Pin::sscard());
    t.to_verify();
    t.answer(arg);
    REQUIRE(t.s->screen_name() == "flow.error");
    CHECK(t.run().message_key() == (arg == "no_card" ? "pin.error.no_card" : "pin.error.card"));
    CHECK(t.run().can_retry());
    CHECK(t.s->data().pin.empty());
    t.tap("flow.retry");
    CHECK(t.s->screen_name() == "flow.pin");
    CHECK(t.run().pin_length() == 0);
  }
}

TEST_CASE("back from the PIN keypad wipes the typed digits") {
  Pin t;
  t.open_loss();
  t.on(Pin::sscard());
  t.type("4242");
  t.tap("nav.back");  // nothing before the PIN to go back to: the flow is left
  CHECK(t.s->screen_name() == "guide");
  CHECK(t.s->data().pin.empty());
}

TEST_CASE("only_for / skip_if_verified: loader rules with file:line") {
  auto load = [](const std::string& steps) {
    return flow::parse_flow(
        "[flow]\nid = \"x\"\nitems = [\"KS-B024\"]\n" + steps + "[[step]]\nkind = \"end\"\n", "x.toml");
  };
  const std::string identify = "[[step]]\nkind = \"identify\"\nsources = [\"idcard\", \"sscard\"]\n";
  CHECK_NOTHROW(load(identify + "[[step]]\nkind = \"pin\"\nonly_for = [\"sscard\"]\n"
                                "[[step]]\nkind = \"consent\"\nskip_if_verified = true\n"
                                "[[step]]\nkind = \"face\"\nskip_if_verified = true\n"));
  auto err = [&](const std::string& steps) {
    try {
      load(steps);
    } catch (const flow::FlowLoadError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(err(identify + "[[step]]\nkind = \"consent\"\nonly_for = [\"qr\"]\n"),
             Catch::Contains("x.toml:7") && Catch::Contains("'qr', which the identify step does not accept"));
  CHECK_THAT(err(identify + "[[step]]\nkind = \"consent\"\nonly_for = [\"passport\"]\n"),
             Catch::Contains("unknown identity source 'passport'"));
  CHECK_THAT(err(identify + "[[step]]\nkind = \"consent\"\nskip_if_verified = true\n"),
             Catch::Contains("skip_if_verified needs a pin step before it"));
  CHECK_THAT(
      err(identify + "[[step]]\nkind = \"pin\"\n[[step]]\nkind = \"confirm\"\nskip_if_verified = true\n"),
      Catch::Contains("consent and face steps only"));
  CHECK_THAT(err(identify + "[[step]]\nkind = \"pin\"\nskip_if_verified = \"yes\"\n"),
             Catch::Contains("skip_if_verified must be true or false"));
  CHECK_THAT(err("[[step]]\nkind = \"identify\"\nsources = [\"idcard\"]\n[[step]]\nkind = \"pin\"\n"),
             Catch::Contains("identify must accept \"sscard\""));
  CHECK_THAT(err(identify + "[[step]]\nkind = \"pin\"\nonly_for = [\"idcard\"]\n"),
             Catch::Contains("only_for = [\"sscard\"]"));
  CHECK_THAT(
      err(identify + "[[step]]\nkind = \"pin\"\n[[step]]\nkind = \"consent\"\nskip_if_verified = true\n"
                     "[[step]]\nkind = \"face\"\n"),
      Catch::Contains("face capture could run where its consent step is skipped"));
  CHECK_THAT(
      err(identify + "[[step]]\nkind = \"consent\"\nonly_for = [\"idcard\"]\n[[step]]\nkind = \"face\"\n"),
      Catch::Contains("face capture could run where its consent step is skipped"));
}

TEST_CASE("every PIN message the flow can show or speak exists in Chinese and English") {
  // Only this area's files (the whole folder is other engineers' work in progress too).
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("pin-strings-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const char* f : {"pin.zh-CN.toml", "pin.en.toml"})
    fs::copy_file(fs::path(core::source_config_dir()) / "strings" / f, dir / f,
                  fs::copy_options::overwrite_existing);
  core::Strings strings;
  strings.load_dir(dir.string());
  fs::remove_all(dir);
  std::vector<std::string> keys = {"pin.verifying", "pin.wrong.more", "pin.blocked.title"};
  for (int n = 1; n <= 5; ++n) keys.push_back("pin.wrong." + std::to_string(n));
  for (const char* k : {"pin.blocked.body", "pin.limit.body", "pin.error.no_card", "pin.error.card"}) {
    keys.push_back(k);
    keys.push_back(std::string(k) + "_spoken");  // Error/PinBlocked screens speak message_key + "_spoken"
  }
  for (auto& k : keys)
    for (const char* lang : {"zh-CN", "en"}) {
      INFO(lang << " " << k);
      CHECK(strings.has(lang, k));
    }
  CHECK(strings.get("zh-CN", "pin.wrong.2") == "密码错误，还可以再试2次");
}
