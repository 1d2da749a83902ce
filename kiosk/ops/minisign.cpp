#include "kiosk/ops/minisign.hpp"

#include <sodium.h>

#include <cstring>
#include <vector>

#include "kiosk/ops/error.hpp"

namespace kiosk::ops {

namespace {

void ensure_sodium() {
  static const int rc = sodium_init();
  if (rc < 0) throw OpsError(Reason::io, "libsodium initialisation failed");
}

std::string b64(const std::uint8_t* p, std::size_t n) {
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), p, n, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::vector<std::uint8_t> unb64(std::string_view s, std::size_t expect, const char* what) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  std::vector<std::uint8_t> out(s.size());
  std::size_t len = 0;
  if (s.empty() || sodium_base642bin(out.data(), out.size(), s.data(), s.size(), nullptr, &len, nullptr,
                                     sodium_base64_VARIANT_ORIGINAL) != 0)
    throw OpsError(Reason::malformed, std::string(what) + ": invalid base64");
  if (len != expect)
    throw OpsError(Reason::malformed, std::string(what) + ": expected " + std::to_string(expect) +
                                          " bytes, got " + std::to_string(len));
  out.resize(len);
  return out;
}

// Splits into lines (LF or CRLF); at most `max` lines are kept.
std::vector<std::string_view> lines_of(std::string_view text, std::size_t max) {
  std::vector<std::string_view> lines;
  while (!text.empty() && lines.size() < max) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

constexpr std::string_view kUntrusted = "untrusted comment: ";
constexpr std::string_view kTrusted = "trusted comment: ";

std::array<std::uint8_t, 64> blake2b512(std::string_view m) {
  std::array<std::uint8_t, 64> h{};
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(m.data()), m.size(), nullptr,
                     0);
  return h;
}

}  // namespace

std::string key_id_hex(const KeyId& id) {
  static const char* hex = "0123456789ABCDEF";
  std::string s;
  for (int i = 7; i >= 0; --i) {
    s += hex[id[static_cast<std::size_t>(i)] >> 4];
    s += hex[id[static_cast<std::size_t>(i)] & 15];
  }
  return s;
}

std::string PublicKey::base64() const {
  std::uint8_t raw[2 + 8 + 32];
  raw[0] = 'E';
  raw[1] = 'd';
  std::memcpy(raw + 2, id.data(), 8);
  std::memcpy(raw + 10, pk.data(), 32);
  return b64(raw, sizeof raw);
}

std::string PublicKey::file_text() const {
  return "untrusted comment: minisign public key " + key_id_hex(id) + "\n" + base64() + "\n";
}

PublicKey SecretKey::public_key() const {
  PublicKey p;
  p.id = id;
  std::memcpy(p.pk.data(), sk.data() + 32, 32);
  return p;
}

std::string SecretKey::file_text() const {
  // sig_alg "Ed", kdf_alg 0 (unencrypted), chk_alg "B2", salt, opslimit, memlimit, keyid, sk, chk.
  std::vector<std::uint8_t> raw(2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32, 0);
  raw[0] = 'E';
  raw[1] = 'd';
  raw[4] = 'B';
  raw[5] = '2';
  std::memcpy(raw.data() + 54, id.data(), 8);
  std::memcpy(raw.data() + 62, sk.data(), 64);
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  crypto_generichash_update(&st, raw.data(), 2);
  crypto_generichash_update(&st, id.data(), 8);
  crypto_generichash_update(&st, sk.data(), 64);
  crypto_generichash_final(&st, raw.data() + 126, 32);
  std::string out = "untrusted comment: minisign secret key " + key_id_hex(id) + " (unencrypted)\n" +
                    b64(raw.data(), raw.size()) + "\n";
  sodium_memzero(raw.data(), raw.size());
  return out;
}

SecretKey generate_key() {
  ensure_sodium();
  SecretKey k;
  std::array<std::uint8_t, 32> pk{};
  crypto_sign_keypair(pk.data(), k.sk.data());
  randombytes_buf(k.id.data(), k.id.size());
  return k;
}

PublicKey parse_public_key(std::string_view text) {
  ensure_sodium();
  auto lines = lines_of(text, 3);
  std::string_view line;
  if (lines.size() >= 2 && lines[0].starts_with(kUntrusted))
    line = lines[1];
  else if (!lines.empty())
    line = lines[0];
  auto raw = unb64(line, 42, "public key");
  if (raw[0] != 'E' || raw[1] != 'd') throw OpsError(Reason::malformed, "public key: not an Ed25519 key");
  PublicKey p;
  std::memcpy(p.id.data(), raw.data() + 2, 8);
  std::memcpy(p.pk.data(), raw.data() + 10, 32);
  return p;
}

