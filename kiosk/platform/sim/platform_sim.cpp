#include "kiosk/platform/sim/platform_sim.hpp"

#include <httplib.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "kiosk/core/mask.hpp"
#include "kiosk/platform/messages.hpp"
#include "kiosk/store/sqlite.hpp"

namespace kiosk::platform::sim {

// Generated from data/residents.json at build time (fixture_data.cpp.in).
const char* builtin_fixture();

using nlohmann::json;
using store::Db;

std::optional<Fault> parse_fault(std::string_view spec) {
  Fault f;
  auto eq = spec.find('=');
  std::string_view name = spec.substr(0, eq);
  int value = 0;
  if (eq != std::string_view::npos) {
    auto v = spec.substr(eq + 1);
    if (v.empty() || v.size() > 7) return std::nullopt;
    for (char c : v) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
  }
  if (name == "latency" && eq != std::string_view::npos)
    f = {Fault::Kind::Latency, value, 0};
  else if (name == "status" && value >= 400 && value <= 599)
    f = {Fault::Kind::Status, 0, value};
  else if (name == "timeout" && eq != std::string_view::npos)
    f = {Fault::Kind::Timeout, value, 0};
  else if (name == "malformed")
    f = {Fault::Kind::Malformed, 0, 0};
  else if (name == "drop")
    f = {Fault::Kind::Drop, 0, 0};
  else if (name == "delay_after" && eq != std::string_view::npos)
    f = {Fault::Kind::DelayAfter, value, 0};
  else
    return std::nullopt;
  return f;
}

namespace {

const char* kSchema = R"(
CREATE TABLE regions(code TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE residents(
  id_number TEXT PRIMARY KEY, name TEXT NOT NULL, gender TEXT, household_region TEXT,
  insured_region TEXT NOT NULL, employer TEXT, insured_since TEXT, retired_since TEXT,
  pension_monthly INTEGER, injury_benefit_monthly INTEGER, contribution_base INTEGER,
  certification_status TEXT, certification_valid_until TEXT, sscard_number TEXT, sscard_status TEXT);
CREATE TABLE contributions(id_number TEXT, month TEXT, insurance TEXT, base INTEGER, personal INTEGER,
  employer INTEGER, region TEXT);
CREATE INDEX contributions_id ON contributions(id_number, month);
CREATE TABLE housing_fund(id_number TEXT PRIMARY KEY, account TEXT, status TEXT, balance INTEGER, monthly INTEGER);
CREATE TABLE vouchers(token TEXT PRIMARY KEY, kind TEXT, id_number TEXT, expired INTEGER);
CREATE TABLE cases(case_no TEXT PRIMARY KEY, id_number TEXT, item_name TEXT, status TEXT, handling_region TEXT,
  updated_at TEXT);
CREATE TABLE catalog(code TEXT PRIMARY KEY, name TEXT, mode TEXT, department TEXT);
CREATE TABLE transactions(seq INTEGER PRIMARY KEY AUTOINCREMENT, txn TEXT UNIQUE, endpoint TEXT, terminal_id TEXT,
  created_at TEXT);
CREATE TABLE certifications(txn TEXT, id_number TEXT, item_code TEXT, terminal_id TEXT, insured_region TEXT,
  status TEXT, idempotency_key TEXT, created_at TEXT);
CREATE TABLE ratings(txn TEXT, score INTEGER, comment TEXT, terminal_id TEXT, created_at TEXT);
CREATE TABLE staff_calls(ticket TEXT, terminal_id TEXT, reason TEXT, location TEXT, created_at TEXT);
CREATE TABLE heartbeats(terminal_id TEXT PRIMARY KEY, last_seen TEXT, status TEXT, outbox_pending INTEGER);
CREATE TABLE idempotency(key TEXT PRIMARY KEY, endpoint TEXT, reply TEXT, applied INTEGER, created_at TEXT);
CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE certificates(certificate_no TEXT PRIMARY KEY, id_number TEXT, kind TEXT, name TEXT, issuer TEXT,
  issued_on TEXT, status TEXT);
CREATE TABLE tax_payments(id_number TEXT, period TEXT, tax TEXT, item TEXT, amount INTEGER, paid_on TEXT,
  withholder TEXT);
CREATE TABLE housing_loans(id_number TEXT PRIMARY KEY, contract_no TEXT, lender TEXT, amount INTEGER,
  balance INTEGER, cleared_on TEXT);
CREATE TABLE employment(id_number TEXT PRIMARY KEY, status TEXT);
CREATE TABLE registrations(case_no TEXT PRIMARY KEY, id_number TEXT, kind TEXT, choices TEXT, status TEXT,
  region TEXT, created_at TEXT);
)";

std::string money(std::int64_t fen) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(fen / 100),
                static_cast<long long>(fen % 100));
  return buf;
}

std::tm beijing_now() {
  std::time_t t = std::time(nullptr) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}
std::string fmt_time(const char* f) {
  auto tm = beijing_now();
  char buf[64];
  std::strftime(buf, sizeof buf, f, &tm);
  return buf;
}
std::string iso_now() {
  return fmt_time("%Y-%m-%dT%H:%M:%S+08:00");
}
std::string this_month() {
  return fmt_time("%Y-%m");
}
std::string plus_years(int years) {
  auto tm = beijing_now();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900 + years, tm.tm_mon + 1,
                std::min(tm.tm_mday, 28));
  return buf;
}

// "YYYY-MM" → months since year 0, and back.
int month_index(const std::string& ym) {
  if (ym.size() < 7) return 0;
  return std::stoi(ym.substr(0, 4)) * 12 + std::stoi(ym.substr(5, 2)) - 1;
}
std::string month_str(int idx) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d", idx / 12, idx % 12 + 1);
  return buf;
}

std::string hex_digest(const std::string& s, std::size_t bytes) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(s.data()), s.size(), nullptr, 0);
  std::string out(2 * bytes + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), h, bytes);
  out.resize(2 * bytes);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string minimal_pdf(const std::string& line1, const std::string& line2) {
  std::string content = "BT /F1 14 Tf 72 760 Td (" + line1 + ") Tj 0 -24 Td (" + line2 + ") Tj ET";
  std::vector<std::string> objs = {
      "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R "
      ">> >> >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objs.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objs[i] + "\nendobj\n";
  }
  std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objs.size() + 1) + "\n0000000000 65535 f \n";
  for (auto o : offsets) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", o);
    pdf += buf;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objs.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

