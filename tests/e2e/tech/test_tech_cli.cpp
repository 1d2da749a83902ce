// kioskctl's technician commands against the demo setup: every device reported with a status, the
// failure paths (printer out of paper, reader absent), binding, provisioning, and an export that
// holds no full ID number.
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "kiosk/tech/export.hpp"
#include "kiosk/tech/text_file.hpp"

namespace fs = std::filesystem;

namespace {
struct Run {
  int rc = -1;
  std::string out;
};

Run kioskctl(const std::string& args, const std::string& stdin_text = "") {
  std::string cmd = std::string(KIOSKCTL_EXE) + " " + args + " 2>/dev/null";
  if (!stdin_text.empty()) cmd = "printf '%s\\n' '" + stdin_text + "' | " + cmd;
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = ::pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

struct Dirs {
  fs::path root, data, config;
  Dirs() {
    root = fs::temp_directory_path() / ("kiosk-tech-cli-" + std::to_string(::getpid()));
    fs::remove_all(root);
    data = root / "data";
    config = root / "config";
    fs::create_directories(data);
    fs::copy(std::string(KIOSK_SOURCE_DIR) + "/config", config, fs::copy_options::recursive);
  }
  ~Dirs() { fs::remove_all(root); }
  std::string opts() const { return "--config-dir " + config.string() + " --data-dir " + data.string(); }
};

const nlohmann::json* check(const nlohmann::json& report, const std::string& id) {
  for (auto& c : report["checks"])
    if (c["id"] == id) return &c;
  return nullptr;
}
}  // namespace

TEST_CASE("kioskctl diag --json on the demo setup reports every device with status", "[tech][e2e]") {
  Dirs d;
  // The repo's own config/ as config dir (read only), a temporary data dir.
  auto r = kioskctl("diag --json --demo --config-dir " + std::string(KIOSK_SOURCE_DIR) +
                    "/config --data-dir " + d.data.string());
  INFO(r.out);
  REQUIRE(r.rc == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["ok"] == true);
  CHECK(j["demo"] == true);
  std::set<std::string> devices;
  for (auto& c : j["checks"]) {
    devices.insert(c["device"].get<std::string>());
    CHECK(std::set<std::string>{"pass", "warn", "skip"}.count(c["status"].get<std::string>()));
    CHECK_FALSE(c["advice_zh"].get<std::string>().empty());
    CHECK_FALSE(c["advice_en"].get<std::string>().empty());
  }
  for (auto dev : {"idcard", "sscard", "scanner", "camera", "printer", "network", "system"}) {
    INFO(dev);
    CHECK(devices.count(dev));
  }
  for (auto id : {"idcard.read", "sscard.read", "scanner.qr", "camera.preview", "printer.status",
                  "printer.receipt", "printer.a4", "platform.heartbeat"}) {
    INFO(id);
    REQUIRE(check(j, id));
    CHECK((*check(j, id))["status"] == "pass");
  }
  static const std::regex full_id(R"(\d{17}[\dXx])");
  CHECK_FALSE(std::regex_search(r.out, full_id));
  // The run is in the audit log.
  auto audit = kiosk::tech::read_text((d.data / "tech-audit.log").string());
  CHECK(audit.find("\"action\":\"diag\"") != std::string::npos);
}

TEST_CASE("kioskctl diag: failure paths exit 1 with the fault and what to do", "[tech][e2e]") {
  Dirs d;
  auto r =
      kioskctl("diag --json --demo " + d.opts() +
               " --fault printer.paper_out --fault idcard.absent --only printer.receipt --only idcard.read"
               " --only printer.a4");
  INFO(r.out);
  CHECK(r.rc == 1);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["ok"] == false);
  REQUIRE(check(j, "printer.receipt"));
  CHECK((*check(j, "printer.receipt"))["status"] == "fail");
  CHECK((*check(j, "printer.receipt"))["advice_zh"].get<std::string>().find("缺纸") != std::string::npos);
  CHECK((*check(j, "idcard.read"))["status"] == "fail");
  CHECK((*check(j, "idcard.read"))["advice_key"] == "tech.advice.idcard_absent");
  CHECK((*check(j, "printer.a4"))["status"] == "pass");  // A4 is a different printer
  auto text = kioskctl("diag --demo " + d.opts() + " --fault printer.paper_out --only printer.status");
  CHECK(text.rc == 1);
  CHECK(text.out.find("[FAIL] printer.status") != std::string::npos);
  CHECK(text.out.find("打印机缺纸") != std::string::npos);
}

