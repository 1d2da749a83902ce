#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "kiosk/tech/pin.hpp"
#include "kiosk/tech/provision.hpp"
#include "kiosk/tech/text_file.hpp"
#include "tests/unit/tech/test_ca.hpp"

using namespace kiosk::tech;
using tech_test::issue;
namespace fs = std::filesystem;

namespace {
const RegionTable& regions() {
  static RegionTable t = [] {
    RegionTable r;
    r.load(std::string(KIOSK_SOURCE_DIR) + "/config/regions/gb2260.tsv");
    return r;
  }();
  return t;
}

ProvisionValues good() {
  ProvisionValues v;
  v.terminal_id = "ZZ-4101-0007";
  v.hall_name = "郑州市政务服务中心";
  v.region_code = "410100";
  v.platform_url = "https://zwfw-api.example.gov.cn/kiosk";
  v.diagonal_in = 21.5;
  return v;
}

bool has_field(const std::vector<FieldError>& e, const std::string& f) {
  for (auto& x : e)
    if (x.field == f) return !x.zh.empty() && !x.en.empty();
  return false;
}

}  // namespace

TEST_CASE("GB/T 2260 table: current, withdrawn and unknown codes", "[tech][provision]") {
  CHECK(regions().size() > 3000);
  REQUIRE(regions().find("410100"));
  CHECK(regions().find("410100")->name == "郑州市");
  CHECK(regions().current("410100"));
  CHECK(regions().find("110103"));  // 崇文区, merged in 2010
  CHECK_FALSE(regions().current("110103"));
  CHECK_FALSE(regions().find("419999"));
}

TEST_CASE("provisioning values are validated field by field", "[tech][provision]") {
  CHECK(validate(good(), regions()).empty());
  auto v = good();
  v.terminal_id = "t 1";
  CHECK(has_field(validate(v, regions()), "terminal_id"));
  v = good();
  v.hall_name = "郑";
  CHECK(has_field(validate(v, regions()), "hall_name"));
  v.hall_name = "大厅\n名称";
  CHECK(has_field(validate(v, regions()), "hall_name"));
  v = good();
  v.region_code = "110103";
  auto e = validate(v, regions());
  REQUIRE(has_field(e, "region_code"));
  CHECK(e[0].zh.find("撤销") != std::string::npos);
  v.region_code = "419999";
  CHECK(has_field(validate(v, regions()), "region_code"));
  v.region_code = "4101";
  CHECK(has_field(validate(v, regions()), "region_code"));
  v = good();
  v.platform_url = "http://zwfw-api.example.gov.cn";
  CHECK(has_field(validate(v, regions()), "platform_url"));
  v.platform_url = "http://127.0.0.1:8480";
  CHECK(has_field(validate(v, regions()), "platform_url"));
  CHECK(validate(v, regions(), /*allow_http=*/true).empty());
  v.platform_url = "ftp://x";
  CHECK(has_field(validate(v, regions(), true), "platform_url"));
  v = good();
  v.diagonal_in = 0;
  CHECK(has_field(validate(v, regions()), "panel"));
  v.mm_per_px = 0.311;
  CHECK(validate(v, regions()).empty());
  v.diagonal_in = 27;
  CHECK(has_field(validate(v, regions()), "panel"));  // both given
  v = good();
  v.diagonal_in = 300;
  CHECK(has_field(validate(v, regions()), "panel"));
  // 21.5" FHD is the 0.248 mm the shipped kiosk.toml uses.
  CHECK(mm_per_px_from_diagonal(21.5, 1920, 1080) == Approx(0.248).margin(0.001));
}

TEST_CASE("apply_provision writes kiosk.toml and platform.toml keeping comments", "[tech][provision]") {
  auto d = fs::temp_directory_path() / ("kiosk-tech-prov-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  fs::copy_file(std::string(KIOSK_SOURCE_DIR) + "/config/kiosk.toml", d / "kiosk.toml");
  fs::copy_file(std::string(KIOSK_SOURCE_DIR) + "/config/platform.toml", d / "platform.toml");
  auto v = good();
  v.diagonal_in = 27;
  apply_provision(v, (d / "kiosk.toml").string(), (d / "platform.toml").string());
  auto k = read_text((d / "kiosk.toml").string());
  CHECK(k.find("id = \"ZZ-4101-0007\"") != std::string::npos);
  CHECK(k.find("mm_per_px = 0.3113") != std::string::npos);
  CHECK(k.find("# Kiosk configuration") != std::string::npos);
  auto p = read_text((d / "platform.toml").string());
  CHECK(p.find("base_url = \"https://zwfw-api.example.gov.cn/kiosk\"") != std::string::npos);
  CHECK(p.find("terminal_id = \"ZZ-4101-0007\"") != std::string::npos);
  CHECK(p.find("[outbox]") != std::string::npos);
  fs::remove_all(d);
}

TEST_CASE("enrolment: key + CSR, issued certificate installed, mismatches refused", "[tech][provision]") {
  auto d = fs::temp_directory_path() / ("kiosk-tech-enrol-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  fs::copy_file(std::string(KIOSK_SOURCE_DIR) + "/config/platform.toml", d / "platform.toml");
  auto csr = make_key_and_csr(d.string(), "ZZ-4101-0007", "郑州市政务服务中心", "410100");
  CHECK(csr.csr_pem.find("BEGIN CERTIFICATE REQUEST") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(csr.key_path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  auto now = std::time(nullptr);
  auto cert = issue(csr.csr_path, (d / "issued.pem").string(), 365);
  auto info = install_certificate(cert, csr.key_path, (d / "platform.toml").string(), now);
  CHECK(info.matches_key);
  CHECK(info.subject.find("CN=ZZ-4101-0007") != std::string::npos);
  CHECK((info.not_after - now) / 86400 == Approx(365).margin(1));
  auto p = read_text((d / "platform.toml").string());
  CHECK(p.find("client_cert = \"" + (d / "client.crt").string() + "\"") != std::string::npos);
  CHECK(p.find("client_key = \"" + csr.key_path + "\"") != std::string::npos);

  // A certificate for another key is refused; so is an expired one.
  auto other = make_key_and_csr((d / "other").string(), "ZZ-OTHER", "别的大厅", "410100");
  auto other_cert = issue(other.csr_path, (d / "other.pem").string(), 365);
  CHECK_THROWS_WITH(install_certificate(other_cert, csr.key_path, (d / "platform.toml").string(), now),
                    Catch::Contains("does not belong"));
  auto old = issue(csr.csr_path, (d / "old.pem").string(), 1, -10 * 86400);
  CHECK_THROWS_WITH(install_certificate(old, csr.key_path, (d / "platform.toml").string(), now),
                    Catch::Contains("expired"));
  std::ofstream(d / "junk.pem") << "not a certificate";
  CHECK_THROWS_AS(read_certificate((d / "junk.pem").string()), TechError);
  fs::remove_all(d);
}
