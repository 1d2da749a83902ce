#include "kiosk/platform/api.hpp"

#include <sodium.h>

#include <array>
#include <cctype>

namespace kiosk::platform {

namespace {
const std::vector<EndpointInfo> kEndpoints = {
    {Endpoint::IdentityCheck, "identity_check", true, false},
    {Endpoint::CertificationSubmit, "certification_submit", false, true},
    {Endpoint::RecordQuery, "record_query", true, false},
    {Endpoint::CertificateIssue, "certificate_issue", false, false},
    {Endpoint::SsCardLossReport, "sscard_loss_report", false, true},
    {Endpoint::VoucherResolve, "voucher_resolve", true, false},
    {Endpoint::CaseLookup, "case_lookup", true, false},
    {Endpoint::Rating, "rating", false, true},
    {Endpoint::Catalog, "catalog", true, false},
    {Endpoint::StaffCall, "staff_call", false, false},
    {Endpoint::Heartbeat, "heartbeat", true, false},
    {Endpoint::CertificateQuery, "certificate_query", true, false},
    {Endpoint::RegistrationSubmit, "registration_submit", false, false},
};

std::string random_hex(std::size_t bytes) {
  if (sodium_init() < 0) return {};
  std::array<unsigned char, 32> buf{};
  randombytes_buf(buf.data(), bytes);
  std::string out(bytes * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), buf.data(), bytes);
  out.resize(bytes * 2);
  return out;
}

// nlohmann has no depth limit of its own: reject deep nesting before parsing (stack safety).
bool depth_ok(std::string_view body) {
  int depth = 0;
  bool in_str = false, esc = false;
  for (char c : body) {
    if (in_str) {
      if (esc)
        esc = false;
      else if (c == '\\')
        esc = true;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"')
      in_str = true;
    else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return false;
    } else if (c == '}' || c == ']')
      --depth;
  }
  return true;
}

// Parses a JSON object with the shared limits; error text on failure.
std::optional<nlohmann::json> parse_object(std::string_view body, std::string& error) {
  if (body.size() > kMaxBodyBytes) {
    error = "body exceeds size limit";
    return std::nullopt;
  }
  if (!depth_ok(body)) {
    error = "JSON nesting too deep";
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    error = "not valid JSON";
    return std::nullopt;
  }
  if (!j.is_object()) {
    error = "top-level JSON value is not an object";
    return std::nullopt;
  }
  return j;
}

bool get_string(const nlohmann::json& j, const char* key, std::string& out, bool required,
                std::string& error) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) error = std::string("missing field '") + key + "'";
    return !required;
  }
  if (!it->is_string()) {
    error = std::string("field '") + key + "' is not a string";
    return false;
  }
  out = it->get<std::string>();
  if (out.size() > 4096) {
    error = std::string("field '") + key + "' too long";
    return false;
  }
  return true;
}
}  // namespace

const std::vector<EndpointInfo>& all_endpoints() {
  return kEndpoints;
}

const EndpointInfo& info(Endpoint e) {
  return kEndpoints.at(static_cast<std::size_t>(e));
}

std::optional<Endpoint> endpoint_from_name(std::string_view name) {
  for (auto& i : kEndpoints)
    if (name == i.name) return i.endpoint;
  return std::nullopt;
}

std::string path_of(Endpoint e) {
  return std::string("/api/v1/") + info(e).name;
}

const char* to_string(RecordKind k) {
  switch (k) {
    case RecordKind::RightsRecord:
      return "rights_record";
    case RecordKind::InsuredCertificate:
      return "insured_certificate";
    case RecordKind::Contributions:
      return "contributions";
    case RecordKind::HousingFund:
      return "housing_fund";
    case RecordKind::TaxPayment:
      return "tax_payment";
    case RecordKind::HousingLoanClearance:
      return "housing_loan_clearance";
  }
  return "?";
}

std::optional<RecordKind> record_kind_from(std::string_view s) {
  for (auto k : {RecordKind::RightsRecord, RecordKind::InsuredCertificate, RecordKind::Contributions,
                 RecordKind::HousingFund, RecordKind::TaxPayment, RecordKind::HousingLoanClearance})
    if (s == to_string(k)) return k;
  return std::nullopt;
}

const char* to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::None:
      return "none";
    case ErrorKind::Offline:
      return "offline";
    case ErrorKind::Timeout:
      return "timeout";
    case ErrorKind::Tls:
      return "tls";
    case ErrorKind::Server:
      return "server";
    case ErrorKind::Rejected:
      return "rejected";
    case ErrorKind::Malformed:
      return "malformed";
    case ErrorKind::TooLarge:
      return "too_large";
    case ErrorKind::Dropped:
      return "dropped";
    case ErrorKind::Config:
      return "config";
    case ErrorKind::Cancelled:
      return "cancelled";
  }
  return "?";
}

