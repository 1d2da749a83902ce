// The platform codecs: envelopes, typed bodies, limits, backoff and config validation.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "kiosk/platform/client.hpp"
#include "kiosk/platform/messages.hpp"

using namespace kiosk::platform;

TEST_CASE("endpoint table is complete and names round-trip") {
  REQUIRE(all_endpoints().size() == 13);
  for (auto& e : all_endpoints()) {
    CHECK(info(e.endpoint).endpoint == e.endpoint);
    CHECK(endpoint_from_name(e.name) == e.endpoint);
    CHECK(path_of(e.endpoint) == std::string("/api/v1/") + e.name);
  }
  CHECK_FALSE(endpoint_from_name("nope"));
  CHECK(info(Endpoint::CertificationSubmit).deferrable);
  CHECK_FALSE(info(Endpoint::CertificationSubmit).safe);
  CHECK(info(Endpoint::RecordQuery).safe);
}

TEST_CASE("request envelope round-trips") {
  CertificationSubmitRequest c;
  c.item_code = "RS-001";
  c.id_number = "410105195803120011";
  c.name = "张建国";
  c.insured_region = "410100";
  c.face_image_base64 = "AAAA";
  c.face_quality = 0.9;
  c.liveness = {true, 0.97, {"blink", "turn_left"}};
  auto r = make_request(Endpoint::CertificationSubmit, "T-1", c);
  CHECK(r.request_id.size() == 32);
  CHECK(r.idempotency_key.rfind("idem-", 0) == 0);
  auto p = decode_request(Endpoint::CertificationSubmit, encode_request(r));
  REQUIRE(p.request);
  CHECK(p.request->idempotency_key == r.idempotency_key);
  std::string err;
  auto back = parse_certification_submit(p.request->body, err);
  REQUIRE(back);
  CHECK(back->name == "张建国");
  CHECK(back->liveness.actions == std::vector<std::string>{"blink", "turn_left"});
  CHECK(back->face_quality == Approx(0.9));
}

TEST_CASE("request parser rejects bad input with a reason") {
  CHECK(decode_request(Endpoint::Heartbeat, "").error == "not valid JSON");
  CHECK(decode_request(Endpoint::Heartbeat, "[]").error == "top-level JSON value is not an object");
  CHECK(decode_request(Endpoint::Heartbeat, R"({"request_id":"x"})").error == "missing field 'terminal_id'");
  CHECK(decode_request(Endpoint::Heartbeat, R"({"terminal_id":"t","request_id":"r","body":3})").error ==
        "field 'body' is not an object");
  std::string deep(100, '[');
  CHECK(decode_request(Endpoint::Heartbeat, deep).error == "JSON nesting too deep");
  std::string err;
  CHECK_FALSE(parse_certification_submit(nlohmann::json{{"item_code", "x"}}, err));
  CHECK(err == "missing field 'id_number'");
  CHECK_FALSE(parse_rating(nlohmann::json{{"transaction_number", "x"}, {"score", 9}}, err));
  CHECK(err == "field 'score' out of range");
  CHECK_FALSE(parse_record_query(nlohmann::json{{"id_number", "1"}, {"kind", "bogus"}}, err));
  CHECK(err == "unknown record kind");
  nlohmann::json bad_region = to_body(CertificationSubmitRequest{"RS-001", "1", "n", "41010", "", 0.5, {}});
  CHECK_FALSE(parse_certification_submit(bad_region, err));
  CHECK(err == "insured_region is not a 6-digit code");
}

TEST_CASE("reply envelope: strict parsing") {
  Reply r;
  r.transaction_number = "YW41010020261123000001";
  r.request_id = "abc";
  r.data = to_json(StaffCallResult{"HJ000001", 120});
  auto p = decode_reply(encode_reply(r));
  REQUIRE(p.reply);
  CHECK(p.reply->ok());
  std::string err;
  auto s = parse_staff_call_result(p.reply->data, err);
  REQUIRE(s);
  CHECK(s->ticket == "HJ000001");

  CHECK(decode_reply(R"({"code":"OK","data":{}})").error == "successful reply without transaction_number");
  CHECK(decode_reply(R"({"code":"OK","transaction_number":"x","data":[]})").error ==
        "field 'data' is not an object");
  CHECK(decode_reply(R"({"code":5})").error == "field 'code' is not a string");
  CHECK(decode_reply(R"({"code":"OK","transaction_number":"x","replayed":"yes"})").error ==
        "field 'replayed' is not a boolean");
  CHECK(decode_reply(R"({"code":"NOT_FOUND","message":"未查询到"})").reply->message == "未查询到");
  CHECK_FALSE(decode_reply(std::string(kMaxBodyBytes + 1, ' ')).reply);
}

TEST_CASE("record table: rows must match columns") {
  RecordTable t{
      "contributions", "缴费记录", {{"姓名", "张建国"}}, {"年月", "险种"}, {{"2024-01", "养老保险"}}};
  std::string err;
  auto back = parse_record_table(to_json(t), err);
  REQUIRE(back);
  CHECK(back->rows.size() == 1);
  CHECK(back->summary[0].second == "张建国");
  auto j = to_json(t);
  j["rows"][0].push_back("extra");
  CHECK_FALSE(parse_record_table(j, err));
  CHECK(err == "row width does not match columns");
}

