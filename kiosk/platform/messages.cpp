#include "kiosk/platform/messages.hpp"

namespace kiosk::platform {

using nlohmann::json;

namespace {
// Strict field reader: the first problem is kept in `err`; later reads return defaults.
class Reader {
 public:
  Reader(const json& j, std::string& err) : j_(j), err_(err) {
    err_.clear();
    if (!j_.is_object()) fail("expected a JSON object");
  }
  bool ok() const { return err_.empty(); }
  void fail(const std::string& m) {
    if (err_.empty()) err_ = m;
  }
  const json* field(const char* k, bool required) {
    if (!ok()) return nullptr;
    auto it = j_.find(k);
    if (it == j_.end() || it->is_null()) {
      if (required) fail(std::string("missing field '") + k + "'");
      return nullptr;
    }
    return &*it;
  }
  std::string str(const char* k, bool required = true, std::size_t max = 1024) {
    auto* v = field(k, required);
    if (!v) return {};
    if (!v->is_string()) {
      fail(std::string("field '") + k + "' is not a string");
      return {};
    }
    auto s = v->get<std::string>();
    if (s.size() > max) {
      fail(std::string("field '") + k + "' too long");
      return {};
    }
    return s;
  }
  long integer(const char* k, bool required, long lo, long hi) {
    auto* v = field(k, required);
    if (!v) return lo < 0 && hi > 0 ? 0 : lo;
    if (!v->is_number_integer()) {
      fail(std::string("field '") + k + "' is not an integer");
      return lo;
    }
    auto n = v->get<long long>();
    if (n < lo || n > hi) {
      fail(std::string("field '") + k + "' out of range");
      return lo;
    }
    return static_cast<long>(n);
  }
  double number(const char* k, bool required, double lo, double hi) {
    auto* v = field(k, required);
    if (!v) return lo;
    if (!v->is_number()) {
      fail(std::string("field '") + k + "' is not a number");
      return lo;
    }
    double d = v->get<double>();
    if (!(d >= lo && d <= hi)) {
      fail(std::string("field '") + k + "' out of range");
      return lo;
    }
    return d;
  }
  bool boolean(const char* k, bool required) {
    auto* v = field(k, required);
    if (!v) return false;
    if (!v->is_boolean()) {
      fail(std::string("field '") + k + "' is not a boolean");
      return false;
    }
    return v->get<bool>();
  }
  const json* array(const char* k, bool required, std::size_t max = 10000) {
    auto* v = field(k, required);
    if (!v) return nullptr;
    if (!v->is_array() || v->size() > max) {
      fail(std::string("field '") + k + "' is not an array of acceptable size");
      return nullptr;
    }
    return v;
  }
  const json* object(const char* k, bool required) {
    auto* v = field(k, required);
    if (!v) return nullptr;
    if (!v->is_object()) {
      fail(std::string("field '") + k + "' is not an object");
      return nullptr;
    }
    return v;
  }

