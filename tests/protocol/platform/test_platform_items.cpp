// The resident items added on the platform side (certificate_query, registration_submit, the tax and
// housing-loan certificates, case lookup by number): the real libcurl client against the real simulator.
#include <catch2/catch.hpp>

#include "kiosk/platform/curl_client.hpp"
#include "kiosk/platform/messages.hpp"
#include "kiosk/platform/sim/platform_sim.hpp"

using namespace kiosk::platform;
using namespace std::chrono_literals;

namespace {
const std::string kZhang = "410105195803120011";  // 河南郑州, retired; 技工/职业资格证书; loan repaid
const std::string kLi = "130102196005210029";    // 河北石家庄, retired; no certificates
const std::string kWang = "440303196508080035";  // 广东深圳, employed; tax paid; loan running
const std::string kZhou = "410105199003150026";  // 河南郑州, unemployed; 就业创业证
const std::string kMa = "410102197506010043";    // 河南郑州, never in employee insurance

struct Fixture {
  sim::PlatformSim sim;
  CurlPlatformClient client;
  static ClientConfig config(const std::string& url) {
    ClientConfig c;
    c.base_url = url;
    c.production = false;
    c.terminal_id = "T-TEST-02";
    c.terminal_region = "410100";
    c.connect_timeout = 500ms;
    c.total_timeout = 2000ms;
    c.backoff_base = 10ms;
    c.backoff_max = 40ms;
    c.max_attempts = 2;
    return c;
  }
  Fixture() : sim(), client((sim.start(), config(sim.url()))) {}
  template <class Body>
  Response send(Endpoint e, const Body& b) {
    return call(client, make_request(e, "T-TEST-02", b));
  }
};

RegistrationSubmitRequest registration(const std::string& kind, const std::string& id,
                                       const std::string& name, const std::string& region,
                                       std::vector<std::pair<std::string, std::string>> choices = {}) {
  RegistrationSubmitRequest r;
  r.item_code = kind == "unemployment" ? "KS-A005" : kind == "resident_pension" ? "KS-D003" : "KS-B061";
  r.kind = kind;
  r.id_number = id;
  r.name = name;
  r.insured_region = region;
  r.choices = std::move(choices);
  return r;
}
}  // namespace

TEST_CASE_METHOD(Fixture, "certificate_query lists the holder's certificates with a verification code") {
  auto r = send(Endpoint::CertificateQuery, CertificateQueryRequest{"skill_qualification", kZhang, ""});
  REQUIRE(r.ok());
  std::string err;
  auto res = parse_certificate_query_result(r.reply.data, err);
  REQUIRE(res);
  REQUIRE(res->certificates.size() == 1);
  CHECK(res->certificates[0].certificate_no == "41011995032117");
  CHECK(res->certificates[0].issuer == "河南省职业技能鉴定指导中心");
  CHECK(res->certificates[0].issued_on == "1995-11-20");
  CHECK(res->certificates[0].holder == "张建国");
  CHECK(res->verification_code.size() == 8);
  CHECK(res->verify_url.find(res->verification_code) != std::string::npos);
  CHECK_FALSE(res->record.summary.empty());
  CHECK(res->record.rows.size() == 1);

  // Verification by certificate number (核验): the holder's name comes back masked.
  auto by_no =
      send(Endpoint::CertificateQuery, CertificateQueryRequest{"skill_qualification", "", "41011995032117"});
  REQUIRE(by_no.ok());
  auto v = parse_certificate_query_result(by_no.reply.data, err);
  REQUIRE(v);
  REQUIRE(v->certificates.size() == 1);
  CHECK(v->certificates[0].holder == "张*国");

  // The same number under another kind, or a person without any: NOT_FOUND in words.
  auto wrong_kind =
      send(Endpoint::CertificateQuery, CertificateQueryRequest{"skill_level", "", "41011995032117"});
  CHECK(wrong_kind.reply.code == "NOT_FOUND");
  auto none = send(Endpoint::CertificateQuery, CertificateQueryRequest{"technical_school", kLi, ""});
  CHECK(none.reply.code == "NOT_FOUND");
  CHECK(none.reply.message.find("技工院校毕业证书") != std::string::npos);

  // An expired 就业创业证 is listed with its status.
  auto zhou = send(Endpoint::CertificateQuery, CertificateQueryRequest{"employment_card", kZhou, ""});
  REQUIRE(zhou.ok());
  auto z = parse_certificate_query_result(zhou.reply.data, err);
  REQUIRE(z);
  CHECK(z->certificates.at(0).status == "valid");

  // A malformed request is a 400 with a reason, not a crash.
  Request bad =
      make_request(Endpoint::CertificateQuery, "T-TEST-02", CertificateQueryRequest{"diploma", kZhang, ""});
  auto rb = call(client, bad);
  CHECK(rb.http_status == 400);
  CHECK(rb.reply.code == "BAD_REQUEST");
}

