// Platform operations named in config/flows (Effect::Platform args, e.g. "record_query:rights_record")
// turned into requests built from the session data.
#include "kiosk/app/platform_ops.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <stdexcept>

namespace kiosk::app {

namespace {
std::string input(const core::SessionData& d, const char* field) {
  return d.inputs.is_object() && d.inputs.contains(field) && d.inputs[field].is_string()
             ? d.inputs[field].get<std::string>()
             : std::string();
}

std::string cst_now() {
  std::time_t t = std::time(nullptr) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}
}  // namespace

std::optional<platform::Request> build_platform_request(const std::string& op, const core::SessionData& d,
                                                        const std::string& tid) {
  using platform::Endpoint;
  using platform::make_request;
  std::string base = op.substr(0, op.find(':'));
  std::string arg = op.find(':') == std::string::npos ? "" : op.substr(op.find(':') + 1);
  platform::Request rq;
  if (base == "voucher_resolve") {
    platform::VoucherResolveRequest b{d.identity.token,
                                      d.identity.token.rfind("ES-", 0) == 0 ? "e_sscard" : "medical_voucher"};
    rq = make_request(Endpoint::VoucherResolve, tid, b);
  } else if (base == "certification_submit") {
    platform::CertificationSubmitRequest b;
    b.item_code = d.item_code;
    b.id_number = d.identity.id_number;
    b.name = d.identity.name;
    b.insured_region = d.region_code;
    if (d.face.is_object()) {
      b.face_quality = d.face.value("quality", 0.0);
      b.liveness.passed = d.face.value("passed", false);
      b.liveness.score = d.face.value("score", 0.0);
      if (d.face.contains("actions")) b.liveness.actions = d.face["actions"].get<std::vector<std::string>>();
      b.face_image_base64 = d.face.value("image_base64", "");
    }
    rq = make_request(Endpoint::CertificationSubmit, tid, b);
  } else if (base == "record_query") {
    platform::RecordQueryRequest b;
    b.id_number = d.identity.id_number;
    b.kind = platform::record_kind_from(arg).value_or(platform::RecordKind::RightsRecord);
    rq = make_request(Endpoint::RecordQuery, tid, b);
  } else if (base == "certificate_issue") {
    platform::CertificateIssueRequest b;
    b.id_number = d.identity.id_number;
    b.kind = platform::record_kind_from(arg).value_or(platform::RecordKind::InsuredCertificate);
    rq = make_request(Endpoint::CertificateIssue, tid, b);
  } else if (base == "sscard_loss_report") {
    platform::SsCardLossReportRequest b{d.identity.id_number, d.identity.card_number};
    rq = make_request(Endpoint::SsCardLossReport, tid, b);
  } else if (base == "case_lookup") {
    // By the number typed or scanned on an entry step (no identity needed), else all of the person's cases.
    platform::CaseLookupRequest b;
    b.case_no = input(d, "case_no");
    if (b.case_no.empty()) b.id_number = d.identity.id_number;
    rq = make_request(Endpoint::CaseLookup, tid, b);
  } else if (base == "certificate_query") {
    platform::CertificateQueryRequest b;
    b.kind = arg;
    b.certificate_no = input(d, "certificate_no");
    if (b.certificate_no.empty()) b.id_number = d.identity.id_number;
    rq = make_request(Endpoint::CertificateQuery, tid, b);
  } else if (base == "registration_submit") {
    platform::RegistrationSubmitRequest b;
    b.item_code = d.item_code;
    b.kind = arg;
    b.id_number = d.identity.id_number;
    b.name = d.identity.name;
    b.insured_region = d.region_code;
    if (d.inputs.is_object())
      for (auto& [k, v] : d.inputs.items())
        if (v.is_string()) b.choices.emplace_back(k, v.get<std::string>());
    rq = make_request(Endpoint::RegistrationSubmit, tid, b);
  } else if (base == "rating") {
    if (d.transaction_number.empty()) return std::nullopt;  // nothing was transacted to rate
    platform::RatingRequest b;
    b.transaction_number = d.transaction_number;
    b.score = std::clamp(std::atoi(arg.c_str()), 1, 5);
    rq = make_request(Endpoint::Rating, tid, b);
  } else {
    throw std::invalid_argument("unknown platform operation " + op);
  }
  return rq;
}

nlohmann::json print_fields(const std::string& template_id, const core::SessionData& d,
                            const std::string& service_name, const core::KioskConfig& cfg_) {
  (void)template_id;
  nlohmann::json f = {{"hall_name", cfg_.hall_name},
                      {"service_name", service_name},
                      {"transaction_no", d.transaction_number},
                      {"print_time", cst_now()},
                      {"name", d.identity.name},
                      {"id_number", d.identity.id_number},
                      {"insured_region", d.region_name},
                      {"terminal_id", cfg_.terminal_id},
                      {"issuer", d.region_name + " 社会保险经办机构"},
                      {"verify_url", "https://zwfw.example.gov.cn/verify?txn=" + d.transaction_number}};
  if (d.result.is_object() && d.result.contains("data") && d.result["data"].is_object()) {
    const auto& data = d.result["data"];
    std::string status = data.value("status", "");
    if (status == "certified")
      f["result"] = "认证成功 Certified, 有效期至 " + data.value("valid_until", "");
    else if (status == "rejected")
      f["result"] = "认证未通过 Not passed";
    else
      f["result"] = d.result.value("message", "");
    // Certificates, verification slips and registrations: their numbers, codes and lines.
    for (const char* k : {"certificate_no", "verification_code", "case_no", "valid_until"})
      if (data.contains(k) && data[k].is_string() && !data[k].get<std::string>().empty()) f[k] = data[k];
    if (data.contains("certificates") && data.contains("verify_url") && data["verify_url"].is_string())
      f["verify_url"] = data["verify_url"];  // the verification slip's QR checks the certificates
    if (data.contains("verification_code") && !data.contains("certificate_no"))
      f["result"] = d.result.value("message", "");
    // Every summary line of a record as "s.<label>" (templates name the lines they print; the person's
    // own name and ID number are printed only through the masked name/id_number fields).
    const nlohmann::json* rec =
        data.contains("record") && data["record"].is_object() ? &data["record"] : &data;
    if (rec->contains("title") && (*rec)["title"].is_string()) f["record_title"] = (*rec)["title"];
    if (rec->contains("summary") && (*rec)["summary"].is_array())
      for (auto& kv : (*rec)["summary"])
        if (kv.is_object() && kv.contains("label") && kv.contains("value") && kv["label"].is_string() &&
            kv["value"].is_string())
          f["s." + kv["label"].get<std::string>()] = kv["value"];
    if (f.contains("s.出具单位")) f["issuer"] = f["s.出具单位"];
    if (f.contains("s.税务机关")) f["issuer"] = f["s.税务机关"];
    // The certificates found (certificate_query): one line each, at most five.
    if (data.contains("certificates") && data["certificates"].is_array()) {
      int i = 0;
      for (auto& c : data["certificates"]) {
        if (++i > 5 || !c.is_object()) break;
        f["cert_" + std::to_string(i)] = c.value("name", "") + " " + c.value("certificate_no", "") + " " +
                                         c.value("issuer", "") + " " + c.value("issued_on", "");
      }
    }
  }
  return f;
}

}  // namespace kiosk::app