 private:
  const json& j_;
  std::string& err_;
};

std::vector<std::string> string_list(Reader& rd, const json* arr, const char* what) {
  std::vector<std::string> out;
  if (!arr) return out;
  for (auto& e : *arr) {
    if (!e.is_string()) {
      rd.fail(std::string(what) + " must hold strings");
      return {};
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

template <class T>
std::optional<T> done(Reader& rd, T v) {
  if (!rd.ok()) return std::nullopt;
  return v;
}

bool valid_id(std::string_view s) {
  return !s.empty() && s.size() <= 32;
}
}  // namespace

// ---- request bodies -------------------------------------------------------------------------
json to_body(const IdentityCheckRequest& r) {
  return {{"document_type", r.document_type}, {"id_number", r.id_number}, {"name", r.name}};
}
json to_body(const CertificationSubmitRequest& r) {
  return {{"item_code", r.item_code},
          {"id_number", r.id_number},
          {"name", r.name},
          {"insured_region", r.insured_region},
          {"face", {{"image_base64", r.face_image_base64}, {"quality", r.face_quality}}},
          {"liveness",
           {{"passed", r.liveness.passed}, {"score", r.liveness.score}, {"actions", r.liveness.actions}}}};
}
json to_body(const RecordQueryRequest& r) {
  return {{"id_number", r.id_number}, {"kind", to_string(r.kind)}, {"year", r.year}};
}
json to_body(const CertificateIssueRequest& r) {
  return {{"id_number", r.id_number}, {"kind", to_string(r.kind)}, {"format", r.pdf ? "pdf" : "data"}};
}
json to_body(const SsCardLossReportRequest& r) {
  return {{"id_number", r.id_number}, {"card_number", r.card_number}};
}
json to_body(const VoucherResolveRequest& r) {
  return {{"token", r.token}, {"kind", r.kind}};
}
json to_body(const CaseLookupRequest& r) {
  return {{"id_number", r.id_number}, {"case_no", r.case_no}};
}
json to_body(const RatingRequest& r) {
  return {{"transaction_number", r.transaction_number}, {"score", r.score}, {"comment", r.comment}};
}
json to_body(const CatalogRequest& r) {
  return {{"region", r.region}, {"since_version", r.since_version}};
}
json to_body(const StaffCallRequest& r) {
  return {{"reason", r.reason}, {"location", r.location}};
}
json to_body(const HeartbeatRequest& r) {
  return {{"status", r.status}, {"outbox_pending", r.outbox_pending}, {"uptime_s", r.uptime_s}};
}

std::optional<IdentityCheckRequest> parse_identity_check(const json& b, std::string& err) {
  Reader rd(b, err);
  IdentityCheckRequest r;
  r.document_type = rd.str("document_type", false, 64);
  r.id_number = rd.str("id_number", true, 32);
  r.name = rd.str("name", true, 256);
  if (rd.ok() && !valid_id(r.id_number)) rd.fail("id_number empty");
  return done(rd, r);
}

std::optional<CertificationSubmitRequest> parse_certification_submit(const json& b, std::string& err) {
  Reader rd(b, err);
  CertificationSubmitRequest r;
  r.item_code = rd.str("item_code", true, 64);
  r.id_number = rd.str("id_number", true, 32);
  r.name = rd.str("name", true, 256);
  r.insured_region = rd.str("insured_region", true, 6);
  if (auto* face = rd.object("face", true)) {
    Reader f(*face, err);
    r.face_image_base64 = f.str("image_base64", true, 2 * 1024 * 1024);
    r.face_quality = f.number("quality", true, 0.0, 1.0);
    if (!f.ok()) return std::nullopt;
  }
  if (!rd.ok()) return std::nullopt;
  if (auto* lv = rd.object("liveness", true)) {
    Reader l(*lv, err);
    r.liveness.passed = l.boolean("passed", true);
    r.liveness.score = l.number("score", true, 0.0, 1.0);
    r.liveness.actions = string_list(l, l.array("actions", false, 8), "actions");
    if (!l.ok()) return std::nullopt;
  }
  if (rd.ok() && !valid_region_code(r.insured_region)) rd.fail("insured_region is not a 6-digit code");
  if (rd.ok() && !valid_id(r.id_number)) rd.fail("id_number empty");
  return done(rd, r);
}

std::optional<RecordQueryRequest> parse_record_query(const json& b, std::string& err) {
  Reader rd(b, err);
  RecordQueryRequest r;
  r.id_number = rd.str("id_number", true, 32);
  auto kind = rd.str("kind", true, 32);
  r.year = static_cast<int>(rd.integer("year", false, 0, 2100));
  if (!rd.ok()) return std::nullopt;
  auto k = record_kind_from(kind);
  if (!k)
    rd.fail("unknown record kind");
  else
    r.kind = *k;
  return done(rd, r);
}

std::optional<CertificateIssueRequest> parse_certificate_issue(const json& b, std::string& err) {
  Reader rd(b, err);
  CertificateIssueRequest r;
  r.id_number = rd.str("id_number", true, 32);
  auto kind = rd.str("kind", true, 32);
  auto format = rd.str("format", false, 8);
  if (!rd.ok()) return std::nullopt;
  auto k = record_kind_from(kind);
  if (!k)
    rd.fail("unknown record kind");
  else
    r.kind = *k;
  if (!format.empty() && format != "pdf" && format != "data") rd.fail("format must be 'data' or 'pdf'");
  r.pdf = format == "pdf";
  return done(rd, r);
}

std::optional<SsCardLossReportRequest> parse_sscard_loss_report(const json& b, std::string& err) {
  Reader rd(b, err);
  SsCardLossReportRequest r;
  r.id_number = rd.str("id_number", true, 32);
  r.card_number = rd.str("card_number", false, 32);
  return done(rd, r);
}

std::optional<VoucherResolveRequest> parse_voucher_resolve(const json& b, std::string& err) {
  Reader rd(b, err);
  VoucherResolveRequest r;
  r.token = rd.str("token", true, 512);
  r.kind = rd.str("kind", false, 32);
  if (r.kind.empty()) r.kind = "medical_voucher";
  if (rd.ok() && r.kind != "medical_voucher" && r.kind != "e_sscard") rd.fail("unknown voucher kind");
  return done(rd, r);
}

std::optional<CaseLookupRequest> parse_case_lookup(const json& b, std::string& err) {
  Reader rd(b, err);
  CaseLookupRequest r;
  r.id_number = rd.str("id_number", false, 32);
  r.case_no = rd.str("case_no", false, 64);
  if (rd.ok() && r.id_number.empty() && r.case_no.empty()) rd.fail("id_number or case_no required");
  return done(rd, r);
}

std::optional<RatingRequest> parse_rating(const json& b, std::string& err) {
  Reader rd(b, err);
  RatingRequest r;
  r.transaction_number = rd.str("transaction_number", true, 64);
  r.score = static_cast<int>(rd.integer("score", true, 1, 5));
  r.comment = rd.str("comment", false, 1024);
  return done(rd, r);
}

std::optional<CatalogRequest> parse_catalog(const json& b, std::string& err) {
  Reader rd(b, err);
  CatalogRequest r;
  r.region = rd.str("region", false, 6);
  r.since_version = static_cast<int>(rd.integer("since_version", false, 0, 1000000000));
  return done(rd, r);
}

std::optional<StaffCallRequest> parse_staff_call(const json& b, std::string& err) {
  Reader rd(b, err);
  StaffCallRequest r;
  r.reason = rd.str("reason", true, 64);
  r.location = rd.str("location", false, 128);
  return done(rd, r);
}

std::optional<HeartbeatRequest> parse_heartbeat(const json& b, std::string& err) {
  Reader rd(b, err);
  HeartbeatRequest r;
  r.status = rd.str("status", false, 32);
  r.outbox_pending = static_cast<int>(rd.integer("outbox_pending", false, 0, 100000000));
  r.uptime_s = rd.integer("uptime_s", false, 0, 1L << 40);
  return done(rd, r);
}

// ---- reply data -------------------------------------------------------------------------------
json to_json(const IdentityCheckResult& r) {
  return {{"matched", r.matched},
          {"household_region", r.household_region},
          {"insured_region", r.insured_region},
          {"insured_region_name", r.insured_region_name},
          {"cross_province", r.cross_province},
          {"certification_status", r.certification_status},
          {"certification_valid_until", r.certification_valid_until}};
}
std::optional<IdentityCheckResult> parse_identity_check_result(const json& d, std::string& err) {
  Reader rd(d, err);
  IdentityCheckResult r;
  r.matched = rd.boolean("matched", true);
  r.household_region = rd.str("household_region", false, 6);
  r.insured_region = rd.str("insured_region", false, 6);
  r.insured_region_name = rd.str("insured_region_name", false, 128);
  r.cross_province = rd.boolean("cross_province", false);
  r.certification_status = rd.str("certification_status", false, 32);
  r.certification_valid_until = rd.str("certification_valid_until", false, 10);
  if (rd.ok() && r.matched && !valid_region_code(r.insured_region)) rd.fail("insured_region invalid");
  return done(rd, r);
}

json to_json(const CertificationResult& r) {
  return {{"status", r.status},
          {"valid_until", r.valid_until},
          {"reason", r.reason},
          {"insured_region", r.insured_region}};
}
std::optional<CertificationResult> parse_certification_result(const json& d, std::string& err) {
  Reader rd(d, err);
  CertificationResult r;
  r.status = rd.str("status", true, 32);
  r.valid_until = rd.str("valid_until", false, 10);
  r.reason = rd.str("reason", false, 512);
  r.insured_region = rd.str("insured_region", false, 6);
  if (rd.ok() && r.status != "certified" && r.status != "rejected") rd.fail("unknown certification status");
  return done(rd, r);
}

json to_json(const RecordTable& r) {
  json summary = json::array();
  for (auto& [k, v] : r.summary) summary.push_back({{"label", k}, {"value", v}});
  return {
      {"kind", r.kind}, {"title", r.title}, {"summary", summary}, {"columns", r.columns}, {"rows", r.rows}};
}
std::optional<RecordTable> parse_record_table(const json& d, std::string& err) {
  Reader rd(d, err);
  RecordTable r;
  r.kind = rd.str("kind", true, 32);
  r.title = rd.str("title", true, 256);
  if (auto* s = rd.array("summary", false, 200)) {
    for (auto& e : *s) {
      Reader er(e, err);
      auto label = er.str("label", true, 128);
      auto value = er.str("value", true, 512);
      if (!er.ok()) return std::nullopt;
      r.summary.emplace_back(label, value);
    }
  }
  r.columns = string_list(rd, rd.array("columns", false, 32), "columns");
  if (auto* rows = rd.array("rows", false, 5000)) {
    for (auto& row : *rows) {
      if (!row.is_array() || row.size() != r.columns.size()) {
        rd.fail("row width does not match columns");
        break;
      }
      std::vector<std::string> cells;
      for (auto& c : row) {
        if (!c.is_string()) {
          rd.fail("cells must be strings");
          break;
        }
        cells.push_back(c.get<std::string>());
      }
      r.rows.push_back(std::move(cells));
    }
  }
  return done(rd, r);
}

json to_json(const CertificateResult& r) {
  json j = {{"certificate_no", r.certificate_no},
            {"verification_code", r.verification_code},
            {"verify_url", r.verify_url},
            {"issued_at", r.issued_at},
            {"record", to_json(r.record)}};
  if (!r.pdf_base64.empty()) j["pdf_base64"] = r.pdf_base64;
  return j;
}
std::optional<CertificateResult> parse_certificate_result(const json& d, std::string& err) {
  Reader rd(d, err);
  CertificateResult r;
  r.certificate_no = rd.str("certificate_no", true, 64);
  r.verification_code = rd.str("verification_code", true, 64);
  r.verify_url = rd.str("verify_url", false, 512);
  r.issued_at = rd.str("issued_at", true, 40);
  r.pdf_base64 = rd.str("pdf_base64", false, kMaxBodyBytes);
  if (auto* rec = rd.object("record", true)) {
    auto t = parse_record_table(*rec, err);
    if (!t) return std::nullopt;
    r.record = std::move(*t);
  }
  return done(rd, r);
}

json to_json(const LossReportResult& r) {
  return {{"card_status", r.card_status}, {"effective_at", r.effective_at}, {"expires_at", r.expires_at}};
}
std::optional<LossReportResult> parse_loss_report_result(const json& d, std::string& err) {
  Reader rd(d, err);
  LossReportResult r;
  r.card_status = rd.str("card_status", true, 32);
  r.effective_at = rd.str("effective_at", true, 40);
  r.expires_at = rd.str("expires_at", false, 40);
  return done(rd, r);
}

json to_json(const VoucherIdentity& r) {
  return {
      {"name", r.name}, {"id_number", r.id_number}, {"insured_region", r.insured_region}, {"kind", r.kind}};
}
std::optional<VoucherIdentity> parse_voucher_identity(const json& d, std::string& err) {
  Reader rd(d, err);
  VoucherIdentity r;
  r.name = rd.str("name", true, 256);
  r.id_number = rd.str("id_number", true, 32);
  r.insured_region = rd.str("insured_region", true, 6);
  r.kind = rd.str("kind", false, 32);
  if (rd.ok() && !valid_region_code(r.insured_region)) rd.fail("insured_region invalid");
  return done(rd, r);
}

json to_json(const std::vector<CaseInfo>& cases) {
  json arr = json::array();
  for (auto& c : cases)
    arr.push_back({{"case_no", c.case_no},
                   {"item_name", c.item_name},
                   {"status", c.status},
                   {"handling_region", c.handling_region},
                   {"updated_at", c.updated_at}});
  return {{"cases", arr}};
}
std::optional<std::vector<CaseInfo>> parse_cases(const json& d, std::string& err) {
  Reader rd(d, err);
  std::vector<CaseInfo> out;
  if (auto* arr = rd.array("cases", true, 1000)) {
    for (auto& e : *arr) {
      Reader er(e, err);
      CaseInfo c;
      c.case_no = er.str("case_no", true, 64);
      c.item_name = er.str("item_name", true, 256);
      c.status = er.str("status", true, 32);
      c.handling_region = er.str("handling_region", false, 6);
      c.updated_at = er.str("updated_at", false, 40);
      if (!er.ok()) return std::nullopt;
      out.push_back(std::move(c));
    }
  }
  return done(rd, out);
}

json to_json(const CatalogResult& r) {
  json items = json::array();
  for (auto& i : r.items)
    items.push_back({{"code", i.code}, {"name", i.name}, {"mode", i.mode}, {"department", i.department}});
  return {{"version", r.version}, {"items", items}};
}
std::optional<CatalogResult> parse_catalog_result(const json& d, std::string& err) {
  Reader rd(d, err);
  CatalogResult r;
  r.version = static_cast<int>(rd.integer("version", true, 0, 1000000000));
  if (auto* arr = rd.array("items", true, 5000)) {
    for (auto& e : *arr) {
      Reader er(e, err);
      CatalogItem i;
      i.code = er.str("code", true, 64);
      i.name = er.str("name", true, 256);
      i.mode = er.str("mode", false, 64);
      i.department = er.str("department", false, 128);
      if (!er.ok()) return std::nullopt;
      r.items.push_back(std::move(i));
    }
  }
  return done(rd, r);
}

json to_json(const StaffCallResult& r) {
  return {{"ticket", r.ticket}, {"eta_seconds", r.eta_seconds}};
}
std::optional<StaffCallResult> parse_staff_call_result(const json& d, std::string& err) {
  Reader rd(d, err);
  StaffCallResult r;
  r.ticket = rd.str("ticket", true, 64);
  r.eta_seconds = static_cast<int>(rd.integer("eta_seconds", false, 0, 86400));
  return done(rd, r);
}

json to_json(const HeartbeatResult& r) {
  return {{"server_time", r.server_time}, {"config_version", r.config_version}};
}
std::optional<HeartbeatResult> parse_heartbeat_result(const json& d, std::string& err) {
  Reader rd(d, err);
  HeartbeatResult r;
  r.server_time = rd.str("server_time", true, 40);
  r.config_version = static_cast<int>(rd.integer("config_version", false, 0, 1000000000));
  return done(rd, r);
}

// ---- certificate_query / registration_submit ------------------------------------------------------
namespace {
constexpr const char* kCertificateKinds[] = {"employment_card", "technical_school", "skill_qualification",
                                             "professional_qualification", "skill_level"};
constexpr const char* kRegistrationKinds[] = {"unemployment", "resident_pension", "medical_filing"};
template <std::size_t N>
bool one_of(const char* const (&set)[N], std::string_view s) {
  for (auto* k : set)
    if (s == k) return true;
  return false;
}
bool word(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}
}  // namespace

bool valid_certificate_kind(std::string_view kind) {
  return one_of(kCertificateKinds, kind);
}
bool valid_registration_kind(std::string_view kind) {
  return one_of(kRegistrationKinds, kind);
}

json to_body(const CertificateQueryRequest& r) {
  json j = {{"kind", r.kind}};
  if (!r.id_number.empty()) j["id_number"] = r.id_number;
  if (!r.certificate_no.empty()) j["certificate_no"] = r.certificate_no;
  return j;
}
std::optional<CertificateQueryRequest> parse_certificate_query(const json& b, std::string& err) {
  Reader rd(b, err);
  CertificateQueryRequest r;
  r.kind = rd.str("kind", true, 32);
  r.id_number = rd.str("id_number", false, 32);
  r.certificate_no = rd.str("certificate_no", false, 40);
  if (rd.ok() && !valid_certificate_kind(r.kind)) rd.fail("unknown certificate kind");
  if (rd.ok() && r.id_number.empty() && r.certificate_no.empty())
    rd.fail("id_number or certificate_no required");
  return done(rd, r);
}

json to_body(const RegistrationSubmitRequest& r) {
  json choices = json::object();
  for (auto& [k, v] : r.choices) choices[k] = v;
  return {{"item_code", r.item_code},
          {"kind", r.kind},
          {"id_number", r.id_number},
          {"name", r.name},
          {"insured_region", r.insured_region},
          {"terminal_region", r.terminal_region},
          {"choices", choices}};
}
std::optional<RegistrationSubmitRequest> parse_registration_submit(const json& b, std::string& err) {
  Reader rd(b, err);
  RegistrationSubmitRequest r;
  r.item_code = rd.str("item_code", true, 32);
  r.kind = rd.str("kind", true, 32);
  r.id_number = rd.str("id_number", true, 32);
  r.name = rd.str("name", true, 256);
  r.insured_region = rd.str("insured_region", true, 6);
  r.terminal_region = rd.str("terminal_region", false, 6);
  if (auto* c = rd.object("choices", false)) {
    if (c->size() > 8) rd.fail("too many choices");
    for (auto& [k, v] : c->items()) {
      if (!rd.ok()) break;
      if (!word(k) || !v.is_string() || !word(v.get<std::string>())) {
        rd.fail("choices are word → word");
        break;
      }
      r.choices.emplace_back(k, v.get<std::string>());
    }
  }
  if (rd.ok() && !valid_registration_kind(r.kind)) rd.fail("unknown registration kind");
  if (rd.ok() && !valid_region_code(r.insured_region)) rd.fail("insured_region is not a 6-digit code");
  if (rd.ok() && !r.terminal_region.empty() && !valid_region_code(r.terminal_region))
    rd.fail("terminal_region is not a 6-digit code");
  if (rd.ok() && !valid_id(r.id_number)) rd.fail("id_number empty");
  return done(rd, r);
}

json to_json(const CertificateQueryResult& r) {
  json certs = json::array();
  for (auto& c : r.certificates)
    certs.push_back({{"kind", c.kind},
                     {"name", c.name},
                     {"certificate_no", c.certificate_no},
                     {"holder", c.holder},
                     {"issuer", c.issuer},
                     {"issued_on", c.issued_on},
                     {"status", c.status}});
  return {{"certificates", certs},
          {"verification_code", r.verification_code},
          {"verify_url", r.verify_url},
          {"checked_at", r.checked_at},
          {"record", to_json(r.record)}};
}
std::optional<CertificateQueryResult> parse_certificate_query_result(const json& d, std::string& err) {
  Reader rd(d, err);
  CertificateQueryResult r;
  r.verification_code = rd.str("verification_code", true, 64);
  r.verify_url = rd.str("verify_url", false, 512);
  r.checked_at = rd.str("checked_at", true, 40);
  if (auto* arr = rd.array("certificates", true, 100)) {
    for (auto& e : *arr) {
      Reader er(e, err);
      HeldCertificate c;
      c.kind = er.str("kind", true, 32);
      c.name = er.str("name", true, 256);
      c.certificate_no = er.str("certificate_no", true, 40);
      c.holder = er.str("holder", false, 256);
      c.issuer = er.str("issuer", true, 256);
      c.issued_on = er.str("issued_on", true, 10);
      c.status = er.str("status", true, 16);
      if (er.ok() && c.status != "valid" && c.status != "revoked" && c.status != "expired")
        er.fail("unknown certificate status");
      if (!er.ok()) return std::nullopt;
      r.certificates.push_back(std::move(c));
    }
  }
  if (!rd.ok()) return std::nullopt;
  if (auto* rec = rd.object("record", true)) {
    auto t = parse_record_table(*rec, err);
    if (!t) return std::nullopt;
    r.record = std::move(*t);
  }
  return done(rd, r);
}

json to_json(const RegistrationResult& r) {
  return {{"status", r.status},
          {"case_no", r.case_no},
          {"effective_from", r.effective_from},
          {"valid_until", r.valid_until},
          {"record", to_json(r.record)}};
}
std::optional<RegistrationResult> parse_registration_result(const json& d, std::string& err) {
  Reader rd(d, err);
  RegistrationResult r;
  r.status = rd.str("status", true, 16);
  r.case_no = rd.str("case_no", true, 40);
  r.effective_from = rd.str("effective_from", true, 10);
  r.valid_until = rd.str("valid_until", false, 10);
  if (rd.ok() && r.status != "registered" && r.status != "accepted") rd.fail("unknown registration status");
  if (!rd.ok()) return std::nullopt;
  if (auto* rec = rd.object("record", true)) {
    auto t = parse_record_table(*rec, err);
    if (!t) return std::nullopt;
    r.record = std::move(*t);
  }
  return done(rd, r);
}

}  // namespace kiosk::platform
