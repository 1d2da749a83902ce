// The real CurlPlatformClient against the real simulator over HTTP on 127.0.0.1: every endpoint,
// every fault, retry policy, size limits, exactly-once by idempotency key.
#include <catch2/catch.hpp>

#include "kiosk/platform/curl_client.hpp"
#include "kiosk/platform/messages.hpp"
#include "kiosk/platform/sim/platform_sim.hpp"

using namespace kiosk::platform;
using namespace std::chrono_literals;

namespace {
const std::string kZhang = "410105195803120011";  // 河南郑州, pension, certification due
const std::string kLi = "130102196005210029";     // 河北石家庄 (cross-province for a Henan terminal)
const std::string kWang = "440303196508080035";   // 广东深圳, working, housing fund
const std::string kZhao = "130105195511200063";   // card already reported lost

ClientConfig test_config(const std::string& url) {
  ClientConfig c;
  c.base_url = url;
  c.production = false;
  c.terminal_id = "T-TEST-01";
  c.terminal_region = "410100";
  c.connect_timeout = 500ms;
  c.total_timeout = 2000ms;
  c.backoff_base = 10ms;
  c.backoff_max = 40ms;
  c.max_attempts = 3;
  return c;
}

struct Fixture {
  sim::PlatformSim sim;
  CurlPlatformClient client;
  Fixture() : sim(), client((sim.start(), test_config(sim.url()))) {}
  template <class Body>
  Response send(Endpoint e, const Body& b) {
    return call(client, make_request(e, "T-TEST-01", b));
  }
};

CertificationSubmitRequest certification(const std::string& id, const std::string& name,
                                         const std::string& region) {
  CertificationSubmitRequest c;
  c.item_code = "RS-001";
  c.id_number = id;
  c.name = name;
  c.insured_region = region;
  c.face_image_base64 = "/9j/4AAQSkZJRgABAQ==";
  c.face_quality = 0.92;
  c.liveness = {true, 0.96, {"blink", "turn_left"}};
  return c;
}
}  // namespace

TEST_CASE_METHOD(Fixture, "identity check routes a cross-province resident to the insured region") {
  auto r = send(Endpoint::IdentityCheck, IdentityCheckRequest{"resident_id_card", kLi, "李秀英"});
  REQUIRE(r.ok());
  CHECK(r.http_status == 200);
  CHECK(r.reply.transaction_number.rfind("YW410100", 0) == 0);
  std::string err;
  auto id = parse_identity_check_result(r.reply.data, err);
  REQUIRE(id);
  CHECK(id->matched);
  CHECK(id->insured_region == "130100");
  CHECK(id->insured_region_name == "河北省石家庄市");
  CHECK(id->cross_province);
  auto local = send(Endpoint::IdentityCheck, IdentityCheckRequest{"resident_id_card", kZhang, "张建国"});
  REQUIRE(local.ok());
  CHECK_FALSE(parse_identity_check_result(local.reply.data, err)->cross_province);

  auto wrong = send(Endpoint::IdentityCheck, IdentityCheckRequest{"resident_id_card", kLi, "李四"});
  CHECK(wrong.error.kind == ErrorKind::Rejected);
  CHECK(wrong.reply.code == "IDENTITY_MISMATCH");
  auto unknown =
      send(Endpoint::IdentityCheck, IdentityCheckRequest{"resident_id_card", "11010119900307001X", "某"});
  CHECK(unknown.reply.code == "NOT_FOUND");
  CHECK_FALSE(unknown.reply.message.empty());
}

TEST_CASE_METHOD(Fixture, "certification submit: certified once, replayed on the same key") {
  auto req = make_request(Endpoint::CertificationSubmit, "T-TEST-01", certification(kLi, "李秀英", "130100"));
  auto r = call(client, req);
  REQUIRE(r.ok());
  std::string err;
  auto c = parse_certification_result(r.reply.data, err);
  REQUIRE(c);
  CHECK(c->status == "certified");
  CHECK(c->valid_until.size() == 10);
  CHECK(sim.certification_status(kLi) == "certified");
  // Same idempotency key again (a retry after a lost reply): same transaction number, no new effect.
  req.request_id = new_request_id();
  auto again = call(client, req);
  REQUIRE(again.ok());
  CHECK(again.reply.replayed);
  CHECK(again.reply.transaction_number == r.reply.transaction_number);
  CHECK(sim.certifications_for(kLi) == 1);
  CHECK(sim.applied_count(req.idempotency_key) == 1);

  auto region = send(Endpoint::CertificationSubmit, certification(kZhang, "张建国", "130100"));
  CHECK(region.reply.code == "REGION_MISMATCH");
  auto not_eligible = send(Endpoint::CertificationSubmit, certification(kWang, "王志强", "440300"));
  CHECK(not_eligible.reply.code == "NOT_ELIGIBLE");
  auto spoof = certification(kZhang, "张建国", "410100");
  spoof.liveness = {false, 0.2, {"blink"}};
  auto rejected = send(Endpoint::CertificationSubmit, spoof);
  REQUIRE(rejected.ok());
  CHECK(parse_certification_result(rejected.reply.data, err)->status == "rejected");
}

