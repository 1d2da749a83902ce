// The platform API (一体化政务服务平台): endpoints, request/reply envelopes and typed errors.
// Pure types and JSON codecs only (no I/O): fuzzable, shared by the client and the simulator.
// The wire format is documented in docs/platform-api.yaml.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::platform {

enum class Endpoint {
  IdentityCheck,        // 身份核验
  CertificationSubmit,  // 待遇资格认证提交
  RecordQuery,          // 社保权益记录 / 参保证明 / 缴费记录 / 公积金
  CertificateIssue,     // 开具证明 (data + verification code, or PDF)
  SsCardLossReport,     // 社会保障卡临时挂失
  VoucherResolve,       // 医保电子凭证 / 电子社保卡 token → identity
  CaseLookup,           // 办件查询
  Rating,               // 好差评
  Catalog,              // 事项清单 / 办事指南
  StaffCall,            // 呼叫工作人员
  Heartbeat,            // 心跳
  CertificateQuery,  // 就业创业证 / 技工院校毕业证书 / 职业资格证书 / 职业技能等级证书 查询、核验
  RegistrationSubmit,  // 失业登记 / 城乡居民养老保险参保登记 / 异地就医结算备案
};

struct EndpointInfo {
  Endpoint endpoint;
  const char* name;  // wire name, also the last path segment: POST /api/v1/<name>
  bool safe;         // a query with no side effect: always retryable
  bool deferrable;   // may go through the outbox when offline ("已受理，网络恢复后自动提交")
};

const EndpointInfo& info(Endpoint e);
std::optional<Endpoint> endpoint_from_name(std::string_view name);
std::string path_of(Endpoint e);  // "/api/v1/<name>"
const std::vector<EndpointInfo>& all_endpoints();

// Record kinds for RecordQuery and CertificateIssue.
enum class RecordKind {
  RightsRecord,          // 社会保险个人权益记录单 "rights_record"
  InsuredCertificate,    // 个人社保参保证明 "insured_certificate"
  Contributions,         // 社会保险参保缴费记录 "contributions"
  HousingFund,           // 住房公积金缴存信息 "housing_fund"
  TaxPayment,            // 税收完税证明 "tax_payment"
  HousingLoanClearance,  // 住房公积金个人住房贷款全部还清证明 "housing_loan_clearance"
};
const char* to_string(RecordKind k);
std::optional<RecordKind> record_kind_from(std::string_view s);

// What went wrong, in terms the UI can explain to a resident and a technician can act on.
enum class ErrorKind {
  None,
  Offline,    // could not connect / resolve: network or platform down
  Timeout,    // connect or total timeout
  Tls,        // certificate verification or handshake failed
  Server,     // HTTP 5xx / 429 from the platform
  Rejected,   // the platform answered with a business error code (see Reply::code)
  Malformed,  // reply is not the documented JSON
  TooLarge,   // reply exceeded the size limit
  Dropped,    // connection closed mid-reply
  Config,     // client configuration error (e.g. TLS verification disabled in production)
  Cancelled,  // client shut down before completion
};
const char* to_string(ErrorKind k);
// Retrying the same request may help (for safe or keyed requests).
bool is_transient(ErrorKind k);
// Bilingual text for the resident: what happened and what to do next.
struct Explanation {
  std::string zh;
  std::string en;
};
Explanation explain(ErrorKind k);

struct Error {
  ErrorKind kind = ErrorKind::None;
  std::string detail;  // log-safe English (never personal data)
  explicit operator bool() const { return kind != ErrorKind::None; }
};

// A request as sent: the envelope fields plus the endpoint-specific body.
struct Request {
  Endpoint endpoint = Endpoint::Heartbeat;
  std::string terminal_id;
  std::string request_id;       // unique per HTTP attempt series (one logical call)
  std::string idempotency_key;  // same across retries and restarts of one logical submission
  nlohmann::json body = nlohmann::json::object();
};

// The reply envelope every endpoint shares.
struct Reply {
  std::string code = "OK";  // "OK" or a business error code (NOT_FOUND, NOT_ELIGIBLE, ...)
  std::string message;      // Chinese text for the resident
  std::string message_en;   // English alongside
  std::string request_id;
  std::string transaction_number;  // 业务流水号
  bool replayed = false;           // the platform had seen this idempotency key: original reply
  nlohmann::json data = nlohmann::json::object();
  bool ok() const { return code == "OK"; }
};

// Limits applied by both parsers.
inline constexpr std::size_t kMaxBodyBytes = 4 * 1024 * 1024;
inline constexpr int kMaxJsonDepth = 32;

// Codec: serialisation is total; parsing returns the value or a typed error (never throws).
std::string encode_request(const Request& r);
struct ParsedRequest {
  std::optional<Request> request;
  std::string error;
};
ParsedRequest decode_request(Endpoint e, std::string_view body);

std::string encode_reply(const Reply& r);
struct ParsedReply {
  std::optional<Reply> reply;
  std::string error;
};
ParsedReply decode_reply(std::string_view body);

// Helpers for identifiers.
std::string new_request_id();                // 32 hex chars, random
std::string new_idempotency_key();           // "idem-" + 32 hex chars, random
bool valid_region_code(std::string_view s);  // 6 digits

}  // namespace kiosk::platform
