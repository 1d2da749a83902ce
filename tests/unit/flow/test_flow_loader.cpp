#include <catch2/catch.hpp>

#include "kiosk/core/catalog.hpp"
#include "kiosk/core/config.hpp"
#include "kiosk/core/strings.hpp"
#include "kiosk/flow/flow.hpp"

using namespace kiosk;
using flow::FlowLoadError;
using flow::parse_flow;

namespace {
std::string error_of(const std::string& text) {
  try {
    parse_flow(text, "t.toml");
  } catch (const FlowLoadError& e) {
    return e.what();
  }
  return "";
}
const char* kHead = "[flow]\nid = \"x\"\nitems = [\"KS-A013\"]\n";
}  // namespace

TEST_CASE("a minimal flow parses with default string keys") {
  auto f = parse_flow(std::string(kHead) +
                          "[[step]]\nkind = \"identify\"\nsources = [\"idcard\"]\n"
                          "[[step]]\nkind = \"query\"\noperation = \"case_lookup\"\n"
                          "[[step]]\nkind = \"show_result\"\n[[step]]\nkind = \"end\"\n",
                      "t.toml");
  REQUIRE(f.steps.size() == 4);
  CHECK(f.steps[1].title == "flow.query.title");
  CHECK(f.steps[1].instruction == "flow.query.spoken");
  CHECK(f.steps[1].line == 7);  // the [[step]] header
  CHECK(f.numbered_steps() == 3);
  CHECK(f.open_for("410100"));
}

TEST_CASE("loader errors name file and line") {
  CHECK(error_of("[flow]\nid = \"x\"\nitems = [\"A\"]\n[[step]]\nkind = \"selfie\"\n") ==
        "t.toml:4: unknown step kind 'selfie'");
  CHECK(
      error_of(std::string(kHead) + "[[step]]\nkind = \"identify\"\nsources = [\"idcard\"]\ncolour = 1\n") ==
      "t.toml:7: unknown key 'colour' in [[step]]");
  CHECK(error_of("[flow\n").rfind("t.toml:1:", 0) == 0);
  CHECK(error_of(std::string(kHead) + "[[step]]\nkind = \"identify\"\nsources = [\"idcard\"]\n") ==
        "t.toml:4: the last step must be kind = \"end\"");
}

TEST_CASE("the loader enforces the service rules") {
  // Face capture without consent.
  CHECK(error_of(std::string(kHead) +
                 "[[step]]\nkind = \"identify\"\nsources = [\"idcard\"]\n[[step]]\nkind = \"face\"\n"
                 "[[step]]\nkind = \"end\"\n") == "t.toml:7: face capture needs a consent step before it");
  // A submission without review-and-confirm.
  CHECK(error_of(std::string(kHead) +
                 "[[step]]\nkind = \"identify\"\nsources = [\"sscard\"]\n[[step]]\nkind = \"submit\"\n"
                 "operation = \"sscard_loss_report\"\n[[step]]\nkind = \"end\"\n") ==
        "t.toml:7: submit needs a confirm (review-and-confirm) step before it");
  // Personal steps need an identity first.
  CHECK(error_of(std::string(kHead) + "[[step]]\nkind = \"consent\"\n[[step]]\nkind = \"end\"\n") ==
        "t.toml:4: step 'consent' needs an identify step before it");
  CHECK(error_of(std::string(kHead) + "[[step]]\nkind = \"identify\"\nsources = [\"fax\"]\n"
                                      "[[step]]\nkind = \"end\"\n") ==
        "t.toml:4: unknown identity source 'fax'");
  CHECK(error_of(
            "[flow]\nid = \"x\"\nitems = [\"A\"]\nclosed_provinces = [\"5\"]\n[[step]]\nkind = \"end\"\n") ==
        "t.toml:1: province codes are 2 digits, got '5'");
}

TEST_CASE("an item served by two flows is refused") {
  flow::FlowSet set;
  std::string doc = std::string(kHead) + "[[step]]\nkind = \"rate\"\n[[step]]\nkind = \"end\"\n";
  set.add(parse_flow(doc, "a.toml"));
  CHECK_THROWS_WITH(set.add(parse_flow(doc, "b.toml")),
                    "b.toml:1: item KS-A013 already has flow 'x' (a.toml)");
}

TEST_CASE("the shipped flows load and every text exists in zh-CN and en") {
  auto dir = core::source_config_dir();
  auto set = flow::FlowSet::load_dir(dir + "/flows");
  core::Strings strings;
  strings.load_dir(dir + "/strings");
  core::Catalog catalog;
  catalog.load_dir(dir + "/catalog");
  auto problems = set.check(strings, catalog);
  for (auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
  for (const char* code : {"KS-A013", "KS-A014", "KS-B017", "KS-B018"}) CHECK(set.for_item(code));
  const auto* cert = set.for_item("KS-A013");
  REQUIRE(cert);
  CHECK_FALSE(cert->open_for("510104"));  // 四川: not open for remote certification (demo config)
  CHECK(cert->open_for("130100"));
}

TEST_CASE("check() reports texts missing from a language") {
  flow::FlowSet set;
  set.add(parse_flow(std::string(kHead) + "[[step]]\nkind = \"rate\"\ntitle = \"flow.nope\"\n"
                                          "[[step]]\nkind = \"end\"\n",
                     "t.toml"));
  core::Strings strings;
  strings.load_dir(core::source_config_dir() + "/strings");
  core::Catalog catalog;
  catalog.load_dir(core::source_config_dir() + "/catalog");
  auto problems = set.check(strings, catalog);
  CHECK(std::find(problems.begin(), problems.end(), "t.toml:4: string 'flow.nope' missing in zh-CN") !=
        problems.end());
}