TEST_CASE_METHOD(Fixture, "record queries return printable tables for each record kind") {
  std::string err;
  for (auto kind : {RecordKind::RightsRecord, RecordKind::InsuredCertificate, RecordKind::Contributions,
                    RecordKind::HousingFund}) {
    auto r = send(Endpoint::RecordQuery, RecordQueryRequest{kWang, kind, 0});
    REQUIRE(r.ok());
    auto t = parse_record_table(r.reply.data, err);
    REQUIRE(t);
    CHECK(t->kind == to_string(kind));
    CHECK_FALSE(t->title.empty());
    CHECK_FALSE(t->rows.empty());
    CHECK_FALSE(t->summary.empty());
  }
  auto contrib = send(Endpoint::RecordQuery, RecordQueryRequest{kWang, RecordKind::Contributions, 2015});
  auto t = parse_record_table(contrib.reply.data, err);
  REQUIRE(t);
  CHECK(t->rows.size() == 36);  // 12 months x 3 insurances
  CHECK(t->rows[0][0] == "2015-01");
  CHECK(t->rows[0][5] == "广东省深圳市");
  auto no_fund = send(Endpoint::RecordQuery, RecordQueryRequest{kLi, RecordKind::HousingFund, 0});
  CHECK(no_fund.reply.code == "NOT_FOUND");
}

TEST_CASE_METHOD(Fixture, "certificate issue: data with verification code, or a PDF") {
  std::string err;
  auto data = send(Endpoint::CertificateIssue,
                   CertificateIssueRequest{kZhang, RecordKind::InsuredCertificate, false});
  REQUIRE(data.ok());
  auto c = parse_certificate_result(data.reply.data, err);
  REQUIRE(c);
  CHECK(c->verification_code.size() == 12);
  CHECK(c->certificate_no.rfind("ZM", 0) == 0);
  CHECK(c->pdf_base64.empty());
  CHECK(c->record.title == "个人社保参保证明");
  auto pdf =
      send(Endpoint::CertificateIssue, CertificateIssueRequest{kZhang, RecordKind::InsuredCertificate, true});
  REQUIRE(pdf.ok());
  auto p = parse_certificate_result(pdf.reply.data, err);
  REQUIRE(p);
  CHECK(p->pdf_base64.rfind("JVBERi0xLj", 0) == 0);  // "%PDF-1."
}

TEST_CASE_METHOD(Fixture, "SS card temporary loss report") {
  std::string err;
  auto r = send(Endpoint::SsCardLossReport, SsCardLossReportRequest{kWang, "C44030391"});
  REQUIRE(r.ok());
  CHECK(parse_loss_report_result(r.reply.data, err)->card_status == "temporarily_lost");
  CHECK(sim.sscard_status(kWang) == "temporarily_lost");
  CHECK(send(Endpoint::SsCardLossReport, SsCardLossReportRequest{kZhao, ""}).reply.code == "ALREADY_LOST");
  CHECK(send(Endpoint::SsCardLossReport, SsCardLossReportRequest{kZhang, "X"}).reply.code == "CARD_MISMATCH");
}

TEST_CASE_METHOD(Fixture, "e-voucher resolve: medical voucher, e-SS card, expired, invalid") {
  std::string err;
  auto mv =
      send(Endpoint::VoucherResolve, VoucherResolveRequest{"MV-440303-0b6e2d7c48f19a35", "medical_voucher"});
  REQUIRE(mv.ok());
  auto who = parse_voucher_identity(mv.reply.data, err);
  REQUIRE(who);
  CHECK(who->id_number == kWang);
  CHECK(who->insured_region == "440300");
  auto es = send(Endpoint::VoucherResolve, VoucherResolveRequest{"ES-130102-c41d8e2b99a07f16", "e_sscard"});
  REQUIRE(es.ok());
  CHECK(parse_voucher_identity(es.reply.data, err)->name == "李秀英");
  CHECK(send(Endpoint::VoucherResolve, VoucherResolveRequest{"MV-130105-expired000000000", "medical_voucher"})
            .reply.code == "VOUCHER_EXPIRED");
  CHECK(send(Endpoint::VoucherResolve, VoucherResolveRequest{"nope", "medical_voucher"}).reply.code ==
        "VOUCHER_INVALID");
}