TEST_CASE("backoff grows exponentially with jitter and a cap") {
  ClientConfig c;
  c.backoff_base = std::chrono::milliseconds(100);
  c.backoff_max = std::chrono::milliseconds(1000);
  CHECK(backoff_delay(c, 0, 0.0).count() == 50);
  CHECK(backoff_delay(c, 0, 1.0).count() == 100);
  CHECK(backoff_delay(c, 2, 1.0).count() == 400);
  CHECK(backoff_delay(c, 10, 1.0).count() == 1000);
  CHECK(backoff_delay(c, 10, 0.0).count() == 500);
}

TEST_CASE("config validation and TOML loading") {
  ClientConfig c;
  c.production = true;
  c.verify_tls = false;
  c.base_url = "http://platform.example";
  auto errs = config_errors(c);
  REQUIRE(errs.size() == 2);
  CHECK(errs[0].find("cannot be disabled") != std::string::npos);
  CHECK(errs[1].find("https") != std::string::npos);
  c.production = false;
  CHECK(config_errors(c).empty());

  auto path = std::filesystem::temp_directory_path() / "kiosk_platform_cfg_test.toml";
  {
    std::ofstream f(path);
    f << "[platform]\nbase_url = \"https://zwfw.example\"\nterminal_id = \"T-9\"\nverify_tls = false\n"
         "total_timeout_ms = 1500\nmax_attempts = 2\n";
  }
  auto loaded = load_client_config(path.string());
  CHECK(loaded.base_url == "https://zwfw.example");
  CHECK(loaded.terminal_id == "T-9");
  CHECK(loaded.production);
  CHECK_FALSE(loaded.verify_tls);
  CHECK(loaded.total_timeout.count() == 1500);
  CHECK(loaded.max_attempts == 2);
  {
    std::ofstream f(path);
    f << "[platform]\nmax_attempts = \"many\"\n";
  }
  CHECK_THROWS_WITH(load_client_config(path.string()), Catch::Contains("max_attempts"));
  std::filesystem::remove(path);
  // The shipped defaults parse and are valid.
  auto shipped = load_client_config(std::string(KIOSK_SOURCE_DIR) + "/config/platform.toml");
  CHECK(config_errors(shipped).empty());
}

TEST_CASE("error kinds explain themselves in Chinese and English") {
  for (auto k : {ErrorKind::Offline, ErrorKind::Timeout, ErrorKind::Tls, ErrorKind::Server,
                 ErrorKind::Rejected, ErrorKind::Malformed, ErrorKind::Config}) {
    auto e = explain(k);
    CHECK_FALSE(e.zh.empty());
    CHECK_FALSE(e.en.empty());
  }
  CHECK(is_transient(ErrorKind::Timeout));
  CHECK_FALSE(is_transient(ErrorKind::Rejected));
  CHECK_FALSE(is_transient(ErrorKind::Tls));
}

TEST_CASE("certificate_query and registration_submit bodies: round trip and strict parsing") {
  std::string err;
  auto q =
      parse_certificate_query(to_body(CertificateQueryRequest{"skill_level", "", "S41052021000356"}), err);
  REQUIRE(q);
  CHECK(q->certificate_no == "S41052021000356");
  CHECK_FALSE(parse_certificate_query(nlohmann::json{{"kind", "skill_level"}}, err));
  CHECK(err.find("required") != std::string::npos);
  CHECK_FALSE(parse_certificate_query(nlohmann::json{{"kind", "diploma"}, {"id_number", "1"}}, err));
  CHECK(err == "unknown certificate kind");

  RegistrationSubmitRequest r;
  r.item_code = "KS-D003";
  r.kind = "resident_pension";
  r.id_number = "410102197506010043";
  r.name = "马桂兰";
  r.insured_region = "410100";
  r.choices = {{"grade", "500"}};
  auto p = parse_registration_submit(to_body(r), err);
  REQUIRE(p);
  CHECK(p->choices == r.choices);
  auto b = to_body(r);
  b["choices"]["grade"] = "500; DROP TABLE";
  CHECK_FALSE(parse_registration_submit(b, err));
  CHECK(err == "choices are word → word");
  b = to_body(r);
  b["kind"] = "marriage";
  CHECK_FALSE(parse_registration_submit(b, err));
  b = to_body(r);
  b["insured_region"] = "4101";
  CHECK_FALSE(parse_registration_submit(b, err));

  CertificateQueryResult cq;
  cq.certificates.push_back({"skill_level", "职业技能等级证书（育婴员 四级/中级工）", "S41052021000356",
                             "周敏", "河南省家政服务职业技能评价中心", "2021-06-30", "valid"});
  cq.verification_code = "1A2B3C4D";
  cq.checked_at = "2026-11-23T10:00:00+08:00";
  cq.record.kind = "skill_level";
  cq.record.title = "职业技能等级证书查询结果";
  auto back = parse_certificate_query_result(to_json(cq), err);
  REQUIRE(back);
  CHECK(back->certificates.at(0).issuer == "河南省家政服务职业技能评价中心");
  auto j = to_json(cq);
  j["certificates"][0]["status"] = "forged";
  CHECK_FALSE(parse_certificate_query_result(j, err));

  RegistrationResult rr{"registered", "BJ26112341010001", "2026-11-23", "", {}};
  rr.record.kind = "unemployment";
  rr.record.title = "失业登记结果";
  auto rb = parse_registration_result(to_json(rr), err);
  REQUIRE(rb);
  CHECK(rb->case_no == "BJ26112341010001");
  auto jr = to_json(rr);
  jr.erase("case_no");
  CHECK_FALSE(parse_registration_result(jr, err));
  CHECK(record_kind_from("tax_payment") == RecordKind::TaxPayment);
  CHECK(record_kind_from("housing_loan_clearance") == RecordKind::HousingLoanClearance);
}
