#include "kiosk/tech/provision.hpp"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>

#include "kiosk/core/utf8.hpp"
#include "kiosk/tech/pin.hpp"
#include "kiosk/tech/text_file.hpp"

namespace kiosk::tech {

void RegionTable::load(const std::string& tsv_path) {
  std::ifstream in(tsv_path);
  if (!in) throw TechError("cannot read region table " + tsv_path);
  regions_.clear();
  newest_ = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.rfind("code\t", 0) == 0) continue;
    std::istringstream ls(line);
    std::string code, name, first, last;
    if (!std::getline(ls, code, '\t') || !std::getline(ls, name, '\t') || !std::getline(ls, first, '\t') ||
        !std::getline(ls, last, '\t'))
      continue;
    int rev = std::atoi(last.c_str());
    regions_[code] = {name, rev};
    newest_ = std::max(newest_, rev);
  }
  if (regions_.empty()) throw TechError("region table " + tsv_path + " has no entries");
}

const RegionTable::Region* RegionTable::find(const std::string& code) const {
  auto it = regions_.find(code);
  return it == regions_.end() ? nullptr : &it->second;
}

bool RegionTable::current(const std::string& code) const {
  auto* r = find(code);
  return r && r->last_seen == newest_;
}

std::string RegionTable::full_name(const std::string& code) const {
  auto* r = find(code);
  if (!r || code.size() != 6) return "";
  auto part = [&](const std::string& c) -> std::string {
    if (c == code) return "";
    auto* p = find(c);
    if (!p || p->name == "市辖区" || p->name == "县" || p->name == "省直辖县级行政区划" ||
        p->name == "自治区直辖县级行政区划")
      return "";
    return p->name;
  };
  return part(code.substr(0, 2) + "0000") + part(code.substr(0, 4) + "00") + r->name;
}

double mm_per_px_from_diagonal(double diagonal_in, int width_px, int height_px) {
  double diag_px = std::sqrt(double(width_px) * width_px + double(height_px) * height_px);
  return diagonal_in * 25.4 / diag_px;
}

std::vector<FieldError> validate(const ProvisionValues& v, const RegionTable& regions, bool allow_http) {
  std::vector<FieldError> errs;
  static const std::regex id_re("^[A-Z0-9][A-Z0-9-]{3,31}$");
  if (!std::regex_match(v.terminal_id, id_re))
    errs.push_back({"terminal_id", "终端编号应为4至32位大写字母、数字或连字符",
                    "terminal id: 4-32 characters A-Z, 0-9 or '-'"});
  auto cps = core::utf8_decode(v.hall_name).size();
  bool ctrl = false;
  for (unsigned char c : v.hall_name) ctrl = ctrl || c < 0x20;
  if (cps < 2 || cps > 40 || ctrl)
    errs.push_back(
        {"hall_name", "大厅名称应为2至40个字", "hall name: 2 to 40 characters, no control characters"});
  if (v.region_code.size() != 6 || v.region_code.find_first_not_of("0123456789") != std::string::npos) {
    errs.push_back(
        {"region_code", "行政区划代码应为6位数字（GB/T 2260）", "region code: 6 digits (GB/T 2260)"});
  } else if (!regions.find(v.region_code)) {
    errs.push_back({"region_code", "行政区划代码不存在（GB/T 2260）", "region code not in GB/T 2260"});
  } else if (!regions.current(v.region_code)) {
    errs.push_back({"region_code", "该行政区划代码已撤销，请使用现行代码",
                    "region code " + v.region_code + " was withdrawn; use the current code"});
  }
  static const std::regex url_re(
      R"(^(https?)://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(:[0-9]{1,5})?(/[^\s]*)?$)");
  std::smatch m;
  if (!std::regex_match(v.platform_url, m, url_re)) {
    errs.push_back({"platform_url", "平台地址格式不正确", "platform URL is not a valid http(s) URL"});
  } else if (m[1] == "http") {
    std::string host = m[2];
    if (!(allow_http && (host == "127.0.0.1" || host == "localhost")))
      errs.push_back({"platform_url", "平台地址必须使用 https", "platform URL must use https"});
  }
  if (v.width_px < 640 || v.width_px > 7680 || v.height_px < 480 || v.height_px > 4320)
    errs.push_back({"resolution", "屏幕分辨率超出范围", "resolution outside 640x480..7680x4320"});
  double pitch = v.mm_per_px > 0     ? v.mm_per_px
                 : v.diagonal_in > 0 ? mm_per_px_from_diagonal(v.diagonal_in, v.width_px, v.height_px)
                                     : 0;
  if (v.mm_per_px > 0 && v.diagonal_in > 0)
    errs.push_back({"panel", "屏幕尺寸与像素间距只填一项", "give either the diagonal or the pixel pitch"});
  else if (pitch < 0.1 || pitch > 1.0)
    errs.push_back({"panel", "屏幕尺寸或像素间距不合理（0.1–1.0 毫米）",
                    "panel: pixel pitch must be 0.1-1.0 mm (check the diagonal)"});
  return errs;
}

