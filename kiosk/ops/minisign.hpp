// minisign-format Ed25519 keys and signatures (https://jedisct1.github.io/minisign), via libsodium.
// We always sign prehashed ("ED": Ed25519 over BLAKE2b-512 of the message), as minisign ≥ 0.11 does,
// and accept legacy "Ed" signatures when verifying. Secret keys are written unencrypted (minisign -W
// layout); keep them offline.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kiosk::ops {

using KeyId = std::array<std::uint8_t, 8>;

// Key id as minisign prints it: 16 upper-case hex digits of the little-endian 64-bit number.
std::string key_id_hex(const KeyId& id);

struct PublicKey {
  KeyId id{};
  std::array<std::uint8_t, 32> pk{};
  std::string base64() const;  // the second line of a .pub file
  std::string file_text() const;
};

struct SecretKey {
  KeyId id{};
  std::array<std::uint8_t, 64> sk{};
  PublicKey public_key() const;
  std::string file_text() const;
};

struct Signature {
  bool prehashed = true;
  KeyId key_id{};
  std::array<std::uint8_t, 64> sig{};
  std::string trusted_comment;
  std::array<std::uint8_t, 64> global_sig{};
};

SecretKey generate_key();

// Parsers of outside bytes: throw OpsError(malformed) with a clear message.
PublicKey parse_public_key(std::string_view text);  // full .pub file or its base64 line
SecretKey parse_secret_key(std::string_view text);  // unencrypted minisign secret key file
Signature parse_signature(std::string_view text);   // .minisig file (4 lines)

Signature sign(const SecretKey& key, std::string_view message, std::string_view trusted_comment);
std::string signature_file_text(const Signature& s);

// True when both the message signature and the global (trusted comment) signature verify.
bool verify(const PublicKey& key, const Signature& s, std::string_view message);

}  // namespace kiosk::ops
