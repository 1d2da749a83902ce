// First-boot provisioning values (terminal id, hall name, GB/T 2260 region, platform URL, panel
// geometry), their validation with bilingual messages, writing them into kiosk.toml/platform.toml
// (keeping comments), and enrolment: an EC P-256 key pair + CSR (OpenSSL libcrypto), installing the
// issued client certificate and reading certificate expiry.
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::tech {

// config/regions/gb2260.tsv: code, name, first_seen, last_seen (the newest revision = current).
class RegionTable {
 public:
  void load(const std::string& tsv_path);  // throws TechError
  struct Region {
    std::string name;
    int last_seen = 0;
  };
  const Region* find(const std::string& code) const;
  bool current(const std::string& code) const;
  // Province + prefecture + county: 410105 → 河南省郑州市金水区 (placeholders such as 市辖区 left out).
  std::string full_name(const std::string& code) const;
  int newest_revision() const { return newest_; }
  std::size_t size() const { return regions_.size(); }

 private:
  std::map<std::string, Region> regions_;
  int newest_ = 0;
};

struct FieldError {
  std::string field;  // "terminal_id", ...
  std::string zh;
  std::string en;
};

struct ProvisionValues {
  std::string terminal_id;
  std::string hall_name;
  std::string region_code;
  std::string platform_url;
  int width_px = 1920, height_px = 1080;
  double diagonal_in = 0;  // either a diagonal (inches) ...
  double mm_per_px = 0;    // ... or the pixel pitch directly
};

// Pixel pitch of a panel from its diagonal and resolution (square pixels).
double mm_per_px_from_diagonal(double diagonal_in, int width_px, int height_px);

// Validates every field; allow_http permits http:// only for 127.0.0.1/localhost (demo simulator).
std::vector<FieldError> validate(const ProvisionValues& v, const RegionTable& regions,
                                 bool allow_http = false);

// Writes the values into <config_dir>/kiosk.toml and platform.toml. Call only after validate().
void apply_provision(const ProvisionValues& v, const std::string& kiosk_toml,
                     const std::string& platform_toml);

struct CsrResult {
  std::string key_path;  // 0600 PEM private key
  std::string csr_path;  // PEM CSR
  std::string csr_pem;
};
// Generates a P-256 key and a CSR with CN = terminal id, O = hall name, L = region code.
CsrResult make_key_and_csr(const std::string& dir, const std::string& terminal_id,
                           const std::string& hall_name, const std::string& region_code);

struct CertInfo {
  std::string subject;
  std::time_t not_before = 0, not_after = 0;
  bool matches_key = false;
};
// Reads a PEM certificate (and checks it against the key when key_path is given). Throws TechError.
CertInfo read_certificate(const std::string& cert_path, const std::string& key_path = "");
// Checks the issued certificate against the key, copies it next to the key as client.crt and points
// platform.toml's client_cert/client_key at them. Throws TechError (mismatch, expired, unreadable).
CertInfo install_certificate(const std::string& issued_cert, const std::string& key_path,
                             const std::string& platform_toml, std::time_t now);

}  // namespace kiosk::tech