std::string base64(const std::string& bin) {
  std::string out(sodium_base64_ENCODED_LEN(bin.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bin.data()), bin.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

struct Resident {
  std::string id_number, name, gender, household_region, insured_region, employer, insured_since,
      retired_since;
  std::int64_t pension_monthly = 0, injury_monthly = 0, base = 0;
  std::string cert_status, cert_valid_until, sscard_number, sscard_status;
};

}  // namespace

struct PlatformSim::Impl {
  SimOptions opts;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;
  bool tls = false;
  std::string terminal_region;

  mutable std::mutex db_mu;  // guards db and stats
  Db db;
  SimStats stats;
  int catalog_version = 0;

  std::mutex fault_mu;
  std::deque<std::pair<std::optional<Endpoint>, Fault>> faults;

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;

  void seed(const json& fx);
  void sleep_ms(int ms) {
    std::unique_lock lk(stop_mu);
    stop_cv.wait_for(lk, std::chrono::milliseconds(ms), [this] { return stopping; });
  }
  std::optional<Fault> take_fault(Endpoint e) {
    std::lock_guard lk(fault_mu);
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (!it->first || *it->first == e) {
        Fault f = it->second;
        faults.erase(it);
        return f;
      }
    }
    return std::nullopt;
  }
  std::optional<Resident> resident(const std::string& id);
  std::string region_name(const std::string& code);
  std::string new_txn(Endpoint e, const std::string& terminal);
  Reply ok(Endpoint e, const Request& rq, json data, std::string msg, std::string msg_en);
  static Reply err(std::string code, std::string msg, std::string msg_en);
  Reply dispatch(const Request& rq, const std::string& idem_key, int& http_status);
  Reply handle(const Request& rq);
  RecordTable record(const Resident& r, RecordKind k, int year);
  Reply certificate_query(const Request& rq, const CertificateQueryRequest& b);
  Reply registration(const Request& rq, const RegistrationSubmitRequest& b);
  // Refusal for a certificate that cannot be issued (no records / loan not cleared), or nullopt.
  std::optional<Reply> cannot_issue(const Resident& r, RecordKind k, const RecordTable& t);
  void serve(const httplib::Request& req, httplib::Response& res);
};

