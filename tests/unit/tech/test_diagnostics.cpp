// Diagnostics against the simulators: the real drivers run over loopback / the platform simulator,
// and the failure paths (device absent, printer out of paper, platform down) give fail + advice.
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

#include "kiosk/core/strings.hpp"
#include "kiosk/tech/diagnostics.hpp"

using namespace kiosk;
using namespace kiosk::tech;
namespace fs = std::filesystem;

namespace {
const core::Strings& strings() {
  static core::Strings s = [] {
    core::Strings x;
    x.load_dir(std::string(KIOSK_SOURCE_DIR) + "/config/strings");
    return x;
  }();
  return s;
}

DiagOptions demo(std::set<std::string> faults = {}) {
  DiagOptions o;
  o.config_dir = std::string(KIOSK_SOURCE_DIR) + "/config";
  o.data_dir = (fs::temp_directory_path() / ("kiosk-tech-diag-" + std::to_string(::getpid()))).string();
  o.demo = true;
  o.faults = std::move(faults);
  o.device_timeout = std::chrono::milliseconds(2500);
  return o;
}

CheckResult run(const std::string& id, std::set<std::string> faults = {}) {
  Diagnostics d(demo(std::move(faults)), &strings());
  return d.run(id);
}

bool no_full_id(const nlohmann::json& j) {
  static const std::regex full_id(R"(\d{17}[\dXx])");
  return !std::regex_search(j.dump(), full_id);
}
}  // namespace

TEST_CASE("every advice key has zh-CN and en text", "[tech][diag]") {
  for (auto& lang : {"zh-CN", "en"})
    for (auto k : {"ok",
                   "internal",
                   "not_bound",
                   "idcard_absent",
                   "place_idcard",
                   "sscard_absent",
                   "insert_sscard",
                   "scanner_absent",
                   "scan_test_code",
                   "camera_absent",
                   "camera_no_face",
                   "printer_absent",
                   "printer_paper_out",
                   "printer_paper_low",
                   "printer_cover_open",
                   "printer_cutter",
                   "printer_error",
                   "a4_failed",
                   "platform_down",
                   "platform_slow",
                   "disk_full",
                   "disk_low",
                   "clock_wrong",
                   "ntp",
                   "cert_demo",
                   "cert_missing",
                   "cert_mismatch",
                   "cert_expired",
                   "cert_expiring"}) {
      INFO(lang << " " << k);
      CHECK(strings().has(lang, std::string("tech.advice.") + k));
    }
}

TEST_CASE("idcard: the GA 467 simulator card is read and reported masked", "[tech][diag]") {
  auto r = run("idcard.read");
  INFO(r.to_json().dump());
  CHECK(r.status == CheckStatus::Pass);
  CHECK(r.figures["id_number"].get<std::string>().find("****") != std::string::npos);
  CHECK(r.figures["name"].get<std::string>().find('*') != std::string::npos);
  CHECK(no_full_id(r.to_json()));
  CHECK(r.advice_zh == "正常，无需处理。");
}

TEST_CASE("idcard: an absent reader fails with what to do", "[tech][diag]") {
  auto r = run("idcard.read", {"idcard.absent"});
  INFO(r.to_json().dump());
  CHECK(r.status == CheckStatus::Fail);
  CHECK(r.advice_key == "tech.advice.idcard_absent");
  CHECK(r.advice_zh.find("阅读器") != std::string::npos);
}

TEST_CASE("sscard: the CCID card model is read; absent reader fails", "[tech][diag]") {
  auto r = run("sscard.read");
  INFO(r.to_json().dump());
  CHECK(r.status == CheckStatus::Pass);
  CHECK(no_full_id(r.to_json()));
  auto a = run("sscard.read", {"sscard.absent"});
  INFO(a.to_json().dump());
  CHECK(a.status == CheckStatus::Fail);
  CHECK(a.advice_key == "tech.advice.sscard_absent");
}

TEST_CASE("scanner: a shown code arrives masked; absent scanner fails", "[tech][diag]") {
  auto r = run("scanner.qr");
  INFO(r.to_json().dump());
  CHECK(r.status == CheckStatus::Pass);
  CHECK(r.figures["payload"].get<std::string>().rfind("tok[", 0) == 0);
  auto a = run("scanner.qr", {"scanner.absent"});
  INFO(a.to_json().dump());
  CHECK(a.status == CheckStatus::Fail);
  CHECK(a.advice_key == "tech.advice.scanner_absent");
}