TEST_CASE_METHOD(Fixture, "case lookup, rating, catalog, staff call, heartbeat") {
  std::string err;
  auto cases = send(Endpoint::CaseLookup, CaseLookupRequest{kLi, ""});
  REQUIRE(cases.ok());
  auto list = parse_cases(cases.reply.data, err);
  REQUIRE(list);
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].status == "in_progress");
  CHECK(send(Endpoint::CaseLookup, CaseLookupRequest{"", "BJ26093051010008"}).ok());
  CHECK(send(Endpoint::CaseLookup, CaseLookupRequest{"", "BJ000"}).reply.code == "NOT_FOUND");

  auto cert = send(Endpoint::IdentityCheck, IdentityCheckRequest{"resident_id_card", kZhang, "张建国"});
  auto rate = send(Endpoint::Rating, RatingRequest{cert.reply.transaction_number, 5, "很方便"});
  REQUIRE(rate.ok());
  CHECK(sim.ratings_for(cert.reply.transaction_number) == 1);
  CHECK(send(Endpoint::Rating, RatingRequest{cert.reply.transaction_number, 4, ""}).reply.code ==
        "ALREADY_RATED");
  CHECK(send(Endpoint::Rating, RatingRequest{"YW0", 4, ""}).reply.code == "NOT_FOUND");

  auto cat = send(Endpoint::Catalog, CatalogRequest{"410100", 0});
  REQUIRE(cat.ok());
  auto items = parse_catalog_result(cat.reply.data, err);
  REQUIRE(items);
  CHECK(items->version == 3);
  CHECK(items->items.size() == 9);
  CHECK(parse_catalog_result(send(Endpoint::Catalog, CatalogRequest{"410100", 3}).reply.data, err)
            ->items.empty());

  auto staff = send(Endpoint::StaffCall, StaffCallRequest{"elder_assist", "A区3号机"});
  REQUIRE(staff.ok());
  CHECK(parse_staff_call_result(staff.reply.data, err)->ticket.rfind("HJ", 0) == 0);

  auto hb = send(Endpoint::Heartbeat, HeartbeatRequest{"idle", 2, 3600});
  REQUIRE(hb.ok());
  CHECK(parse_heartbeat_result(hb.reply.data, err)->config_version == 3);
  // libcurl offered compressed encodings (the sim compresses JSON replies).
  CHECK(sim.stats().last_accept_encoding.find("gzip") != std::string::npos);
}

TEST_CASE_METHOD(Fixture, "faults: 5xx and 429 are retried with backoff, then succeed") {
  sim.inject(Endpoint::RecordQuery, {sim::Fault::Kind::Status, 0, 503}, 1);
  sim.inject(Endpoint::RecordQuery, {sim::Fault::Kind::Status, 0, 429}, 1);
  auto r = send(Endpoint::RecordQuery, RecordQueryRequest{kZhang, RecordKind::InsuredCertificate, 0});
  REQUIRE(r.ok());
  CHECK(r.attempts == 3);
  CHECK(sim.stats().faults == 2);
}

TEST_CASE_METHOD(Fixture, "faults: persistent 5xx ends as a typed Server error after max attempts") {
  sim.inject(std::nullopt, {sim::Fault::Kind::Status, 0, 502}, 10);
  auto r = send(Endpoint::Heartbeat, HeartbeatRequest{});
  CHECK(r.error.kind == ErrorKind::Server);
  CHECK(r.http_status == 502);
  CHECK(r.attempts == 3);
  CHECK_FALSE(explain(r.error.kind).zh.empty());
}

TEST_CASE_METHOD(Fixture, "faults: a request without key to a side-effecting endpoint is never retried") {
  sim.inject(Endpoint::StaffCall, {sim::Fault::Kind::Status, 0, 503}, 5);
  auto req = make_request(Endpoint::StaffCall, "T-TEST-01", StaffCallRequest{"help", ""});
  req.idempotency_key.clear();
  auto r = call(client, req);
  CHECK(r.error.kind == ErrorKind::Server);
  CHECK(r.attempts == 1);
  CHECK(sim.stats().requests["staff_call"] == 1);
}

TEST_CASE_METHOD(Fixture, "faults: latency within the timeout is fine") {
  sim.inject(Endpoint::Catalog, {sim::Fault::Kind::Latency, 300, 0}, 1);
  auto r = send(Endpoint::Catalog, CatalogRequest{});
  REQUIRE(r.ok());
  CHECK(r.attempts == 1);
  CHECK(r.elapsed >= 300ms);
}