SecretKey parse_secret_key(std::string_view text) {
  ensure_sodium();
  auto lines = lines_of(text, 3);
  if (lines.size() < 2 || !lines[0].starts_with(kUntrusted))
    throw OpsError(Reason::malformed, "secret key: expected an 'untrusted comment:' line and a key line");
  auto raw = unb64(lines[1], 158, "secret key");
  if (raw[0] != 'E' || raw[1] != 'd' || raw[4] != 'B' || raw[5] != '2')
    throw OpsError(Reason::malformed, "secret key: unsupported algorithm");
  if (raw[2] != 0 || raw[3] != 0)
    throw OpsError(Reason::malformed,
                   "secret key: password-protected keys are not supported (use minisign -W)");
  SecretKey k;
  std::memcpy(k.id.data(), raw.data() + 54, 8);
  std::memcpy(k.sk.data(), raw.data() + 62, 64);
  bool chk_zero = true;
  for (std::size_t i = 126; i < 158; ++i) chk_zero = chk_zero && raw[i] == 0;
  if (!chk_zero) {
    std::uint8_t chk[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, nullptr, 0, 32);
    crypto_generichash_update(&st, raw.data(), 2);
    crypto_generichash_update(&st, raw.data() + 54, 8 + 64);
    crypto_generichash_final(&st, chk, 32);
    if (std::memcmp(chk, raw.data() + 126, 32) != 0)
      throw OpsError(Reason::malformed, "secret key: checksum mismatch (corrupted key file)");
  }
  sodium_memzero(raw.data(), raw.size());
  return k;
}

Signature parse_signature(std::string_view text) {
  ensure_sodium();
  auto lines = lines_of(text, 5);
  if (lines.size() < 4) throw OpsError(Reason::malformed, "signature: expected 4 lines");
  if (!lines[0].starts_with(kUntrusted))
    throw OpsError(Reason::malformed, "signature: line 1 is not an untrusted comment");
  if (!lines[2].starts_with(kTrusted))
    throw OpsError(Reason::malformed, "signature: line 3 is not a trusted comment");
  auto raw = unb64(lines[1], 74, "signature");
  Signature s;
  if (raw[0] == 'E' && raw[1] == 'D')
    s.prehashed = true;
  else if (raw[0] == 'E' && raw[1] == 'd')
    s.prehashed = false;
  else
    throw OpsError(Reason::malformed, "signature: unknown algorithm");
  std::memcpy(s.key_id.data(), raw.data() + 2, 8);
  std::memcpy(s.sig.data(), raw.data() + 10, 64);
  s.trusted_comment = std::string(lines[2].substr(kTrusted.size()));
  auto g = unb64(lines[3], 64, "global signature");
  std::memcpy(s.global_sig.data(), g.data(), 64);
  return s;
}

Signature sign(const SecretKey& key, std::string_view message, std::string_view trusted_comment) {
  ensure_sodium();
  if (trusted_comment.find('\n') != std::string_view::npos ||
      trusted_comment.find('\r') != std::string_view::npos)
    throw OpsError(Reason::schema, "trusted comment must be a single line");
  Signature s;
  s.prehashed = true;
  s.key_id = key.id;
  s.trusted_comment = std::string(trusted_comment);
  auto h = blake2b512(message);
  crypto_sign_detached(s.sig.data(), nullptr, h.data(), h.size(), key.sk.data());
  std::string global(reinterpret_cast<const char*>(s.sig.data()), 64);
  global += s.trusted_comment;
  crypto_sign_detached(s.global_sig.data(), nullptr, reinterpret_cast<const unsigned char*>(global.data()),
                       global.size(), key.sk.data());
  return s;
}

std::string signature_file_text(const Signature& s) {
  std::uint8_t raw[74];
  raw[0] = 'E';
  raw[1] = s.prehashed ? 'D' : 'd';
  std::memcpy(raw + 2, s.key_id.data(), 8);
  std::memcpy(raw + 10, s.sig.data(), 64);
  return "untrusted comment: signature from kiosk key " + key_id_hex(s.key_id) + "\n" + b64(raw, sizeof raw) +
         "\ntrusted comment: " + s.trusted_comment + "\n" + b64(s.global_sig.data(), 64) + "\n";
}

bool verify(const PublicKey& key, const Signature& s, std::string_view message) {
  ensure_sodium();
  if (key.id != s.key_id) return false;
  int rc;
  if (s.prehashed) {
    auto h = blake2b512(message);
    rc = crypto_sign_verify_detached(s.sig.data(), h.data(), h.size(), key.pk.data());
  } else {
    rc = crypto_sign_verify_detached(s.sig.data(), reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.pk.data());
  }
  if (rc != 0) return false;
  std::string global(reinterpret_cast<const char*>(s.sig.data()), 64);
  global += s.trusted_comment;
  return crypto_sign_verify_detached(s.global_sig.data(),
                                     reinterpret_cast<const unsigned char*>(global.data()), global.size(),
                                     key.pk.data()) == 0;
}

}  // namespace kiosk::ops