TEST_CASE("kioskctl devices: list, bind a profile, test the role, unbind", "[tech][e2e]") {
  Dirs d;
  auto l = kioskctl("devices list --json " + d.opts());
  INFO(l.out);
  REQUIRE(l.rc == 0);
  auto j = nlohmann::json::parse(l.out);
  CHECK(j["profiles"].size() >= 8);
  CHECK(j["bindings"].empty());
  auto b = kioskctl("devices bind idcard sim " + d.opts());
  INFO(b.out);
  CHECK(b.rc == 0);
  auto b2 = kioskctl("devices bind printer epson --device 0483:5720 " + d.opts());
  CHECK(b2.rc == 0);
  CHECK(kioskctl("devices bind toaster x " + d.opts()).rc != 0);
  CHECK(kioskctl("devices bind idcard no-such-profile " + d.opts()).rc != 0);
  // A USB profile with nothing plugged in is refused unless a device is named.
  CHECK(kioskctl("devices bind idcard usb-0400-c35a " + d.opts()).rc != 0);
  CHECK(kioskctl("devices bind scanner scanner-demo.toml:demo " + d.opts()).rc == 0);
  auto bindings = kiosk::tech::read_text((d.data / "bindings.toml").string());
  CHECK(bindings.find("[idcard]\nprofile_file = \"idcard-demo.toml\"\nprofile = \"sim\"\ndevice = \"sim\"") !=
        std::string::npos);
  CHECK(bindings.find("[printer]") != std::string::npos);
  auto l2 = nlohmann::json::parse(kioskctl("devices list --json " + d.opts()).out);
  CHECK(l2["bindings"]["idcard"]["profile"] == "sim");

  auto t = kioskctl("devices test printer --demo --json " + d.opts());
  INFO(t.out);
  CHECK(t.rc == 0);
  CHECK(nlohmann::json::parse(t.out)["checks"].size() == 3);
  auto tf = kioskctl("devices test printer --demo --fault printer.paper_out " + d.opts());
  CHECK(tf.rc == 1);
  CHECK(tf.out.find("fail") != std::string::npos);
  CHECK(kioskctl("devices unbind printer " + d.opts()).rc == 0);
  CHECK(kioskctl("devices unbind printer " + d.opts()).rc != 0);
  auto show = kioskctl("logs show " + d.opts());
  CHECK(show.out.find("bind") != std::string::npos);
  CHECK(show.out.find("unbind") != std::string::npos);
  CHECK(kioskctl("logs verify " + d.opts()).rc == 0);
}

TEST_CASE("kioskctl provision: validation, values written, CSR, PIN", "[tech][e2e]") {
  Dirs d;
  auto bad = kioskctl("provision " + d.opts() +
                      " --terminal-id ZZ-4101-0007 --hall-name 郑州市政务服务中心 --region 110103"
                      " --platform-url http://zwfw.example.gov.cn --diagonal 21.5");
  CHECK(bad.rc == 2);
  auto kiosk_before = kiosk::tech::read_text((d.config / "kiosk.toml").string());
  CHECK(kiosk_before.find("ZZ-4101-0007") == std::string::npos);  // nothing written
  auto ok = kioskctl("provision " + d.opts() +
                     " --terminal-id ZZ-4101-0007 --hall-name 郑州市政务服务中心 --region 410105"
                     " --platform-url https://zwfw.example.gov.cn --diagonal 27 --csr");
  INFO(ok.out);
  CHECK(ok.rc == 0);
  CHECK(ok.out.find("BEGIN CERTIFICATE REQUEST") != std::string::npos);
  CHECK(fs::exists(d.data / "tls" / "client.key"));
  auto k = kiosk::tech::read_text((d.config / "kiosk.toml").string());
  CHECK(k.find("id = \"ZZ-4101-0007\"") != std::string::npos);
  CHECK(k.find("region_code = \"410105\"") != std::string::npos);
  auto p = kiosk::tech::read_text((d.config / "platform.toml").string());
  CHECK(p.find("base_url = \"https://zwfw.example.gov.cn\"") != std::string::npos);

  CHECK(kioskctl("provision --pin " + d.opts(), "1234").rc != 0);  // too short
  auto pin = kioskctl("provision --pin " + d.opts(), "24681357");
  CHECK(pin.rc == 0);
  auto tech = kiosk::tech::read_text((d.config / "technician.toml").string());
  CHECK(tech.find("pin_hash = \"$argon2id$") != std::string::npos);
  CHECK(tech.find("24681357") == std::string::npos);
  auto audit = kiosk::tech::read_text((d.data / "tech-audit.log").string());
  CHECK(audit.find("pin_set") != std::string::npos);
  CHECK(audit.find("24681357") == std::string::npos);
}

TEST_CASE("kioskctl logs export: tar with checksum and no full ID number", "[tech][e2e]") {
  Dirs d;
  fs::create_directories(d.data / "logs");
  std::ofstream(d.data / "logs" / "kiosk.log")
      << "09:30 idcard read id 410105199003071234 name 张文三\n09:31 sscard 44030319851231246X\n";
  CHECK(kioskctl("diag --demo --json " + d.opts() + " --only idcard.read").rc == 0);
  auto out = (d.root / "stick" / "kiosk-export.tar.gz").string();
  fs::create_directories(d.root / "stick");
  auto r = kioskctl("logs export --out " + out + " " + d.opts());
  INFO(r.out);
  REQUIRE(r.rc == 0);
  CHECK(kiosk::tech::verify_checksum(out));
  static const std::regex full_id(R"(\d{17}[\dXx])");
  bool log = false, audit = false, cfg = false;
  for (auto& [name, data] : kiosk::tech::read_tar(out)) {
    INFO(name);
    CHECK_FALSE(std::regex_search(data, full_id));
    log = log || name == "logs/kiosk.log";
    audit = audit || name == "audit/tech-audit.log";
    cfg = cfg || name == "config/kiosk.toml";
  }
  CHECK(log);
  CHECK(audit);
  CHECK(cfg);
}