TEST_CASE_METHOD(Fixture,
                 "faults: timeout, then the retry of a keyed submit is answered from the first commit") {
  sim.inject(Endpoint::CertificationSubmit, {sim::Fault::Kind::Timeout, 2500, 0}, 1);
  auto req =
      make_request(Endpoint::CertificationSubmit, "T-TEST-01", certification(kZhang, "张建国", "410100"));
  auto r = call(client, req);
  REQUIRE(r.ok());
  CHECK(r.attempts == 2);
  CHECK(sim.applied_count(req.idempotency_key) == 1);
  CHECK(sim.certifications_for(kZhang) == 1);
}

TEST_CASE_METHOD(Fixture, "faults: timeout on every attempt is a typed Timeout") {
  sim.inject(Endpoint::Heartbeat, {sim::Fault::Kind::Timeout, 2500, 0}, 3);
  auto cfg = test_config(sim.url());
  cfg.total_timeout = 200ms;
  cfg.max_attempts = 2;
  CurlPlatformClient fast(cfg);
  auto r = call(fast, make_request(Endpoint::Heartbeat, "T", HeartbeatRequest{}));
  CHECK(r.error.kind == ErrorKind::Timeout);
  CHECK(r.attempts == 2);
}

TEST_CASE_METHOD(Fixture,
                 "faults: malformed JSON and dropped connections after commit are retried exactly once") {
  sim.inject(Endpoint::CertificationSubmit, {sim::Fault::Kind::Malformed, 0, 0}, 1);
  sim.inject(Endpoint::CertificationSubmit, {sim::Fault::Kind::Drop, 0, 0}, 1);
  auto req = make_request(Endpoint::CertificationSubmit, "T-TEST-01", certification(kLi, "李秀英", "130100"));
  auto r = call(client, req);
  REQUIRE(r.ok());
  CHECK(r.attempts == 3);
  CHECK(r.reply.replayed);
  CHECK(sim.stats().replays == 2);
  CHECK(sim.certifications_for(kLi) == 1);

  sim.inject(std::nullopt, {sim::Fault::Kind::Malformed, 0, 0}, 3);
  auto bad = send(Endpoint::Heartbeat, HeartbeatRequest{});
  CHECK(bad.error.kind == ErrorKind::Malformed);
  sim.inject(std::nullopt, {sim::Fault::Kind::Drop, 0, 0}, 3);
  auto dropped = send(Endpoint::Heartbeat, HeartbeatRequest{});
  CHECK(dropped.error.kind == ErrorKind::Dropped);
}

TEST_CASE_METHOD(Fixture, "response size limit is enforced") {
  auto cfg = test_config(sim.url());
  cfg.max_response_bytes = 2048;
  cfg.max_attempts = 1;
  CurlPlatformClient small(cfg);
  auto r = call(small, make_request(Endpoint::RecordQuery, "T",
                                    RecordQueryRequest{kWang, RecordKind::Contributions, 0}));
  CHECK(r.error.kind == ErrorKind::TooLarge);
}

TEST_CASE("offline: nothing listening is a typed Offline error, quickly") {
  int port = 0;
  {
    sim::PlatformSim s;
    s.start();
    port = s.port();
  }  // stopped: the port is closed now
  auto cfg = test_config("http://127.0.0.1:" + std::to_string(port));
  cfg.max_attempts = 2;
  CurlPlatformClient c(cfg);
  auto r = call(c, make_request(Endpoint::Heartbeat, "T", HeartbeatRequest{}));
  CHECK(r.error.kind == ErrorKind::Offline);
  CHECK(r.attempts == 2);
  CHECK(r.elapsed < 1500ms);
}

TEST_CASE_METHOD(Fixture, "many concurrent requests on one network thread") {
  std::vector<std::future<Response>> futs;
  std::atomic<int> oks{0};
  std::promise<void> all;
  std::atomic<int> left{40};
  for (int i = 0; i < 40; ++i)
    client.submit(make_request(Endpoint::IdentityCheck, "T",
                               IdentityCheckRequest{"resident_id_card", kZhang, "张建国"}),
                  [&](Response r) {
                    if (r.ok()) oks++;
                    if (--left == 0) all.set_value();
                  });
  REQUIRE(all.get_future().wait_for(10s) == std::future_status::ready);
  CHECK(oks == 40);
  CHECK(client.in_flight() == 0);
}

TEST_CASE("a client shut down with requests outstanding completes them as Cancelled") {
  sim::PlatformSim s;
  s.start();
  s.inject(std::nullopt, {sim::Fault::Kind::Latency, 1500, 0}, 1);
  std::promise<Response> p;
  {
    CurlPlatformClient c(test_config(s.url()));
    c.submit(make_request(Endpoint::Heartbeat, "T", HeartbeatRequest{}), [&](Response r) { p.set_value(r); });
    std::this_thread::sleep_for(100ms);
  }
  auto f = p.get_future();
  REQUIRE(f.wait_for(1s) == std::future_status::ready);
  CHECK(f.get().error.kind == ErrorKind::Cancelled);
}
