// Classifier rules (config/qr.toml), bounds, charsets, event mapping and log masking.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "kiosk/core/mask.hpp"
#include "kiosk/qr/payload.hpp"

using namespace kiosk;
using namespace kiosk::qr;

namespace {
Classification cls(const Rules& r, std::string p) {
  return classify(r, p);
}
const std::string kVoucher = "Vh3kQ9mZ2xPp7Lr0Ta8bYc5Wd1Ne6Fg4Hs+/Ju==";
}  // namespace

TEST_CASE("the shipped config/qr.toml parses and equals the built-in defaults") {
  auto r = load_rules(std::string(KIOSK_SOURCE_DIR) + "/config/qr.toml");
  auto d = default_rules();
  CHECK(r.min_length == d.min_length);
  CHECK(r.max_length == d.max_length);
  REQUIRE(r.rules.size() == d.rules.size());  // the disabled e_sscard rule is skipped
  for (std::size_t i = 0; i < r.rules.size(); ++i) {
    CHECK(r.rules[i].name == d.rules[i].name);
    CHECK(r.rules[i].kind == d.rules[i].kind);
    CHECK(r.rules[i].prefixes == d.rules[i].prefixes);
    CHECK(r.rules[i].min_length == d.rules[i].min_length);
    CHECK(r.rules[i].max_length == d.rules[i].max_length);
    CHECK(r.rules[i].charset == d.rules[i].charset);
  }
}

TEST_CASE("default rules: URL, case number, opaque voucher token, unknown") {
  auto r = default_rules();
  CHECK(cls(r, "https://zwfw.henan.gov.cn/x?id=1").kind == PayloadKind::Url);
  CHECK(cls(r, "HTTP://EXAMPLE.ORG/A").kind == PayloadKind::Url);
  CHECK(cls(r, "202611230001").kind == PayloadKind::CaseNumber);
  auto v = cls(r, kVoucher);
  CHECK(v.kind == PayloadKind::MedicalVoucher);
  CHECK(v.rule == "medical-voucher");
  CHECK(cls(r, "hello world, not a token").kind == PayloadKind::Unknown);  // spaces/commas: no rule
  CHECK(cls(r, "abc").reason == "shorter than 4 characters");
  CHECK(cls(r, std::string(3000, 'A')).reason == "longer than 2048 bytes");
}

TEST_CASE("whitespace around a payload is trimmed; control bytes and bad UTF-8 are rejected") {
  auto r = default_rules();
  std::string p = "  " + kVoucher + "\r\n";
  auto c = classify(r, p);
  CHECK(p == kVoucher);
  CHECK(c.kind == PayloadKind::MedicalVoucher);
  CHECK_FALSE(cls(r,
                  "abcd\x01"
                  "efghijklmnopqrstu")
                  .accepted());
  CHECK(cls(r,
            "abcd\x01"
            "efghijklmnopqrstu")
            .reason.find("control") != std::string::npos);
  CHECK_FALSE(cls(r, "\xC3\x28 invalid utf8 here").accepted());
  CHECK_FALSE(cls(r, "\xED\xA0\x80 surrogate").accepted());
}

TEST_CASE("rules from TOML: order, prefixes, length and charset bounds") {
  auto r = parse_rules(R"(
[qr]
min_length = 2
max_length = 100
[[qr.rule]]
name = "hrss"
kind = "e_sscard"
prefixes = ["HRSS:", "ESSC:"]
charset = "printable"
min_length = 10
[[qr.rule]]
kind = "case_number"
charset = "upper_alnum"
min_length = 6
max_length = 8
[[qr.rule]]
name = "off"
kind = "medical_voucher"
enabled = false
)");
  REQUIRE(r.rules.size() == 2);
  CHECK(r.rules[1].name == "rule 2");
  CHECK(cls(r, "ESSC:abc123XYZ").kind == PayloadKind::ESsCard);
  CHECK(cls(r, "essc:abc123XYZ").kind == PayloadKind::Unknown);  // case-sensitive prefix
  CHECK(cls(r, "ESSC:ab").kind == PayloadKind::Unknown);         // too short for the rule
  CHECK(cls(r, "AB-123").kind == PayloadKind::CaseNumber);
  CHECK(cls(r, "ab-123").kind == PayloadKind::Unknown);      // lower case not in upper_alnum
  CHECK(cls(r, "AB-1234567").kind == PayloadKind::Unknown);  // 10 > max 8
}