void apply_provision(const ProvisionValues& v, const std::string& kiosk_toml,
                     const std::string& platform_toml) {
  double pitch =
      v.mm_per_px > 0 ? v.mm_per_px : mm_per_px_from_diagonal(v.diagonal_in, v.width_px, v.height_px);
  char pbuf[32];
  std::snprintf(pbuf, sizeof pbuf, "%.4f", pitch);
  set_toml_value(kiosk_toml, "terminal", "id", toml_quote(v.terminal_id));
  set_toml_value(kiosk_toml, "terminal", "hall_name", toml_quote(v.hall_name));
  set_toml_value(kiosk_toml, "terminal", "region_code", toml_quote(v.region_code));
  set_toml_value(kiosk_toml, "display", "width_px", std::to_string(v.width_px));
  set_toml_value(kiosk_toml, "display", "height_px", std::to_string(v.height_px));
  set_toml_value(kiosk_toml, "display", "mm_per_px", pbuf);
  set_toml_value(platform_toml, "platform", "base_url", toml_quote(v.platform_url));
  set_toml_value(platform_toml, "platform", "terminal_id", toml_quote(v.terminal_id));
  set_toml_value(platform_toml, "platform", "terminal_region", toml_quote(v.region_code));
}

namespace {
template <class T, void (*F)(T*)>
struct Del {
  void operator()(T* p) const { F(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Del<EVP_PKEY, EVP_PKEY_free>>;
using Req = std::unique_ptr<X509_REQ, Del<X509_REQ, X509_REQ_free>>;
using Cert = std::unique_ptr<X509, Del<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Del<BIO, BIO_free_all>>;

std::string bio_string(BIO* b) {
  char* p = nullptr;
  long n = BIO_get_mem_data(b, &p);
  return std::string(p, static_cast<std::size_t>(n));
}

std::time_t asn1_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

PKey read_key(const std::string& key_path) {
  FILE* f = std::fopen(key_path.c_str(), "r");
  if (!f) throw TechError("cannot read key " + key_path);
  PKey k(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (!k) throw TechError(key_path + " is not a PEM private key");
  return k;
}
}  // namespace

CsrResult make_key_and_csr(const std::string& dir, const std::string& terminal_id,
                           const std::string& hall_name, const std::string& region_code) {
  PKey key(EVP_EC_gen("P-256"));
  if (!key) throw TechError("key generation failed");
  Req req(X509_REQ_new());
  X509_REQ_set_version(req.get(), 0);
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  auto add = [&](const char* f, const std::string& v) {
    if (!v.empty() &&
        X509_NAME_add_entry_by_txt(name, f, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(v.c_str()),
                                   -1, -1, 0) != 1)
      throw TechError(std::string("CSR: cannot set ") + f);
  };
  add("C", "CN");
  add("L", region_code);
  add("O", hall_name);
  add("CN", terminal_id);
  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
      X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0)
    throw TechError("CSR signing failed");
  Bio kb(BIO_new(BIO_s_mem())), cb(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_X509_REQ(cb.get(), req.get());
  CsrResult r;
  r.key_path = dir + "/client.key";
  r.csr_path = dir + "/client.csr";
  r.csr_pem = bio_string(cb.get());
  write_atomic(r.key_path, bio_string(kb.get()), 0600);
  write_atomic(r.csr_path, r.csr_pem, 0644);
  return r;
}

CertInfo read_certificate(const std::string& cert_path, const std::string& key_path) {
  FILE* f = std::fopen(cert_path.c_str(), "r");
  if (!f) throw TechError("cannot read certificate " + cert_path);
  Cert c(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (!c) throw TechError(cert_path + " is not a PEM certificate");
  CertInfo info;
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(c.get()), buf, sizeof buf);
  info.subject = buf;
  info.not_before = asn1_time(X509_get0_notBefore(c.get()));
  info.not_after = asn1_time(X509_get0_notAfter(c.get()));
  if (!key_path.empty()) {
    auto k = read_key(key_path);
    info.matches_key = X509_check_private_key(c.get(), k.get()) == 1;
  }
  return info;
}

CertInfo install_certificate(const std::string& issued_cert, const std::string& key_path,
                             const std::string& platform_toml, std::time_t now) {
  auto info = read_certificate(issued_cert, key_path);
  if (!info.matches_key) throw TechError("certificate does not belong to this terminal's key " + key_path);
  if (info.not_after <= now) throw TechError("certificate has expired");
  if (info.not_before > now + 300) throw TechError("certificate is not yet valid (check the clock)");
  std::string dest = (std::filesystem::path(key_path).parent_path() / "client.crt").string();
  if (std::filesystem::weakly_canonical(issued_cert) != std::filesystem::weakly_canonical(dest))
    write_atomic(dest, read_text(issued_cert), 0644);
  set_toml_value(platform_toml, "platform", "client_cert", toml_quote(dest));
  set_toml_value(platform_toml, "platform", "client_key", toml_quote(key_path));
  return info;
}

}  // namespace kiosk::tech