TEST_CASE("printer: status, receipt test page, A4; paper out, cover open and absent fail", "[tech][diag]") {
  auto s = run("printer.status");
  INFO(s.to_json().dump());
  CHECK(s.status == CheckStatus::Pass);
  CHECK(s.figures["state"] == "ready");
  auto p = run("printer.receipt");
  INFO(p.to_json().dump());
  CHECK(p.status == CheckStatus::Pass);
  CHECK(p.figures["bytes"].get<int>() > 100);
  auto a4 = run("printer.a4");
  INFO(a4.to_json().dump());
  CHECK(a4.status == CheckStatus::Pass);
  CHECK(fs::file_size(a4.figures["pdf"].get<std::string>()) > 1000);

  auto out = run("printer.receipt", {"printer.paper_out"});
  INFO(out.to_json().dump());
  CHECK(out.status == CheckStatus::Fail);
  CHECK(out.advice_key == "tech.advice.printer_paper_out");
  CHECK(out.advice_zh.find("缺纸") != std::string::npos);
  CHECK(run("printer.status", {"printer.paper_out"}).status == CheckStatus::Fail);
  CHECK(run("printer.status", {"printer.cover_open"}).advice_key == "tech.advice.printer_cover_open");
  auto gone = run("printer.status", {"printer.absent"});
  INFO(gone.to_json().dump());
  CHECK(gone.status == CheckStatus::Fail);
  CHECK(gone.advice_key == "tech.advice.printer_absent");
}

TEST_CASE("platform: heartbeat to the simulator; a failing platform is reported", "[tech][diag]") {
  auto r = run("platform.heartbeat");
  INFO(r.to_json().dump());
  CHECK(r.status == CheckStatus::Pass);
  CHECK(r.device == "network");
  auto d = run("platform.heartbeat", {"platform.down"});
  INFO(d.to_json().dump());
  CHECK(d.status == CheckStatus::Fail);
  CHECK(d.advice_key == "tech.advice.platform_down");
}

TEST_CASE("camera: a frame with a face gives figures and a preview; absent camera fails", "[tech][diag]") {
  auto r = run("camera.preview");
  INFO(r.to_json().dump());
  CHECK(r.status == CheckStatus::Pass);
  CHECK(r.figures["faces"].get<int>() == 1);
  CHECK(fs::exists(r.figures["preview"].get<std::string>()));
  auto a = run("camera.preview", {"camera.absent"});
  CHECK(a.status == CheckStatus::Fail);
  CHECK(a.advice_key == "tech.advice.camera_absent");
}

TEST_CASE("system checks: disk, clock and certificate", "[tech][diag]") {
  auto o = demo();
  o.min_free_mb = 1;
  Diagnostics d(o, &strings());
  CHECK(d.run("system.disk").status == CheckStatus::Pass);
  o.min_free_mb = std::int64_t(1) << 40;  // a petabyte free is never there
  CHECK(Diagnostics(o, &strings()).run("system.disk").status == CheckStatus::Fail);

  auto c = demo();
  c.ntp_flag = KIOSK_SOURCE_DIR;  // exists: synchronised
  c.now = [] { return std::time_t(1795397400); };
  CHECK(Diagnostics(c, &strings()).run("system.clock").status == CheckStatus::Pass);
  c.ntp_flag = "/nonexistent/flag";
  CHECK(Diagnostics(c, &strings()).run("system.clock").status == CheckStatus::Warn);
  c.now = [] { return std::time_t(0); };  // 1970: a dead RTC battery
  CHECK(Diagnostics(c, &strings()).run("system.clock").advice_key == "tech.advice.clock_wrong");

  auto cert = d.run("system.certificate");
  CHECK(cert.status == CheckStatus::Skip);  // the shipped platform.toml has no client certificate
  auto prod = demo();
  prod.demo = false;
  CHECK(Diagnostics(prod, &strings()).run("system.certificate").status == CheckStatus::Fail);
  // Production without bindings: each device says it is not bound.
  auto nb = Diagnostics(prod, &strings()).run("idcard.read");
  CHECK(nb.status == CheckStatus::Fail);
  CHECK(nb.advice_key == "tech.advice.not_bound");
}

TEST_CASE("report_json lists every check with status", "[tech][diag]") {
  std::vector<CheckResult> rs(2);
  rs[0].id = "a";
  rs[0].status = CheckStatus::Pass;
  rs[1].id = "b";
  rs[1].status = CheckStatus::Warn;
  auto j = report_json(rs);
  CHECK(j["ok"] == true);
  rs[1].status = CheckStatus::Fail;
  CHECK(report_json(rs)["ok"] == false);
  CHECK(Diagnostics::check_ids().size() == 11);
  CHECK(Diagnostics::checks_for("printer").size() == 3);
}
