// Test CA for the technician tests: signs a CSR (what the platform's enrolment service would do).
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

namespace tech_test {
inline std::string issue(const std::string& csr_path, const std::string& out, long valid_days,
                         long start_offset_s = 0) {
  FILE* f = std::fopen(csr_path.c_str(), "r");
  X509_REQ* req = PEM_read_X509_REQ(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  REQUIRE(req);
  EVP_PKEY* ca_key = EVP_EC_gen("P-256");
  X509* c = X509_new();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), 42);
  X509_set_subject_name(c, X509_REQ_get_subject_name(req));
  X509_NAME* issuer = X509_NAME_new();
  X509_NAME_add_entry_by_txt(issuer, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Test CA"),
                             -1, -1, 0);
  X509_set_issuer_name(c, issuer);
  X509_gmtime_adj(X509_getm_notBefore(c), start_offset_s);
  X509_gmtime_adj(X509_getm_notAfter(c), start_offset_s + valid_days * 86400);
  EVP_PKEY* pub = X509_REQ_get_pubkey(req);
  X509_set_pubkey(c, pub);
  X509_sign(c, ca_key, EVP_sha256());
  FILE* o = std::fopen(out.c_str(), "w");
  PEM_write_X509(o, c);
  std::fclose(o);
  EVP_PKEY_free(pub);
  X509_NAME_free(issuer);
  X509_free(c);
  EVP_PKEY_free(ca_key);
  X509_REQ_free(req);
  return out;
}
}  // namespace tech_test
