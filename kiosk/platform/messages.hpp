// Typed bodies of each endpoint: builders for requests (kiosk side) and strict parsers for the
// `data` of replies. Parsers return std::nullopt plus a log-safe error; they never throw.
// Values here are personal data: keep them in SessionData, log only through kiosk/core/mask.hpp.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kiosk/platform/api.hpp"

namespace kiosk::platform {

// ---- requests ----------------------------------------------------------------------------
struct IdentityCheckRequest {
  std::string document_type = "resident_id_card";  // see core::DocumentType
  std::string id_number;
  std::string name;
};

struct LivenessReport {
  bool passed = false;
  double score = 0.0;                // 0..1
  std::vector<std::string> actions;  // e.g. {"blink","turn_left"}
};

struct CertificationSubmitRequest {
  std::string item_code;  // catalog code of the certification item
  std::string id_number;
  std::string name;
  std::string insured_region;     // 6-digit region code: routes the request (跨省通办)
  std::string face_image_base64;  // JPEG of the best frame
  double face_quality = 0.0;
  LivenessReport liveness;
};

struct RecordQueryRequest {
  std::string id_number;
  RecordKind kind = RecordKind::RightsRecord;
  int year = 0;  // 0: current/all
};

struct CertificateIssueRequest {
  std::string id_number;
  RecordKind kind = RecordKind::InsuredCertificate;
  bool pdf = false;  // false: data + verification code (printed by the terminal)
};

struct SsCardLossReportRequest {
  std::string id_number;
  std::string card_number;
};

struct VoucherResolveRequest {
  std::string token;
  std::string kind = "medical_voucher";  // or "e_sscard"
};

struct CaseLookupRequest {
  std::string id_number;  // all cases of this person, or
  std::string case_no;    // one case by its number
};

// Certificate kinds of CertificateQuery (wire names).
//   employment_card 就业创业证, technical_school 技工院校毕业证书, skill_qualification 技能人员职业资格证书,
//   professional_qualification 专业技术人员职业资格证书, skill_level 职业技能等级证书
bool valid_certificate_kind(std::string_view kind);

struct CertificateQueryRequest {
  std::string kind;            // see valid_certificate_kind
  std::string id_number;       // the holder's certificates (查询), or
  std::string certificate_no;  // one certificate by its number (核验)
};

// Registration kinds of RegistrationSubmit: "unemployment" 失业登记, "resident_pension"
// 城乡居民养老保险参保登记 (choices: grade = yearly contribution in yuan), "medical_filing" 异地就医结算备案
// (choices: filing_type = long_term_residence | work_elsewhere | referral).
bool valid_registration_kind(std::string_view kind);

struct RegistrationSubmitRequest {
  std::string item_code;
  std::string kind;
  std::string id_number;
  std::string name;
  std::string insured_region;   // routes the request (跨省通办)
  std::string terminal_region;  // where the resident is (备案 destination, 登记 place); may be empty
  std::vector<std::pair<std::string, std::string>> choices;  // made on the terminal's choose steps
};

struct RatingRequest {
  std::string transaction_number;
  int score = 5;  // 1 (非常不满意) .. 5 (非常满意)
  std::string comment;
};

struct CatalogRequest {
  std::string region;
  int since_version = 0;
};

struct StaffCallRequest {
  std::string reason;    // "help", "elder_assist", "device_fault"
  std::string location;  // hall position label
};

struct HeartbeatRequest {
  std::string status = "idle";
  int outbox_pending = 0;
  long uptime_s = 0;
};

nlohmann::json to_body(const IdentityCheckRequest& r);
nlohmann::json to_body(const CertificationSubmitRequest& r);
nlohmann::json to_body(const RecordQueryRequest& r);
nlohmann::json to_body(const CertificateIssueRequest& r);
nlohmann::json to_body(const SsCardLossReportRequest& r);
nlohmann::json to_body(const VoucherResolveRequest& r);
nlohmann::json to_body(const CaseLookupRequest& r);
nlohmann::json to_body(const RatingRequest& r);
nlohmann::json to_body(const CertificateQueryRequest& r);
nlohmann::json to_body(const RegistrationSubmitRequest& r);
nlohmann::json to_body(const CatalogRequest& r);
nlohmann::json to_body(const StaffCallRequest& r);
nlohmann::json to_body(const HeartbeatRequest& r);

// Builds a full Request with fresh request id and idempotency key.
template <class Body>
Request make_request(Endpoint e, std::string terminal_id, const Body& b) {
  Request r;
  r.endpoint = e;
  r.terminal_id = std::move(terminal_id);
  r.request_id = new_request_id();
  r.idempotency_key = new_idempotency_key();
  r.body = to_body(b);
  return r;
}

// Server side (simulator) parsers of request bodies.
std::optional<IdentityCheckRequest> parse_identity_check(const nlohmann::json& b, std::string& err);
std::optional<CertificationSubmitRequest> parse_certification_submit(const nlohmann::json& b,
                                                                     std::string& err);
std::optional<RecordQueryRequest> parse_record_query(const nlohmann::json& b, std::string& err);
std::optional<CertificateIssueRequest> parse_certificate_issue(const nlohmann::json& b, std::string& err);
std::optional<SsCardLossReportRequest> parse_sscard_loss_report(const nlohmann::json& b, std::string& err);
std::optional<VoucherResolveRequest> parse_voucher_resolve(const nlohmann::json& b, std::string& err);
std::optional<CaseLookupRequest> parse_case_lookup(const nlohmann::json& b, std::string& err);
std::optional<RatingRequest> parse_rating(const nlohmann::json& b, std::string& err);
std::optional<CertificateQueryRequest> parse_certificate_query(const nlohmann::json& b, std::string& err);
std::optional<RegistrationSubmitRequest> parse_registration_submit(const nlohmann::json& b, std::string& err);
std::optional<CatalogRequest> parse_catalog(const nlohmann::json& b, std::string& err);
std::optional<StaffCallRequest> parse_staff_call(const nlohmann::json& b, std::string& err);
std::optional<HeartbeatRequest> parse_heartbeat(const nlohmann::json& b, std::string& err);

// ---- reply data ---------------------------------------------------------------------------
struct IdentityCheckResult {
  bool matched = false;
  std::string household_region;
  std::string insured_region;
  std::string insured_region_name;        // e.g. "河北省石家庄市"
  bool cross_province = false;            // insured region in another province than the terminal
  std::string certification_status;       // "certified" / "due" / "not_applicable"
  std::string certification_valid_until;  // YYYY-MM-DD or empty
};

struct CertificationResult {
  std::string status;       // "certified" / "rejected"
  std::string valid_until;  // YYYY-MM-DD when certified
  std::string reason;       // when rejected (Chinese)
  std::string insured_region;
};

// Tabular record the UI shows and the printer prints: summary fields plus rows.
struct RecordTable {
  std::string kind;
  std::string title;
  std::vector<std::pair<std::string, std::string>> summary;  // label → value
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

struct CertificateResult {
  std::string certificate_no;
  std::string verification_code;  // printed, checkable online
  std::string verify_url;
  std::string issued_at;   // ISO 8601
  std::string pdf_base64;  // only when requested
  RecordTable record;
};

struct LossReportResult {
  std::string card_status;  // "temporarily_lost"
  std::string effective_at;
  std::string expires_at;  // 临时挂失 lapses unless confirmed at a counter
};

struct VoucherIdentity {
  std::string name;
  std::string id_number;
  std::string insured_region;
  std::string kind;
};

struct CaseInfo {
  std::string case_no;
  std::string item_name;
  std::string status;  // "accepted" / "in_progress" / "done" / "returned"
  std::string handling_region;
  std::string updated_at;
};

// One certificate the platform holds (certificate_query).
struct HeldCertificate {
  std::string kind;
  std::string name;  // e.g. "职业技能等级证书（电工 四级/中级工）"
  std::string certificate_no;
  std::string holder;     // holder's name, masked by the platform when looked up by number
  std::string issuer;     // 发证机构
  std::string issued_on;  // YYYY-MM-DD
  std::string status;     // "valid" / "revoked" / "expired"
};

struct CertificateQueryResult {
  std::vector<HeldCertificate> certificates;
  std::string verification_code;  // printed on the verification slip, checkable online
  std::string verify_url;
  std::string checked_at;  // ISO 8601
  RecordTable record;      // the same as lines for screen and paper
};

struct RegistrationResult {
  std::string status;          // "registered" (effective now) / "accepted" (to be reviewed)
  std::string case_no;         // 办件编号: 办件查询 finds it
  std::string effective_from;  // YYYY-MM-DD
  std::string valid_until;     // YYYY-MM-DD or empty
  RecordTable record;
};

struct CatalogItem {
  std::string code;
  std::string name;
  std::string mode;  // 全程网办 / 异地代收代办 / 多地联办 / 自助通办
  std::string department;
};
struct CatalogResult {
  int version = 0;
  std::vector<CatalogItem> items;
};

struct StaffCallResult {
  std::string ticket;
  int eta_seconds = 0;
};

struct HeartbeatResult {
  std::string server_time;
  int config_version = 0;
};

std::optional<IdentityCheckResult> parse_identity_check_result(const nlohmann::json& d, std::string& err);
std::optional<CertificationResult> parse_certification_result(const nlohmann::json& d, std::string& err);
std::optional<RecordTable> parse_record_table(const nlohmann::json& d, std::string& err);
std::optional<CertificateResult> parse_certificate_result(const nlohmann::json& d, std::string& err);
std::optional<LossReportResult> parse_loss_report_result(const nlohmann::json& d, std::string& err);
std::optional<VoucherIdentity> parse_voucher_identity(const nlohmann::json& d, std::string& err);
std::optional<std::vector<CaseInfo>> parse_cases(const nlohmann::json& d, std::string& err);
std::optional<CatalogResult> parse_catalog_result(const nlohmann::json& d, std::string& err);
std::optional<StaffCallResult> parse_staff_call_result(const nlohmann::json& d, std::string& err);
std::optional<HeartbeatResult> parse_heartbeat_result(const nlohmann::json& d, std::string& err);
std::optional<CertificateQueryResult> parse_certificate_query_result(const nlohmann::json& d,
                                                                     std::string& err);
std::optional<RegistrationResult> parse_registration_result(const nlohmann::json& d, std::string& err);

nlohmann::json to_json(const IdentityCheckResult& r);
nlohmann::json to_json(const CertificationResult& r);
nlohmann::json to_json(const RecordTable& r);
nlohmann::json to_json(const CertificateResult& r);
nlohmann::json to_json(const LossReportResult& r);
nlohmann::json to_json(const VoucherIdentity& r);
nlohmann::json to_json(const std::vector<CaseInfo>& r);
nlohmann::json to_json(const CatalogResult& r);
nlohmann::json to_json(const StaffCallResult& r);
nlohmann::json to_json(const HeartbeatResult& r);
nlohmann::json to_json(const CertificateQueryResult& r);
nlohmann::json to_json(const RegistrationResult& r);

}  // namespace kiosk::platform