void PlatformSim::Impl::seed(const json& fx) {
  db.exec(kSchema);
  store::Transaction tx(db);
  terminal_region =
      opts.terminal_region.empty() ? fx.value("terminal_region", "410100") : opts.terminal_region;
  catalog_version = fx.value("catalog_version", 1);
  for (auto& [code, name] : fx.at("regions").items()) {
    db.prepare("INSERT INTO regions VALUES(?,?)").bind(1, code).bind(2, name.get<std::string>()).run();
  }
  const int now_month = month_index(this_month());
  for (auto& r : fx.at("residents")) {
    auto id = r.at("id_number").get<std::string>();
    auto st = db.prepare("INSERT INTO residents VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, id).bind(2, r.at("name").get<std::string>()).bind(3, r.value("gender", ""));
    st.bind(4, r.value("household_region", "")).bind(5, r.at("insured_region").get<std::string>());
    st.bind(6, r.value("employer", ""))
        .bind(7, r.value("insured_since", ""))
        .bind(8, r.value("retired_since", ""));
    st.bind(9, r.value("pension_monthly", std::int64_t{0}))
        .bind(10, r.value("injury_benefit_monthly", std::int64_t{0}));
    st.bind(11, r.value("contribution_base", std::int64_t{0})).bind(12, r.value("certification_status", ""));
    st.bind(13, r.value("certification_valid_until", "")).bind(14, r.value("sscard_number", ""));
    st.bind(15, r.value("sscard_status", "normal"));
    st.run();
    // Monthly contributions (pension, medical, unemployment) from 2000 (or first insured month) until
    // retirement or this month; the base grows ~6% a year back from today's.
    int from = std::max(month_index(r.value("insured_since", "2000-01")), month_index("2000-01"));
    auto retired = r.value("retired_since", "");
    int to = retired.empty() ? now_month : month_index(retired) - 1;
    if (r.value("contribution_base", std::int64_t{0}) == 0) to = from - 1;  // never in employee insurance
    std::int64_t base_now = r.value("contribution_base", std::int64_t{0});
    auto ins = db.prepare("INSERT INTO contributions VALUES(?,?,?,?,?,?,?)");
    for (int m = from; m <= to; ++m) {
      double years_back = (to - m) / 12.0;
      auto base = static_cast<std::int64_t>(static_cast<double>(base_now) / std::pow(1.06, years_back));
      base -= base % 100;
      struct Rate {
        const char* name;
        int personal_permille, employer_permille;
      };
      for (auto rate : {Rate{"养老保险", 80, 160}, Rate{"医疗保险", 20, 80}, Rate{"失业保险", 5, 5}}) {
        ins.bind(1, id).bind(2, month_str(m)).bind(3, rate.name).bind(4, base);
        ins.bind(5, base * rate.personal_permille / 1000).bind(6, base * rate.employer_permille / 1000);
        ins.bind(7, r.at("insured_region").get<std::string>());
        ins.run();
        ins.reset();
      }
    }
    if (auto hf = r.find("housing_fund"); hf != r.end() && hf->is_object()) {
      db.prepare("INSERT INTO housing_fund VALUES(?,?,?,?,?)")
          .bind(1, id)
          .bind(2, hf->value("account", ""))
          .bind(3, hf->value("status", ""))
          .bind(4, hf->value("balance", std::int64_t{0}))
          .bind(5, hf->value("monthly", std::int64_t{0}))
          .run();
    }
    for (auto& v : r.value("vouchers", json::array())) {
      db.prepare("INSERT INTO vouchers VALUES(?,?,?,?)")
          .bind(1, v.at("token").get<std::string>())
          .bind(2, v.value("kind", "medical_voucher"))
          .bind(3, id)
          .bind(4, v.value("expired", false) ? 1 : 0)
          .run();
    }
    for (auto& c : r.value("certificates", json::array())) {
      db.prepare("INSERT INTO certificates VALUES(?,?,?,?,?,?,?)")
          .bind(1, c.at("certificate_no").get<std::string>())
          .bind(2, id)
          .bind(3, c.at("kind").get<std::string>())
          .bind(4, c.value("name", ""))
          .bind(5, c.value("issuer", ""))
          .bind(6, c.value("issued_on", ""))
          .bind(7, c.value("status", "valid"))
          .run();
    }
    for (auto& t : r.value("tax_payments", json::array())) {
      db.prepare("INSERT INTO tax_payments VALUES(?,?,?,?,?,?,?)")
          .bind(1, id)
          .bind(2, t.value("period", ""))
          .bind(3, t.value("tax", ""))
          .bind(4, t.value("item", ""))
          .bind(5, t.value("amount", std::int64_t{0}))
          .bind(6, t.value("paid_on", ""))
          .bind(7, t.value("withholder", ""))
          .run();
    }
    if (auto hl = r.find("housing_loan"); hl != r.end() && hl->is_object()) {
      db.prepare("INSERT INTO housing_loans VALUES(?,?,?,?,?,?)")
          .bind(1, id)
          .bind(2, hl->value("contract_no", ""))
          .bind(3, hl->value("lender", ""))
          .bind(4, hl->value("amount", std::int64_t{0}))
          .bind(5, hl->value("balance", std::int64_t{0}))
          .bind(6, hl->value("cleared_on", ""))
          .run();
    }
    db.prepare("INSERT INTO employment VALUES(?,?)")
        .bind(1, id)
        .bind(2, r.value("employment_status", "none"))
        .run();
    for (auto& c : r.value("cases", json::array())) {
      db.prepare("INSERT INTO cases VALUES(?,?,?,?,?,?)")
          .bind(1, c.at("case_no").get<std::string>())
          .bind(2, id)
          .bind(3, c.value("item_name", ""))
          .bind(4, c.value("status", ""))
          .bind(5, c.value("handling_region", ""))
          .bind(6, c.value("updated_at", ""))
          .run();
    }
  }
  for (auto& c : fx.value("catalog", json::array())) {
    db.prepare("INSERT INTO catalog VALUES(?,?,?,?)")
        .bind(1, c.at("code").get<std::string>())
        .bind(2, c.value("name", ""))
        .bind(3, c.value("mode", ""))
        .bind(4, c.value("department", ""))
        .run();
  }
  tx.commit();
}

std::optional<Resident> PlatformSim::Impl::resident(const std::string& id) {
  auto st = db.prepare(
      "SELECT id_number,name,gender,household_region,insured_region,employer,insured_since,retired_since,"
      "pension_monthly,injury_benefit_monthly,contribution_base,certification_status,certification_valid_"
      "until,"
      "sscard_number,sscard_status FROM residents WHERE id_number=?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  Resident r;
  r.id_number = st.col_text(0);
  r.name = st.col_text(1);
  r.gender = st.col_text(2);
  r.household_region = st.col_text(3);
  r.insured_region = st.col_text(4);
  r.employer = st.col_text(5);
  r.insured_since = st.col_text(6);
  r.retired_since = st.col_text(7);
  r.pension_monthly = st.col_int(8);
  r.injury_monthly = st.col_int(9);
  r.base = st.col_int(10);
  r.cert_status = st.col_text(11);
  r.cert_valid_until = st.col_text(12);
  r.sscard_number = st.col_text(13);
  r.sscard_status = st.col_text(14);
  return r;
}

std::string PlatformSim::Impl::region_name(const std::string& code) {
  auto st = db.prepare("SELECT name FROM regions WHERE code=?");
  st.bind(1, code);
  return st.step() ? st.col_text(0) : code;
}

std::string PlatformSim::Impl::new_txn(Endpoint e, const std::string& terminal) {
  auto st = db.prepare("INSERT INTO transactions(endpoint,terminal_id,created_at) VALUES(?,?,?)");
  st.bind(1, info(e).name).bind(2, terminal).bind(3, iso_now()).run();
  auto seq = db.last_insert_id();
  char buf[64];
  std::snprintf(buf, sizeof buf, "YW%s%s%06lld", terminal_region.c_str(), fmt_time("%Y%m%d").c_str(),
                static_cast<long long>(seq));
  db.prepare("UPDATE transactions SET txn=? WHERE seq=?").bind(1, buf).bind(2, seq).run();
  return buf;
}

Reply PlatformSim::Impl::ok(Endpoint e, const Request& rq, json data, std::string msg, std::string msg_en) {
  Reply r;
  r.code = "OK";
  r.message = std::move(msg);
  r.message_en = std::move(msg_en);
  r.request_id = rq.request_id;
  r.transaction_number = new_txn(e, rq.terminal_id);
  r.data = std::move(data);
  return r;
}

Reply PlatformSim::Impl::err(std::string code, std::string msg, std::string msg_en) {
  Reply r;
  r.code = std::move(code);
  r.message = std::move(msg);
  r.message_en = std::move(msg_en);
  return r;
}

RecordTable PlatformSim::Impl::record(const Resident& r, RecordKind k, int year) {
  RecordTable t;
  t.kind = to_string(k);
  const std::string region = region_name(r.insured_region);
  auto count_months = [&](const char* where_extra, auto... binds) {
    auto st = db.prepare(std::string("SELECT COUNT(DISTINCT month) FROM contributions WHERE id_number=? ") +
                         where_extra);
    st.bind(1, r.id_number);
    int i = 2;
    ((st.bind(i++, binds)), ...);
    st.step();
    return st.col_int(0);
  };
  switch (k) {
    case RecordKind::RightsRecord: {
      int y = year ? year : beijing_now().tm_year + 1900 - 1;
      t.title = "社会保险个人权益记录单（" + std::to_string(y) + "年度）";
      std::int64_t account = 0;
      {
        auto st =
            db.prepare("SELECT SUM(personal) FROM contributions WHERE id_number=? AND insurance='养老保险'");
        st.bind(1, r.id_number);
        if (st.step()) account = st.col_int(0);
      }
      t.summary = {{"姓名", r.name},
                   {"社会保障号码", r.id_number},
                   {"参保地", region},
                   {"单位名称", r.employer},
                   {"首次参保时间", r.insured_since},
                   {"累计缴费月数", std::to_string(count_months(""))},
                   {"个人账户累计储存额", money(account)}};
      t.columns = {"险种", "缴费月数", "缴费基数", "个人缴费", "单位缴费"};
      auto st = db.prepare(
          "SELECT insurance, COUNT(*), MAX(base), SUM(personal), SUM(employer) FROM contributions "
          "WHERE id_number=? AND month LIKE ? GROUP BY insurance ORDER BY insurance");
      st.bind(1, r.id_number).bind(2, std::to_string(y) + "-%");
      while (st.step())
        t.rows.push_back({st.col_text(0), std::to_string(st.col_int(1)), money(st.col_int(2)),
                          money(st.col_int(3)), money(st.col_int(4))});
      break;
    }
    case RecordKind::InsuredCertificate: {
      t.title = "个人社保参保证明";
      const bool retired = !r.retired_since.empty();
      t.summary = {{"姓名", r.name},
                   {"社会保障号码", r.id_number},
                   {"参保地", region},
                   {"参保状态", retired ? "退休（领取待遇）" : "正常参保"},
                   {"首次参保时间", r.insured_since}};
      t.columns = {"险种", "参保状态", "起始年月", "截止年月", "累计月数"};
      auto st = db.prepare(
          "SELECT insurance, MIN(month), MAX(month), COUNT(*) FROM contributions WHERE id_number=? "
          "GROUP BY insurance ORDER BY insurance");
      st.bind(1, r.id_number);
      while (st.step())
        t.rows.push_back({st.col_text(0), retired ? "暂停缴费" : "参保缴费", st.col_text(1), st.col_text(2),
                          std::to_string(st.col_int(3))});
      break;
    }
    case RecordKind::Contributions: {
      t.title = year ? "社会保险参保缴费记录（" + std::to_string(year) + "年）"
                     : "社会保险参保缴费记录（最近24个月）";
      t.summary = {{"姓名", r.name}, {"社会保障号码", r.id_number}, {"参保地", region}};
      t.columns = {"年月", "险种", "缴费基数", "个人缴费", "单位缴费", "参保地"};
      if (!year) {
        // last 24 months of contributions
        auto last = db.prepare("SELECT MAX(month) FROM contributions WHERE id_number=?");
        last.bind(1, r.id_number);
        std::string from = "0000-00";
        if (last.step() && !last.col_null(0)) from = month_str(month_index(last.col_text(0)) - 23);
        auto st = db.prepare(
            "SELECT month, insurance, base, personal, employer, region FROM contributions WHERE id_number=? "
            "AND month >= ? ORDER BY month, insurance");
        st.bind(1, r.id_number).bind(2, from);
        while (st.step())
          t.rows.push_back({st.col_text(0), st.col_text(1), money(st.col_int(2)), money(st.col_int(3)),
                            money(st.col_int(4)), region_name(st.col_text(5))});
      } else {
        auto st = db.prepare(
            "SELECT month, insurance, base, personal, employer, region FROM contributions WHERE id_number=? "
            "AND month LIKE ? ORDER BY month, insurance");
        st.bind(1, r.id_number).bind(2, std::to_string(year) + "-%");
        while (st.step())
          t.rows.push_back({st.col_text(0), st.col_text(1), money(st.col_int(2)), money(st.col_int(3)),
                            money(st.col_int(4)), region_name(st.col_text(5))});
      }
      break;
    }
    case RecordKind::HousingFund: {
      t.title = "个人住房公积金缴存信息";
      auto st = db.prepare("SELECT account, status, balance, monthly FROM housing_fund WHERE id_number=?");
      st.bind(1, r.id_number);
      if (!st.step()) break;
      std::int64_t monthly = st.col_int(3);
      t.summary = {{"姓名", r.name},
                   {"公积金账号", st.col_text(0)},
                   {"缴存地", region},
                   {"账户状态", st.col_text(1)},
                   {"账户余额", money(st.col_int(2))},
                   {"月缴存额", money(monthly)}};
      t.columns = {"年月", "缴存额", "业务类型"};
      if (monthly > 0) {
        int now = month_index(this_month());
        for (int m = now - 11; m <= now; ++m) t.rows.push_back({month_str(m), money(monthly), "汇缴"});
      }
      break;
    }
    case RecordKind::TaxPayment: {
      // 税收完税证明（文书式）: the taxes paid (withheld) in the person's name, by period.
      t.title = "中华人民共和国税收完税证明";
      auto st = db.prepare(
          "SELECT tax, item, period, paid_on, amount, withholder FROM tax_payments WHERE id_number=? "
          "ORDER BY period");
      st.bind(1, r.id_number);
      std::int64_t total = 0;
      std::string first, last;
      t.columns = {"税种", "品目名称", "税款所属时期", "入（退）库日期", "实缴（退）金额"};
      while (st.step()) {
        total += st.col_int(4);
        if (first.empty()) first = st.col_text(2);
        last = st.col_text(2);
        t.rows.push_back(
            {st.col_text(0), st.col_text(1), st.col_text(2), st.col_text(3), money(st.col_int(4))});
      }
      if (t.rows.empty()) break;
      const std::string city = region.size() > 9 ? region.substr(9) : region;  // "河南省郑州市" → "郑州市"
      t.summary = {{"纳税人名称", r.name},
                   {"纳税人识别号", r.id_number},
                   {"税务机关", "国家税务总局" + city + "税务局"},
                   {"税款所属时期", first + " 至 " + last},
                   {"合计金额", money(total) + " 元"}};
      break;
    }
    case RecordKind::HousingLoanClearance: {
      t.title = "住房公积金个人住房贷款全部还清证明";
      auto st = db.prepare(
          "SELECT contract_no, lender, amount, balance, cleared_on FROM housing_loans WHERE id_number=?");
      st.bind(1, r.id_number);
      if (!st.step()) break;
      const bool cleared = st.col_int(3) == 0 && !st.col_text(4).empty();
      t.summary = {
          {"借款人", r.name},
          {"贷款合同编号", st.col_text(0)},
          {"贷款银行", st.col_text(1)},
          {"贷款金额", money(st.col_int(2)) + " 元"},
          {"贷款状态", cleared ? "已全部还清" : "未还清"},
          {cleared ? "还清日期" : "剩余本金", cleared ? st.col_text(4) : money(st.col_int(3)) + " 元"},
          {"出具单位", region + "住房公积金管理中心"}};
      break;
    }
  }
  return t;
}

std::optional<Reply> PlatformSim::Impl::cannot_issue(const Resident&, RecordKind k, const RecordTable& t) {
  if (k == RecordKind::TaxPayment && t.rows.empty())
    return err("NOT_FOUND", "未查询到您的完税记录，如有疑问请咨询12366纳税服务热线",
               "No tax payments found. Call the 12366 tax hotline with questions.");
  if (k == RecordKind::HousingLoanClearance) {
    if (t.summary.empty())
      return err("NOT_FOUND", "未查询到您的住房公积金个人住房贷款", "No housing provident fund loan found.");
    for (auto& [label, value] : t.summary)
      if (label == "贷款状态" && value != "已全部还清")
        return err(
            "LOAN_NOT_CLEARED", "您的住房公积金贷款尚未还清，暂不能开具还清证明",
            "Your housing fund loan is not fully repaid yet; the clearance certificate cannot be issued.");
  }
  return std::nullopt;
}

namespace {
const char* certificate_kind_name(const std::string& k) {
  if (k == "employment_card") return "就业创业证";
  if (k == "technical_school") return "技工院校毕业证书";
  if (k == "skill_qualification") return "技能人员职业资格证书";
  if (k == "professional_qualification") return "专业技术人员职业资格证书";
  return "职业技能等级证书";
}
const char* status_words(const std::string& s) {
  if (s == "valid") return "有效";
  if (s == "expired") return "已过期";
  return "已注销";
}
}  // namespace

Reply PlatformSim::Impl::certificate_query(const Request& rq, const CertificateQueryRequest& b) {
  auto st = db.prepare(
      "SELECT c.kind, c.name, c.certificate_no, r.name, c.issuer, c.issued_on, c.status FROM certificates c "
      "JOIN residents r ON r.id_number = c.id_number WHERE c.kind = ?1 AND "
      "((?2 != '' AND c.id_number = ?2) OR (?3 != '' AND c.certificate_no = ?3)) ORDER BY c.issued_on");
  st.bind(1, b.kind).bind(2, b.id_number).bind(3, b.certificate_no);
  CertificateQueryResult out;
  while (st.step()) {
    HeldCertificate c{st.col_text(0), st.col_text(1), st.col_text(2), st.col_text(3),
                      st.col_text(4), st.col_text(5), st.col_text(6)};
    // Looked up by number (核验): the holder's name goes out masked, the verifier compares it.
    if (b.id_number.empty()) c.holder = core::mask_name(c.holder);
    out.certificates.push_back(std::move(c));
  }
  const std::string kind_name = certificate_kind_name(b.kind);
  if (out.certificates.empty())
    return err("NOT_FOUND", "未查询到您的" + kind_name + "信息，如有疑问请咨询发证机构",
               "No certificate of this kind was found. Ask the issuing authority.");
  out.checked_at = iso_now();
  out.verification_code = hex_digest(b.kind + b.id_number + b.certificate_no + out.checked_at, 4);
  out.verify_url = "https://zwfw.sim.invalid/cert-verify?code=" + out.verification_code;
  out.record.kind = b.kind;
  out.record.title = kind_name + "查询结果";
  out.record.columns = {"证书名称", "证书编号", "发证机构", "发证日期", "状态"};
  int i = 0;
  for (auto& c : out.certificates) {
    ++i;
    std::string n = out.certificates.size() > 1 ? std::to_string(i) + ". " : "";
    out.record.summary.emplace_back(n + "证书", c.name + "（" + status_words(c.status) + "）");
    out.record.summary.emplace_back("证书编号", c.certificate_no);
    out.record.summary.emplace_back("发证机构", c.issuer + "，" + c.issued_on);
    out.record.rows.push_back({c.name, c.certificate_no, c.issuer, c.issued_on, status_words(c.status)});
  }
  out.record.summary.emplace_back("核验码", out.verification_code);
  return ok(rq.endpoint, rq, to_json(out), "查询成功", "Found");
}

Reply PlatformSim::Impl::registration(const Request& rq, const RegistrationSubmitRequest& b) {
  auto r = resident(b.id_number);
  if (!r)
    return err("NOT_FOUND", "未查询到您的信息，请到人工窗口办理",
               "No record of you; please go to a staffed window.");
  if (r->name != b.name)
    return err("IDENTITY_MISMATCH", "姓名与证件号码不一致", "Name does not match the ID number.");
  std::string employment = "none";
  {
    auto st = db.prepare("SELECT status FROM employment WHERE id_number=?");
    st.bind(1, r->id_number);
    if (st.step()) employment = st.col_text(0);
  }
  auto choice = [&](const std::string& k) {
    for (auto& [ck, cv] : b.choices)
      if (ck == k) return cv;
    return std::string();
  };
  {
    auto dup =
        db.prepare("SELECT case_no FROM registrations WHERE id_number=? AND kind=? AND status != 'revoked'");
    dup.bind(1, r->id_number).bind(2, b.kind);
    if (dup.step())
      return err("ALREADY_REGISTERED", "您已办理过该登记（办件编号 " + dup.col_text(0) + "），无需重复办理",
                 "You are already registered (case " + dup.col_text(0) + ").");
  }
  const std::string here = b.terminal_region.empty() ? terminal_region : b.terminal_region;
  RegistrationResult out;
  out.effective_from = fmt_time("%Y-%m-%d");
  std::string item_name, msg, msg_en, handling = r->insured_region;
  if (b.kind == "unemployment") {
    if (employment == "retired" || !r->retired_since.empty())
      return err("NOT_ELIGIBLE", "您已办理退休，不能办理失业登记",
                 "You are retired; unemployment registration does not apply.");
    if (employment == "employed")
      return err("NOT_ELIGIBLE", "系统显示您仍在职参保，请先由原单位办理停保后再办理失业登记",
                 "You are still insured through an employer; the employer must stop your insurance first.");
    item_name = "失业登记";
    handling = here;
    out.status = "registered";
    out.record.title = "失业登记结果";
    out.record.summary = {
        {"登记类型", "失业登记"},
        {"登记地", region_name(here)},
        {"登记日期", out.effective_from},
        {"后续服务", "可凭本回执到登记地公共就业服务机构申领失业保险金、参加职业指导和培训"}};
    msg = "失业登记成功";
    msg_en = "Registered as unemployed";
  } else if (b.kind == "resident_pension") {
    static const char* kGrades[] = {"200", "300", "500", "1000", "2000", "5000"};
    const std::string grade = choice("grade");
    if (std::none_of(std::begin(kGrades), std::end(kGrades), [&](const char* g) { return grade == g; }))
      return err("BAD_CHOICE", "请选择缴费档次", "Choose a contribution grade.");
    if (r->pension_monthly > 0 || r->base > 0)
      return err(
          "ALREADY_INSURED", "您已参加职工基本养老保险，不能同时参加城乡居民养老保险",
          "You are already in the employees' pension scheme; you cannot join the residents' scheme as well.");
    item_name = "城乡居民养老保险参保登记";
    handling = r->household_region.empty() ? r->insured_region : r->household_region;
    out.status = "accepted";
    out.record.title = "城乡居民养老保险参保登记";
    out.record.summary = {{"参保地（户籍地）", region_name(handling)},
                          {"缴费档次", "每年 " + grade + " 元"},
                          {"办理状态", "已受理，待户籍地社保经办机构审核（一般5个工作日）"},
                          {"缴费方式", "审核通过后可通过税务APP或银行代扣缴费"}};
    msg = "参保登记已受理";
    msg_en = "Registration accepted for review";
  } else {
    const std::string type = choice("filing_type");
    const char* type_name = type == "long_term_residence" ? "异地长期居住人员"
                            : type == "work_elsewhere"    ? "常驻异地工作人员"
                            : type == "referral"          ? "异地转诊人员"
                                                          : nullptr;
    if (!type_name) return err("BAD_CHOICE", "请选择备案类型", "Choose a filing type.");
    if (here.substr(0, 4) == r->insured_region.substr(0, 4))
      return err("NOT_NEEDED", "您的参保地与就医地相同，无需办理异地就医备案",
                 "You are insured where you are; no filing is needed.");
    item_name = "异地就医结算备案";
    out.status = "registered";
    if (type == "referral") {
      auto tm = beijing_now();
      int m = tm.tm_mon + 6;
      char buf[48];
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900 + m / 12, m % 12 + 1,
                    std::min(tm.tm_mday, 28));
      out.valid_until = buf;
    }
    out.record.title = "异地就医结算备案";
    out.record.summary = {
        {"备案类型", type_name},
        {"参保地", region_name(r->insured_region)},
        {"就医地", region_name(here)},
        {"生效日期", out.effective_from},
        {"有效期", out.valid_until.empty() ? "长期有效（变更时重新备案）" : "至 " + out.valid_until}};
    msg = "备案成功，可在就医地定点医药机构直接结算";
    msg_en = "Filed; medical bills can be settled directly at designated providers where you are";
  }
  out.record.kind = b.kind;
  Reply rep = ok(rq.endpoint, rq, json::object(), msg, msg_en);
  // 办件编号: BJ + yymmdd + the handling city's 4 digits + a 4-digit sequence (14 digits: short enough
  // to type on the keypad and not mistaken for an ID number by the log scrubber).
  auto seq = db.prepare("SELECT COUNT(*) FROM cases");
  seq.step();
  char no[48];
  std::snprintf(no, sizeof no, "BJ%s%s%04lld", fmt_time("%y%m%d").c_str(), handling.substr(0, 4).c_str(),
                static_cast<long long>(seq.col_int(0) % 10000 + 1));
  out.case_no = no;
  out.record.summary.insert(out.record.summary.begin(), {"办件编号", out.case_no});
  json choices = json::object();
  for (auto& [k, v] : b.choices) choices[k] = v;
  db.prepare("INSERT INTO registrations VALUES(?,?,?,?,?,?,?)")
      .bind(1, out.case_no)
      .bind(2, r->id_number)
      .bind(3, b.kind)
      .bind(4, choices.dump())
      .bind(5, out.status)
      .bind(6, handling)
      .bind(7, iso_now())
      .run();
  db.prepare("INSERT INTO cases VALUES(?,?,?,?,?,?)")
      .bind(1, out.case_no)
      .bind(2, r->id_number)
      .bind(3, item_name)
      .bind(4, out.status == "registered" ? "done" : "accepted")
      .bind(5, handling)
      .bind(6, iso_now())
      .run();
  rep.data = to_json(out);
  return rep;
}

Reply PlatformSim::Impl::handle(const Request& rq) {
  std::string e;
  const Reply not_found = err("NOT_FOUND", "未查询到参保人信息，请核对证件或到人工窗口咨询",
                              "No insured person found. Check your document or ask at a staffed window.");
  auto bad = [&](const std::string& why) {
    Reply r = err("BAD_REQUEST", "请求格式错误", "Malformed request: " + why);
    return r;
  };
  switch (rq.endpoint) {
    case Endpoint::IdentityCheck: {
      auto b = parse_identity_check(rq.body, e);
      if (!b) return bad(e);
      auto r = resident(b->id_number);
      if (!r) return not_found;
      if (r->name != b->name)
        return err("IDENTITY_MISMATCH", "姓名与证件号码不一致", "Name does not match the ID number.");
      IdentityCheckResult out;
      out.matched = true;
      out.household_region = r->household_region;
      out.insured_region = r->insured_region;
      out.insured_region_name = region_name(r->insured_region);
      out.cross_province = r->insured_region.substr(0, 2) != terminal_region.substr(0, 2);
      out.certification_status = r->cert_status;
      out.certification_valid_until = r->cert_valid_until;
      return ok(rq.endpoint, rq, to_json(out), "身份核验通过", "Identity verified");
    }
    case Endpoint::CertificationSubmit: {
      auto b = parse_certification_submit(rq.body, e);
      if (!b) return bad(e);
      auto r = resident(b->id_number);
      if (!r) return not_found;
      if (r->name != b->name)
        return err("IDENTITY_MISMATCH", "姓名与证件号码不一致", "Name does not match the ID number.");
      if (b->insured_region != r->insured_region)
        return err("REGION_MISMATCH", "参保地不符，请选择正确的参保地", "The insured region does not match.");
      const bool injury = b->item_code == "RS-003";
      if ((injury && r->injury_monthly == 0) || (!injury && r->pension_monthly == 0))
        return err("NOT_ELIGIBLE", "您当前不属于该待遇领取人员，无需认证",
                   "You are not receiving this benefit; no certification is needed.");
      CertificationResult out;
      out.insured_region = r->insured_region;
      if (!b->liveness.passed || b->liveness.score < 0.8 || b->face_quality < 0.5) {
        out.status = "rejected";
        out.reason = "人脸比对或活体检测未通过，请重新认证或到跨省通办窗口办理";
      } else {
        out.status = "certified";
        out.valid_until = plus_years(1);
        db.prepare(
              "UPDATE residents SET certification_status='certified', certification_valid_until=? "
              "WHERE id_number=?")
            .bind(1, out.valid_until)
            .bind(2, r->id_number)
            .run();
      }
      Reply rep = ok(rq.endpoint, rq, to_json(out), out.status == "certified" ? "认证成功" : "认证未通过",
                     out.status == "certified" ? "Certified" : "Certification not passed");
      db.prepare("INSERT INTO certifications VALUES(?,?,?,?,?,?,?,?)")
          .bind(1, rep.transaction_number)
          .bind(2, r->id_number)
          .bind(3, b->item_code)
          .bind(4, rq.terminal_id)
          .bind(5, b->insured_region)
          .bind(6, out.status)
          .bind(7, rq.idempotency_key)
          .bind(8, iso_now())
          .run();
      return rep;
    }
    case Endpoint::RecordQuery: {
      auto b = parse_record_query(rq.body, e);
      if (!b) return bad(e);
      auto r = resident(b->id_number);
      if (!r) return not_found;
      auto t = record(*r, b->kind, b->year);
      if (b->kind == RecordKind::HousingFund && t.summary.empty())
        return err("NOT_FOUND", "未查询到住房公积金账户", "No housing provident fund account found.");
      if (auto refused = cannot_issue(*r, b->kind, t); refused && b->kind == RecordKind::TaxPayment)
        return *refused;
      return ok(rq.endpoint, rq, to_json(t), "查询成功", "Found");
    }
    case Endpoint::CertificateIssue: {
      auto b = parse_certificate_issue(rq.body, e);
      if (!b) return bad(e);
      auto r = resident(b->id_number);
      if (!r) return not_found;
      CertificateResult out;
      out.record = record(*r, b->kind, 0);
      if (b->kind == RecordKind::HousingFund && out.record.summary.empty())
        return err("NOT_FOUND", "未查询到住房公积金账户", "No housing provident fund account found.");
      if (auto refused = cannot_issue(*r, b->kind, out.record)) return *refused;
      Reply rep = ok(rq.endpoint, rq, json::object(), "证明已开具", "Certificate issued");
      out.certificate_no = "ZM" + rep.transaction_number.substr(2);
      out.verification_code = hex_digest(out.certificate_no + r->id_number, 6);
      out.verify_url = "https://zwfw.sim.invalid/verify?code=" + out.verification_code;
      out.issued_at = iso_now();
      if (b->pdf)
        out.pdf_base64 = base64(
            minimal_pdf("Certificate " + out.certificate_no, "Verification code " + out.verification_code));
      rep.data = to_json(out);
      return rep;
    }
    case Endpoint::SsCardLossReport: {
      auto b = parse_sscard_loss_report(rq.body, e);
      if (!b) return bad(e);
      auto r = resident(b->id_number);
      if (!r) return not_found;
      if (!b->card_number.empty() && b->card_number != r->sscard_number)
        return err("CARD_MISMATCH", "社会保障卡卡号不符", "The card number does not match.");
      if (r->sscard_status != "normal")
        return err("ALREADY_LOST", "该社会保障卡已处于挂失状态", "This card is already reported lost.");
      db.prepare("UPDATE residents SET sscard_status='temporarily_lost' WHERE id_number=?")
          .bind(1, r->id_number)
          .run();
      LossReportResult out{"temporarily_lost", iso_now(), ""};
      return ok(rq.endpoint, rq, to_json(out), "临时挂失已生效，请尽快到社保卡服务网点办理正式挂失或解挂",
                "Temporary loss report in effect; visit a card service point to confirm or cancel it.");
    }
    case Endpoint::VoucherResolve: {
      auto b = parse_voucher_resolve(rq.body, e);
      if (!b) return bad(e);
      auto st = db.prepare("SELECT kind, id_number, expired FROM vouchers WHERE token=?");
      st.bind(1, b->token);
      if (!st.step() || st.col_text(0) != b->kind)
        return err("VOUCHER_INVALID", "无效的电子凭证，请刷新二维码后重试",
                   "Invalid e-voucher. Refresh the QR code and try again.");
      if (st.col_int(2))
        return err("VOUCHER_EXPIRED", "电子凭证已过期，请刷新二维码",
                   "The e-voucher has expired. Refresh the QR code.");
      auto r = resident(st.col_text(1));
      if (!r) return not_found;
      VoucherIdentity out{r->name, r->id_number, r->insured_region, b->kind};
      return ok(rq.endpoint, rq, to_json(out), "凭证有效", "Voucher valid");
    }
    case Endpoint::CaseLookup: {
      auto b = parse_case_lookup(rq.body, e);
      if (!b) return bad(e);
      auto st = db.prepare(
          "SELECT case_no,item_name,status,handling_region,updated_at FROM cases WHERE "
          "(?1 != '' AND id_number=?1) OR (?2 != '' AND (case_no=?2 OR substr(case_no,3)=?2)) "
          "ORDER BY updated_at DESC");
      st.bind(1, b->id_number).bind(2, b->case_no);
      std::vector<CaseInfo> cases;
      while (st.step())
        cases.push_back({st.col_text(0), st.col_text(1), st.col_text(2), st.col_text(3), st.col_text(4)});
      if (cases.empty() && !b->case_no.empty())
        return err("NOT_FOUND", "未查询到该办件", "No case with this number.");
      return ok(rq.endpoint, rq, to_json(cases), cases.empty() ? "暂无办件" : "查询成功",
                cases.empty() ? "No cases" : "Found");
    }
    case Endpoint::Rating: {
      auto b = parse_rating(rq.body, e);
      if (!b) return bad(e);
      auto known = db.prepare("SELECT 1 FROM transactions WHERE txn=?");
      known.bind(1, b->transaction_number);
      if (!known.step()) return err("NOT_FOUND", "未找到该业务流水号", "Unknown transaction number.");
      auto dup = db.prepare("SELECT 1 FROM ratings WHERE txn=?");
      dup.bind(1, b->transaction_number);
      if (dup.step()) return err("ALREADY_RATED", "该业务已评价", "This service has already been rated.");
      db.prepare("INSERT INTO ratings VALUES(?,?,?,?,?)")
          .bind(1, b->transaction_number)
          .bind(2, b->score)
          .bind(3, b->comment)
          .bind(4, rq.terminal_id)
          .bind(5, iso_now())
          .run();
      return ok(rq.endpoint, rq, json::object(), "感谢您的评价", "Thank you for your rating");
    }
    case Endpoint::Catalog: {
      auto b = parse_catalog(rq.body, e);
      if (!b) return bad(e);
      CatalogResult out;
      out.version = catalog_version;
      if (b->since_version < catalog_version) {
        auto st = db.prepare("SELECT code,name,mode,department FROM catalog ORDER BY code");
        while (st.step())
          out.items.push_back({st.col_text(0), st.col_text(1), st.col_text(2), st.col_text(3)});
      }
      return ok(rq.endpoint, rq, to_json(out), "事项清单", "Catalog");
    }
    case Endpoint::StaffCall: {
      auto b = parse_staff_call(rq.body, e);
      if (!b) return bad(e);
      Reply rep =
          ok(rq.endpoint, rq, json::object(), "已通知工作人员，请稍候", "Staff notified; please wait.");
      StaffCallResult out{"HJ" + rep.transaction_number.substr(rep.transaction_number.size() - 6), 120};
      db.prepare("INSERT INTO staff_calls VALUES(?,?,?,?,?)")
          .bind(1, out.ticket)
          .bind(2, rq.terminal_id)
          .bind(3, b->reason)
          .bind(4, b->location)
          .bind(5, iso_now())
          .run();
      rep.data = to_json(out);
      return rep;
    }
    case Endpoint::CertificateQuery: {
      auto b = parse_certificate_query(rq.body, e);
      if (!b) return bad(e);
      return certificate_query(rq, *b);
    }
    case Endpoint::RegistrationSubmit: {
      auto b = parse_registration_submit(rq.body, e);
      if (!b) return bad(e);
      return registration(rq, *b);
    }
    case Endpoint::Heartbeat: {
      auto b = parse_heartbeat(rq.body, e);
      if (!b) return bad(e);
      db.prepare("INSERT OR REPLACE INTO heartbeats VALUES(?,?,?,?)")
          .bind(1, rq.terminal_id)
          .bind(2, iso_now())
          .bind(3, b->status)
          .bind(4, b->outbox_pending)
          .run();
      HeartbeatResult out{iso_now(), catalog_version};
      return ok(rq.endpoint, rq, to_json(out), "", "");
    }
  }
  return bad("unknown endpoint");
}

Reply PlatformSim::Impl::dispatch(const Request& rq, const std::string& key, int& http_status) {
  std::lock_guard lk(db_mu);
  const bool keyed = !info(rq.endpoint).safe && !key.empty();
  if (keyed) {
    auto st = db.prepare("SELECT endpoint, reply FROM idempotency WHERE key=?");
    st.bind(1, key);
    if (st.step()) {
      if (st.col_text(0) != info(rq.endpoint).name) {
        http_status = 409;
        return err("IDEMPOTENCY_CONFLICT", "重复的请求标识", "Idempotency key reused for another endpoint.");
      }
      auto parsed = decode_reply(st.col_text(1));
      stats.replays++;
      if (parsed.reply) {
        parsed.reply->replayed = true;
        parsed.reply->request_id = rq.request_id;
        return *parsed.reply;
      }
    }
  }
  store::Transaction tx(db);
  Reply rep = handle(rq);
  if (rep.code == "BAD_REQUEST") {
    http_status = 400;
    return rep;  // rolled back; not recorded
  }
  rep.request_id = rq.request_id;
  if (keyed) {
    db.prepare("INSERT INTO idempotency VALUES(?,?,?,1,?)")
        .bind(1, key)
        .bind(2, info(rq.endpoint).name)
        .bind(3, encode_reply(rep))
        .bind(4, iso_now())
        .run();
  }
  tx.commit();
  return rep;
}

void PlatformSim::Impl::serve(const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  auto ep = endpoint_from_name(name);
  auto reply_json = [&](int status, const Reply& r) {
    res.status = status;
    res.set_content(encode_reply(r), "application/json");
  };
  if (!ep) {
    reply_json(404, err("NO_SUCH_ENDPOINT", "接口不存在", "No such endpoint"));
    return;
  }
  std::optional<Fault> fault = take_fault(*ep);
  if (!fault && req.has_header("X-Sim-Fault")) fault = parse_fault(req.get_header_value("X-Sim-Fault"));
  {
    std::lock_guard lk(db_mu);
    stats.requests[name]++;
    stats.last_accept_encoding = req.get_header_value("Accept-Encoding");
    if (fault) stats.faults++;
  }
  const Fault f = fault.value_or(Fault{});
  if (f.kind == Fault::Kind::Latency || f.kind == Fault::Kind::Timeout) sleep_ms(f.ms);
  if (f.kind == Fault::Kind::Status) {
    res.status = f.status;
    res.set_content("<html><body>" + std::to_string(f.status) + " upstream unavailable</body></html>",
                    "text/html");
    return;
  }
  auto parsed = decode_request(*ep, req.body);
  if (!parsed.request) {
    reply_json(400, err("BAD_REQUEST", "请求格式错误", "Malformed request: " + parsed.error));
    return;
  }
  int status = 200;
  Reply rep;
  try {
    rep = dispatch(*parsed.request, parsed.request->idempotency_key, status);
  } catch (const std::exception& ex) {
    spdlog::error("platform-sim: {} failed: {}", name, core::scrub(ex.what()));
    reply_json(500, err("INTERNAL", "平台内部错误", "Internal error"));
    return;
  }
  std::string body = encode_reply(rep);
  switch (f.kind) {
    case Fault::Kind::Malformed:
      res.status = 200;
      res.set_content(body.substr(0, body.size() / 2), "application/json");
      return;
    case Fault::Kind::Drop:
      res.status = 200;
      res.set_content_provider(body.size(), "application/json",
                               [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
      return;
    case Fault::Kind::DelayAfter:
      sleep_ms(f.ms);
      break;
    default:
      break;
  }
  res.status = status;
  res.set_content(body, "application/json");
}

PlatformSim::PlatformSim(SimOptions opts) : impl_(std::make_unique<Impl>()) {
  if (sodium_init() < 0) throw std::runtime_error("platform-sim: libsodium init failed");
  impl_->opts = std::move(opts);
  impl_->db = Db(impl_->opts.db_path);
  json fx;
  if (impl_->opts.fixture.empty()) {
    fx = json::parse(builtin_fixture(), nullptr, false);
  } else {
    std::ifstream in(impl_->opts.fixture);
    if (!in) throw std::runtime_error("platform-sim: cannot read fixture " + impl_->opts.fixture);
    fx = json::parse(in, nullptr, false);
  }
  if (fx.is_discarded() || !fx.is_object())
    throw std::runtime_error("platform-sim: fixture is not valid JSON");
  try {
    // A file database keeps its state across restarts; seed only once.
    bool seeded = false;
    try {
      auto st = impl_->db.prepare("SELECT v FROM meta WHERE k='seeded'");
      seeded = st.step();
    } catch (const store::SqliteError&) {
    }
    if (!seeded) {
      impl_->seed(fx);
      impl_->db.exec("INSERT INTO meta VALUES('seeded','1')");
    } else {
      impl_->terminal_region = impl_->opts.terminal_region.empty() ? fx.value("terminal_region", "410100")
                                                                   : impl_->opts.terminal_region;
      impl_->catalog_version = fx.value("catalog_version", 1);
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("platform-sim: fixture: ") + e.what());
  }
}

PlatformSim::~PlatformSim() {
  stop();
}

void PlatformSim::start() {
  auto& I = *impl_;
  if (!I.opts.tls_cert.empty()) {
    auto s =
        std::make_unique<httplib::SSLServer>(I.opts.tls_cert.c_str(), I.opts.tls_key.c_str(),
                                             I.opts.client_ca.empty() ? nullptr : I.opts.client_ca.c_str());
    if (!s->is_valid()) throw std::runtime_error("platform-sim: TLS certificate or key not usable");
    I.server = std::move(s);
    I.tls = true;
  } else {
    I.server = std::make_unique<httplib::Server>();
  }
  // One worker per kept-alive connection in cpp-httplib: enough workers for a few terminals'
  // connection pools, and idle connections released quickly.
  I.server->new_task_queue = [] { return new httplib::ThreadPool(24); };
  I.server->set_keep_alive_timeout(2);
  I.server->set_tcp_nodelay(true);  // headers and body go out in separate writes: avoid Nagle's 40 ms
  I.server->set_read_timeout(5, 0);
  I.server->set_write_timeout(5, 0);
  I.server->set_payload_max_length(kMaxBodyBytes);
  I.server->Post(R"(/api/v1/([a-z_]+))",
                 [this](const httplib::Request& q, httplib::Response& r) { impl_->serve(q, r); });
  I.server->Get("/healthz",
                [](const httplib::Request&, httplib::Response& r) { r.set_content("ok", "text/plain"); });
  I.server->Get("/sim/stats", [this](const httplib::Request&, httplib::Response& r) {
    auto s = stats();
    json j = {{"requests", s.requests}, {"replays", s.replays}, {"faults", s.faults}};
    r.set_content(j.dump(), "application/json");
  });
  // POST /sim/faults {"endpoint":"certification_submit","fault":"status=503","count":2}
  I.server->Post("/sim/faults", [this](const httplib::Request& q, httplib::Response& r) {
    auto j = json::parse(q.body, nullptr, false);
    std::optional<Fault> f;
    std::optional<Endpoint> ep;
    if (j.is_object() && j.contains("fault") && j["fault"].is_string())
      f = parse_fault(j["fault"].get<std::string>());
    if (j.is_object() && j.contains("endpoint") && j["endpoint"].is_string())
      ep = endpoint_from_name(j["endpoint"].get<std::string>());
    int count =
        j.is_object() && j.contains("count") && j["count"].is_number_integer() ? j["count"].get<int>() : 1;
    if (!f) {
      r.status = 400;
      r.set_content("bad fault spec", "text/plain");
      return;
    }
    inject(ep, *f, count);
    r.set_content("ok", "text/plain");
  });
  I.port = I.opts.port ? (I.server->bind_to_port(I.opts.host, I.opts.port) ? I.opts.port : -1)
                       : I.server->bind_to_any_port(I.opts.host);
  if (I.port <= 0) throw std::runtime_error("platform-sim: cannot bind " + I.opts.host);
  {
    std::lock_guard lk(I.stop_mu);
    I.stopping = false;
  }
  I.thread = std::thread([this] { impl_->server->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs: wait (bounded) so start/stop cannot race.
  for (int i = 0; i < 2000 && !I.server->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!I.server->is_running()) throw std::runtime_error("platform-sim: server did not start");
  spdlog::info("platform-sim: listening on {}", url());
}

void PlatformSim::stop() {
  auto& I = *impl_;
  {
    std::lock_guard lk(I.stop_mu);
    I.stopping = true;
  }
  I.stop_cv.notify_all();
  if (I.server) I.server->stop();
  if (I.thread.joinable()) I.thread.join();
}

int PlatformSim::port() const {
  return impl_->port;
}
std::string PlatformSim::url() const {
  return std::string(impl_->tls ? "https://" : "http://") + impl_->opts.host + ":" +
         std::to_string(impl_->port);
}

void PlatformSim::inject(std::optional<Endpoint> endpoint, Fault fault, int count) {
  std::lock_guard lk(impl_->fault_mu);
  for (int i = 0; i < count; ++i) impl_->faults.emplace_back(endpoint, fault);
}

void PlatformSim::clear_faults() {
  std::lock_guard lk(impl_->fault_mu);
  impl_->faults.clear();
}

SimStats PlatformSim::stats() const {
  std::lock_guard lk(impl_->db_mu);
  return impl_->stats;
}

int PlatformSim::applied_count(const std::string& key) const {
  std::lock_guard lk(impl_->db_mu);
  auto st = impl_->db.prepare("SELECT COALESCE(SUM(applied),0) FROM idempotency WHERE key=?");
  st.bind(1, key);
  st.step();
  return static_cast<int>(st.col_int(0));
}

int PlatformSim::certifications_for(const std::string& id) const {
  std::lock_guard lk(impl_->db_mu);
  auto st = impl_->db.prepare("SELECT COUNT(*) FROM certifications WHERE id_number=?");
  st.bind(1, id);
  st.step();
  return static_cast<int>(st.col_int(0));
}

std::string PlatformSim::certification_status(const std::string& id) const {
  std::lock_guard lk(impl_->db_mu);
  auto r = impl_->resident(id);
  return r ? r->cert_status : "";
}

std::string PlatformSim::sscard_status(const std::string& id) const {
  std::lock_guard lk(impl_->db_mu);
  auto r = impl_->resident(id);
  return r ? r->sscard_status : "";
}

int PlatformSim::ratings_for(const std::string& txn) const {
  std::lock_guard lk(impl_->db_mu);
  auto st = impl_->db.prepare("SELECT COUNT(*) FROM ratings WHERE txn=?");
  st.bind(1, txn);
  st.step();
  return static_cast<int>(st.col_int(0));
}

std::unique_ptr<PlatformSim> start_demo_platform(const std::string& terminal_region) {
  SimOptions o;
  o.terminal_region = terminal_region;
  auto sim = std::make_unique<PlatformSim>(o);
  sim->start();
  return sim;
}

}  // namespace kiosk::platform::sim
