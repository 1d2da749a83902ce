// Signed metadata of config bundles ("TUF-lite", reference kiosk-ux-deploy-fleet.md §4.6).
//
// Every metadata file is an envelope {"signed": "<payload JSON text>", "signatures": ["<minisig>", …]}:
// signatures are minisign signatures over the exact UTF-8 bytes of the "signed" string, so any of them
// can be checked with the minisign CLI (write the string to a file, the signature to file.minisig).
// Roles: "root" (keys + thresholds, offline, rotated by N+1.root.json signed by old and new thresholds)
// and "release" (version, expiry, target selectors, bundle and per-file hashes).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/ops/error.hpp"
#include "kiosk/ops/minisign.hpp"

namespace kiosk::ops {

using TimePoint = std::chrono::sys_seconds;

// "2027-01-31T00:00:00Z" only (UTC, seconds); throws OpsError(schema).
TimePoint parse_time(std::string_view text);
std::string format_time(TimePoint t);

std::string sha256_hex(std::string_view bytes);

constexpr std::size_t kMaxMetadataBytes = 256 * 1024;

struct Envelope {
  std::string signed_text;
  std::vector<std::string> signatures;  // minisig file texts
};
Envelope parse_envelope(std::string_view bytes);  // throws OpsError(malformed|too_large|schema)
std::string envelope_text(const Envelope& e);
void add_signature(Envelope& e, const SecretKey& key, std::string_view trusted_comment);

struct RoleKeys {
  std::vector<std::string> keyids;  // key_id_hex
  int threshold = 1;
};

struct Root {
  std::uint64_t version = 0;
  TimePoint expires{};
  std::map<std::string, PublicKey> keys;  // key_id_hex → key
  RoleKeys root;
  RoleKeys release;
};
Root parse_root(std::string_view signed_text);  // schema-validated
std::string root_json(const Root& r);

struct FileEntry {
  std::string sha256;  // lower-case hex
  std::uint64_t size = 0;
  bool operator==(const FileEntry&) const = default;
};

// Empty list = no restriction. Regions match by prefix of the GB/T 2260 code ("41" = all of Henan).
struct Targets {
  std::vector<std::string> regions;
  std::vector<std::string> groups;
  std::vector<std::string> terminals;
  std::uint32_t rollout_bp = 10000;  // basis points of the eligible fleet (cohort hash)
};

struct Release {
  std::uint64_t version = 0;
  TimePoint expires{};
  std::string channel = "stable";
  std::string notes;
  Targets targets;
  FileEntry bundle;                        // the .tar.zst
  std::map<std::string, FileEntry> files;  // config-relative path → content hash
  std::string bundle_path() const { return "bundles/" + bundle.sha256 + ".tar.zst"; }
};
Release parse_release(std::string_view signed_text);  // schema-validated
std::string release_json(const Release& r);

// Counts distinct trusted keys of `role` whose signature verifies. Throws unsigned_metadata,
// bad_signature, unknown_key or below_threshold when fewer than role.threshold verify.
void verify_threshold(const Envelope& env, const Root& keys_from, const RoleKeys& role,
                      std::string_view what);

// Verifies `next` (raw root envelope) as the successor of `trusted`: version == trusted+1, signed by a
// threshold of the old root keys and of its own root keys. Expiry is checked by the caller after the walk.
Root verify_root_successor(const Root& trusted, const Envelope& next);
// Verifies a root that is the trust anchor itself (self-signed threshold); used for shipped root.json.
Root verify_root_self(const Envelope& env);

// Threshold signature by the release role + schema + not expired at `now`.
Release verify_release(const Root& root, const Envelope& env, TimePoint now);

struct TerminalIdentity {
  std::string terminal_id;
  std::string region_code;
  std::string group;
};
// Cohort in [0, 10000): BLAKE2b(terminal_id ‖ 0 ‖ version) — stable per terminal and release.
std::uint32_t cohort(const std::string& terminal_id, std::uint64_t version);
// Empty optional when eligible; otherwise the reason in words.
std::optional<std::string> ineligible_reason(const Release& r, const TerminalIdentity& t);

}  // namespace kiosk::ops