bool is_transient(ErrorKind k) {
  switch (k) {
    case ErrorKind::Offline:
    case ErrorKind::Timeout:
    case ErrorKind::Server:
    case ErrorKind::Malformed:
    case ErrorKind::Dropped:
      return true;
    default:
      return false;
  }
}

Explanation explain(ErrorKind k) {
  switch (k) {
    case ErrorKind::None:
      return {"办理成功", "Done"};
    case ErrorKind::Offline:
      return {"网络暂时无法连接政务服务平台，请稍后再试或到人工窗口办理",
              "The service platform cannot be reached right now. Please try again later or go to a staffed "
              "window."};
    case ErrorKind::Timeout:
      return {"平台响应超时，请稍后再试", "The platform did not answer in time. Please try again later."};
    case ErrorKind::Tls:
      return {"安全连接校验失败，请联系工作人员",
              "The secure connection could not be verified. Please call a staff member."};
    case ErrorKind::Server:
      return {"平台繁忙，请稍后再试", "The platform is busy. Please try again later."};
    case ErrorKind::Rejected:
      return {"平台未受理该业务，请查看原因或到人工窗口咨询",
              "The platform did not accept this request. See the reason or ask at a staffed window."};
    case ErrorKind::Malformed:
    case ErrorKind::TooLarge:
    case ErrorKind::Dropped:
      return {"平台返回异常，请稍后再试",
              "The platform returned an unexpected answer. Please try again later."};
    case ErrorKind::Config:
      return {"终端配置有误，请联系工作人员", "This terminal is misconfigured. Please call a staff member."};
    case ErrorKind::Cancelled:
      return {"业务已取消", "The request was cancelled."};
  }
  return {"未知错误", "Unknown error"};
}

std::string encode_request(const Request& r) {
  nlohmann::json j = {{"terminal_id", r.terminal_id},
                      {"request_id", r.request_id},
                      {"idempotency_key", r.idempotency_key},
                      {"body", r.body}};
  return j.dump();
}

ParsedRequest decode_request(Endpoint e, std::string_view body) {
  ParsedRequest out;
  auto j = parse_object(body, out.error);
  if (!j) return out;
  Request r;
  r.endpoint = e;
  if (!get_string(*j, "terminal_id", r.terminal_id, true, out.error) ||
      !get_string(*j, "request_id", r.request_id, true, out.error) ||
      !get_string(*j, "idempotency_key", r.idempotency_key, false, out.error))
    return out;
  if (r.terminal_id.empty() || r.request_id.empty()) {
    out.error = "terminal_id and request_id must not be empty";
    return out;
  }
  auto it = j->find("body");
  if (it != j->end()) {
    if (!it->is_object()) {
      out.error = "field 'body' is not an object";
      return out;
    }
    r.body = *it;
  }
  out.request = std::move(r);
  return out;
}

std::string encode_reply(const Reply& r) {
  nlohmann::json j = {{"code", r.code},
                      {"message", r.message},
                      {"message_en", r.message_en},
                      {"request_id", r.request_id},
                      {"transaction_number", r.transaction_number},
                      {"replayed", r.replayed},
                      {"data", r.data}};
  return j.dump();
}

ParsedReply decode_reply(std::string_view body) {
  ParsedReply out;
  auto j = parse_object(body, out.error);
  if (!j) return out;
  Reply r;
  if (!get_string(*j, "code", r.code, true, out.error) ||
      !get_string(*j, "message", r.message, false, out.error) ||
      !get_string(*j, "message_en", r.message_en, false, out.error) ||
      !get_string(*j, "request_id", r.request_id, false, out.error) ||
      !get_string(*j, "transaction_number", r.transaction_number, false, out.error))
    return out;
  if (r.code.empty()) {
    out.error = "empty reply code";
    return out;
  }
  if (auto it = j->find("replayed"); it != j->end() && !it->is_null()) {
    if (!it->is_boolean()) {
      out.error = "field 'replayed' is not a boolean";
      return out;
    }
    r.replayed = it->get<bool>();
  }
  if (auto it = j->find("data"); it != j->end() && !it->is_null()) {
    if (!it->is_object()) {
      out.error = "field 'data' is not an object";
      return out;
    }
    r.data = *it;
  }
  if (r.ok() && r.transaction_number.empty()) {
    out.error = "successful reply without transaction_number";
    return out;
  }
  out.reply = std::move(r);
  return out;
}

std::string new_request_id() {
  return random_hex(16);
}
std::string new_idempotency_key() {
  return "idem-" + random_hex(16);
}

bool valid_region_code(std::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace kiosk::platform