TEST_CASE_METHOD(Fixture, "tax payment and housing loan clearance certificates") {
  auto tax = send(Endpoint::CertificateIssue, CertificateIssueRequest{kWang, RecordKind::TaxPayment, false});
  REQUIRE(tax.ok());
  std::string err;
  auto t = parse_certificate_result(tax.reply.data, err);
  REQUIRE(t);
  CHECK(t->record.rows.size() == 3);
  CHECK_FALSE(t->verification_code.empty());
  bool total = false;
  for (auto& [label, value] : t->record.summary)
    total = total || (label == "合计金额" && value == "3885.00 元");
  CHECK(total);
  CHECK(send(Endpoint::CertificateIssue, CertificateIssueRequest{kZhang, RecordKind::TaxPayment, false})
            .reply.code == "NOT_FOUND");
  CHECK(send(Endpoint::RecordQuery, RecordQueryRequest{kWang, RecordKind::TaxPayment, 0}).ok());

  auto repaid = send(Endpoint::CertificateIssue,
                     CertificateIssueRequest{kZhang, RecordKind::HousingLoanClearance, true});
  REQUIRE(repaid.ok());
  auto c = parse_certificate_result(repaid.reply.data, err);
  REQUIRE(c);
  CHECK(c->pdf_base64.rfind("JVBERi0", 0) == 0);  // "%PDF-"
  auto running = send(Endpoint::CertificateIssue,
                      CertificateIssueRequest{kWang, RecordKind::HousingLoanClearance, false});
  CHECK(running.reply.code == "LOAN_NOT_CLEARED");
  CHECK(
      send(Endpoint::CertificateIssue, CertificateIssueRequest{kLi, RecordKind::HousingLoanClearance, false})
          .reply.code == "NOT_FOUND");
}

TEST_CASE_METHOD(Fixture,
                 "registrations: eligibility rules, once only, and the case is found by its number") {
  auto ok = send(Endpoint::RegistrationSubmit, registration("unemployment", kZhou, "周敏", "410100"));
  REQUIRE(ok.ok());
  std::string err;
  auto res = parse_registration_result(ok.reply.data, err);
  REQUIRE(res);
  CHECK(res->status == "registered");
  REQUIRE(res->case_no.size() == 16);
  CHECK(res->case_no.rfind("BJ", 0) == 0);
  CHECK(ok.reply.transaction_number.rfind("YW410100", 0) == 0);

  // Typed digits (without "BJ") and the full number both find the case, without any identity.
  for (std::string no : {res->case_no, res->case_no.substr(2)}) {
    auto lookup = send(Endpoint::CaseLookup, CaseLookupRequest{"", no});
    REQUIRE(lookup.ok());
    auto cases = parse_cases(lookup.reply.data, err);
    REQUIRE(cases);
    REQUIRE(cases->size() == 1);
    CHECK(cases->at(0).item_name == "失业登记");
    CHECK(cases->at(0).status == "done");
  }

  auto again = send(Endpoint::RegistrationSubmit, registration("unemployment", kZhou, "周敏", "410100"));
  CHECK(again.reply.code == "ALREADY_REGISTERED");
  CHECK(send(Endpoint::RegistrationSubmit, registration("unemployment", kWang, "王志强", "440300"))
            .reply.code == "NOT_ELIGIBLE");
  CHECK(send(Endpoint::RegistrationSubmit, registration("unemployment", kZhang, "张建国", "410100"))
            .reply.code == "NOT_ELIGIBLE");
  CHECK(send(Endpoint::RegistrationSubmit, registration("unemployment", kZhou, "周小敏", "410100"))
            .reply.code == "IDENTITY_MISMATCH");

  // 城乡居民养老: a grade must be chosen; employees cannot join; accepted for review otherwise.
  CHECK(send(Endpoint::RegistrationSubmit, registration("resident_pension", kMa, "马桂兰", "410100"))
            .reply.code == "BAD_CHOICE");
  CHECK(send(Endpoint::RegistrationSubmit,
             registration("resident_pension", kWang, "王志强", "440300", {{"grade", "500"}}))
            .reply.code == "ALREADY_INSURED");
  auto pension = send(Endpoint::RegistrationSubmit,
                      registration("resident_pension", kMa, "马桂兰", "410100", {{"grade", "500"}}));
  REQUIRE(pension.ok());
  auto p = parse_registration_result(pension.reply.data, err);
  REQUIRE(p);
  CHECK(p->status == "accepted");

  // 异地就医备案: a 河北 resident at a 郑州 terminal; referral filings lapse after six months.
  auto filing = send(Endpoint::RegistrationSubmit,
                     registration("medical_filing", kLi, "李秀英", "130100", {{"filing_type", "referral"}}));
  REQUIRE(filing.ok());
  auto f = parse_registration_result(filing.reply.data, err);
  REQUIRE(f);
  CHECK_FALSE(f->valid_until.empty());
  CHECK(send(Endpoint::RegistrationSubmit,
             registration("medical_filing", kZhang, "张建国", "410100", {{"filing_type", "work_elsewhere"}}))
            .reply.code == "NOT_NEEDED");
  CHECK(send(Endpoint::RegistrationSubmit,
             registration("medical_filing", kWang, "王志强", "440300", {{"filing_type", "holiday"}}))
            .reply.code == "BAD_CHOICE");
}

TEST_CASE_METHOD(Fixture, "a registration is applied once per idempotency key, even when the reply is lost") {
  Request rq = make_request(
      Endpoint::RegistrationSubmit, "T-TEST-02",
      registration("medical_filing", kLi, "李秀英", "130100", {{"filing_type", "long_term_residence"}}));
  sim.inject(Endpoint::RegistrationSubmit, sim::Fault{sim::Fault::Kind::Drop, 0, 0}, 1);
  auto r = call(client, rq);  // dropped reply, retried with the same key: the original answer
  REQUIRE(r.ok());
  CHECK(r.reply.replayed);
  CHECK(sim.applied_count(rq.idempotency_key) == 1);
}