TEST_CASE("utf8 charset accepts Chinese case text and counts characters, not bytes") {
  auto r = parse_rules(
      "[qr]\n[[qr.rule]]\nkind = \"case_number\"\ncharset = \"utf8\"\nmin_length = 4\nmax_length = 4\n");
  CHECK(cls(r, "办件编号").kind == PayloadKind::CaseNumber);  // 4 characters, 12 bytes
  CHECK(cls(r, "办件编号1").kind == PayloadKind::Unknown);
}

TEST_CASE("bad rule files are rejected with a reason that names the problem") {
  auto err = [](const std::string& text) {
    try {
      parse_rules(text, "t.toml");
    } catch (const RulesError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(err("[qr\n").find("t.toml:1") == 0);
  CHECK(err("x = 1\n") == "t.toml: missing [qr] table");
  CHECK(err("[qr]\nmax_len = 3\n").find("unknown key 'max_len'") != std::string::npos);
  CHECK(err("[qr]\nmin_length = 10\nmax_length = 2\n").find("min_length > max_length") != std::string::npos);
  CHECK(err("[qr]\nmin_length = -1\n").find("must be an integer") != std::string::npos);
  CHECK(err("[qr]\n[[qr.rule]]\nkind = \"passport\"\n").find("unknown kind 'passport'") != std::string::npos);
  CHECK(err("[qr]\n[[qr.rule]]\nname = \"x\"\n").find("rule 1 (x): kind is required") != std::string::npos);
  CHECK(err("[qr]\n[[qr.rule]]\nkind = \"url\"\ncharset = \"emoji\"\n").find("charset must be") !=
        std::string::npos);
  CHECK(err("[qr]\n[[qr.rule]]\nkind = \"url\"\nprefixes = [1]\n").find("prefixes") != std::string::npos);
  CHECK(err("[qr]\n[[qr.rule]]\nkind = \"url\"\nprefix = [\"a\"]\n").find("unknown key 'prefix'") !=
        std::string::npos);
  CHECK(err("[qr]\nrule = 3\n").find("array of tables") != std::string::npos);
  CHECK_THROWS_AS(load_rules("/nonexistent/qr.toml"), RulesError);
}

TEST_CASE("events: national codes become an Identity, other kinds carry the kind in detail") {
  auto r = default_rules();
  std::string p = kVoucher;
  auto c = classify(r, p);
  auto e = make_event(c, p, "scanner");
  CHECK(e.kind == core::DeviceEvent::Kind::QrScanned);
  CHECK(e.device == "scanner");
  CHECK(e.identity.source == core::IdSource::QrVoucher);
  CHECK(e.identity.document == core::DocumentType::MedicalVoucher);
  CHECK(e.identity.token == kVoucher);
  CHECK(e.detail == "medical_voucher");
  CHECK(e.identity.id_number.empty());

  Rule essc{"e", PayloadKind::ESsCard, {"E:"}, false, 1, 100, Charset::Printable};
  Rules r2;
  r2.rules = {essc};
  std::string p2 = "E:token";
  auto e2 = make_event(classify(r2, p2), p2, "camera");
  CHECK(e2.identity.document == core::DocumentType::ESsCard);

  std::string url = "https://example.org/case/1";
  auto e3 = make_event(classify(r, url), url, "scanner");
  CHECK(e3.detail == "url");
  CHECK(e3.identity.token == url);
}

TEST_CASE("log lines for a scan carry the masked token only") {
  auto r = default_rules();
  std::string p = kVoucher;
  auto c = classify(r, p);
  std::ostringstream os;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(os);
  spdlog::logger logger("qr-test", sink);
  logger.info("qr: scanner read {}", describe_for_log(c, p));
  logger.flush();
  const std::string line = os.str();
  CHECK(line.find(kVoucher) == std::string::npos);
  CHECK(line.find(kVoucher.substr(0, 8)) == std::string::npos);
  CHECK(line.find("medical_voucher via medical-voucher tok[" + std::to_string(kVoucher.size()) + "]") !=
        std::string::npos);
  std::string bad = "x\x01yz";
  auto c2 = classify(r, bad);
  CHECK(describe_for_log(c2, bad).find("x\x01yz") == std::string::npos);
}

TEST_CASE("kind and charset names round-trip") {
  for (auto k : {PayloadKind::MedicalVoucher, PayloadKind::ESsCard, PayloadKind::Url, PayloadKind::CaseNumber,
                 PayloadKind::Unknown})
    CHECK(parse_kind(to_string(k)) == k);
  for (auto c : {Charset::Digits, Charset::UpperAlnum, Charset::Alnum, Charset::Base64, Charset::Url,
                 Charset::Printable, Charset::Utf8})
    CHECK(parse_charset(to_string(c)) == c);
  CHECK_FALSE(parse_kind("idcard"));
}
