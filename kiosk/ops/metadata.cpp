#include "kiosk/ops/metadata.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

namespace kiosk::ops {

using nlohmann::json;

std::string_view to_string(Reason r) {
  switch (r) {
    case Reason::malformed:
      return "malformed";
    case Reason::schema:
      return "schema";
    case Reason::unsigned_metadata:
      return "unsigned";
    case Reason::bad_signature:
      return "bad_signature";
    case Reason::below_threshold:
      return "below_threshold";
    case Reason::unknown_key:
      return "unknown_key";
    case Reason::older_version:
      return "older_version";
    case Reason::expired:
      return "expired";
    case Reason::truncated:
      return "truncated";
    case Reason::too_large:
      return "too_large";
    case Reason::hash_mismatch:
      return "hash_mismatch";
    case Reason::bad_path:
      return "bad_path";
    case Reason::not_eligible:
      return "not_eligible";
    case Reason::known_bad:
      return "known_bad";
    case Reason::health_check:
      return "health_check";
    case Reason::network:
      return "network";
    case Reason::io:
      return "io";
  }
  return "unknown";
}

namespace {

[[noreturn]] void schema_error(std::string_view what, const std::string& detail) {
  throw OpsError(Reason::schema, std::string(what) + ": " + detail);
}

// Rejects deeply nested JSON before handing it to the parser (bounded recursion everywhere).
void check_depth(std::string_view s, int max_depth) {
  int depth = 0;
  bool in_str = false, esc = false;
  for (char c : s) {
    if (in_str) {
      if (esc)
        esc = false;
      else if (c == '\\')
        esc = true;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"')
      in_str = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth) throw OpsError(Reason::malformed, "JSON nested too deeply");
    } else if (c == ']' || c == '}')
      --depth;
  }
}

json parse_json(std::string_view text, std::string_view what) {
  if (text.size() > kMaxMetadataBytes)
    throw OpsError(Reason::too_large, std::string(what) + " exceeds 256 KiB");
  check_depth(text, 16);
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) throw OpsError(Reason::malformed, std::string(what) + ": not valid JSON");
  if (!j.is_object()) schema_error(what, "top level must be an object");
  return j;
}

const json& field(const json& o, const char* key, json::value_t type, std::string_view what) {
  auto it = o.find(key);
  if (it == o.end()) schema_error(what, std::string("missing field '") + key + "'");
  bool ok =
      it->type() == type || (type == json::value_t::number_unsigned &&
                             it->type() == json::value_t::number_integer && it->get<std::int64_t>() >= 0);
  if (!ok) schema_error(what, std::string("field '") + key + "' has the wrong type");
  return *it;
}

std::string str_field(const json& o, const char* key, std::string_view what) {
  return field(o, key, json::value_t::string, what).get<std::string>();
}

std::uint64_t uint_field(const json& o, const char* key, std::string_view what) {
  return field(o, key, json::value_t::number_unsigned, what).get<std::uint64_t>();
}

std::vector<std::string> str_list(const json& o, const char* key, std::string_view what, bool required) {
  std::vector<std::string> out;
  if (!required && !o.contains(key)) return out;
  const auto& a = field(o, key, json::value_t::array, what);
  if (a.size() > 10000) schema_error(what, std::string("'") + key + "' has too many entries");
  for (const auto& v : a) {
    if (!v.is_string()) schema_error(what, std::string("'") + key + "' must hold strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

bool is_hex(std::string_view s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

FileEntry file_entry(const json& o, std::string_view what) {
  if (!o.is_object()) schema_error(what, "file entry must be an object");
  FileEntry f;
  f.sha256 = str_field(o, "sha256", what);
  if (!is_hex(f.sha256, 64)) schema_error(what, "sha256 must be 64 lower-case hex digits");
  f.size = uint_field(o, "size", what);
  return f;
}

RoleKeys role_keys(const json& roles, const char* name, const std::map<std::string, PublicKey>& keys) {
  std::string what = std::string("root.roles.") + name;
  const auto& r = field(roles, name, json::value_t::object, what);
  RoleKeys rk;
  rk.keyids = str_list(r, "keyids", what, true);
  auto t = uint_field(r, "threshold", what);
  std::set<std::string> distinct(rk.keyids.begin(), rk.keyids.end());
  if (distinct.size() != rk.keyids.size()) schema_error(what, "duplicate key id");
  for (auto& id : rk.keyids)
    if (!keys.count(id)) schema_error(what, "key id " + id + " is not in root.keys");
  if (t < 1 || t > rk.keyids.size()) schema_error(what, "threshold must be between 1 and the number of keys");
  rk.threshold = static_cast<int>(t);
  return rk;
}

}  // namespace

TimePoint parse_time(std::string_view s) {
  int y, mo, d, h, mi, se;
  char tail = 0;
  std::string buf(s.substr(0, 32));
  if (s.size() != 20 ||
      std::sscanf(buf.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &tail) != 7 ||
      tail != 'Z' || buf[4] != '-' || buf[7] != '-' || buf[10] != 'T')
    throw OpsError(Reason::schema, "time '" + buf + "' is not YYYY-MM-DDTHH:MM:SSZ");
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 59 || h < 0 || mi < 0 || se < 0)
    throw OpsError(Reason::schema, "time '" + buf + "' is out of range");
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{se};
}

std::string format_time(TimePoint t) {
  using namespace std::chrono;
  auto dp = floor<days>(t);
  year_month_day ymd{dp};
  hh_mm_ss hms{t - dp};
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return buf;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[2 * sizeof h + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

Envelope parse_envelope(std::string_view bytes) {
  auto j = parse_json(bytes, "envelope");
  Envelope e;
  e.signed_text = str_field(j, "signed", "envelope");
  e.signatures = str_list(j, "signatures", "envelope", true);
  if (e.signatures.size() > 64) schema_error("envelope", "more than 64 signatures");
  return e;
}

std::string envelope_text(const Envelope& e) {
  json j;
  j["signed"] = e.signed_text;
  j["signatures"] = e.signatures;
  return j.dump(2) + "\n";
}

void add_signature(Envelope& e, const SecretKey& key, std::string_view trusted_comment) {
  auto id = key_id_hex(key.id);
  // Re-signing with the same key replaces its earlier signature.
  std::erase_if(e.signatures, [&](const std::string& s) {
    try {
      return key_id_hex(parse_signature(s).key_id) == id;
    } catch (const OpsError&) {
      return false;
    }
  });
  e.signatures.push_back(signature_file_text(sign(key, e.signed_text, trusted_comment)));
}

Root parse_root(std::string_view text) {
  auto j = parse_json(text, "root");
  if (str_field(j, "type", "root") != "root") schema_error("root", "type must be \"root\"");
  Root r;
  r.version = uint_field(j, "version", "root");
  if (r.version < 1) schema_error("root", "version must be ≥ 1");
  r.expires = parse_time(str_field(j, "expires", "root"));
  const auto& keys = field(j, "keys", json::value_t::object, "root");
  if (keys.size() > 64) schema_error("root", "more than 64 keys");
  for (auto it = keys.begin(); it != keys.end(); ++it) {
    if (!it.value().is_object()) schema_error("root.keys", "entry must be an object");
    auto pk = parse_public_key(str_field(it.value(), "public_key", "root.keys"));
    if (key_id_hex(pk.id) != it.key())
      schema_error("root.keys", "key id " + it.key() + " does not match its key");
    r.keys.emplace(it.key(), pk);
  }
  const auto& roles = field(j, "roles", json::value_t::object, "root");
  r.root = role_keys(roles, "root", r.keys);
  r.release = role_keys(roles, "release", r.keys);
  return r;
}

std::string root_json(const Root& r) {
  json j;
  j["type"] = "root";
  j["version"] = r.version;
  j["expires"] = format_time(r.expires);
  j["keys"] = json::object();
  for (auto& [id, k] : r.keys) j["keys"][id] = {{"public_key", k.base64()}};
  j["roles"]["root"] = {{"keyids", r.root.keyids}, {"threshold", r.root.threshold}};
  j["roles"]["release"] = {{"keyids", r.release.keyids}, {"threshold", r.release.threshold}};
  return j.dump(2) + "\n";
}

Release parse_release(std::string_view text) {
  auto j = parse_json(text, "release");
  if (str_field(j, "type", "release") != "release") schema_error("release", "type must be \"release\"");
  Release r;
  r.version = uint_field(j, "version", "release");
  if (r.version < 1) schema_error("release", "version must be ≥ 1");
  r.expires = parse_time(str_field(j, "expires", "release"));
  r.channel = str_field(j, "channel", "release");
  if (r.channel.empty() || r.channel.size() > 32 ||
      !std::all_of(r.channel.begin(), r.channel.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      }))
    schema_error("release", "channel must be 1-32 of [a-z0-9_-]");
  if (j.contains("notes")) r.notes = str_field(j, "notes", "release");
  const auto& t = field(j, "targets", json::value_t::object, "release");
  r.targets.regions = str_list(t, "regions", "release.targets", false);
  r.targets.groups = str_list(t, "groups", "release.targets", false);
  r.targets.terminals = str_list(t, "terminals", "release.targets", false);
  if (t.contains("rollout_bp")) {
    auto bp = uint_field(t, "rollout_bp", "release.targets");
    if (bp > 10000) schema_error("release.targets", "rollout_bp must be ≤ 10000");
    r.targets.rollout_bp = static_cast<std::uint32_t>(bp);
  }
  r.bundle = file_entry(field(j, "bundle", json::value_t::object, "release"), "release.bundle");
  const auto& files = field(j, "files", json::value_t::object, "release");
  if (files.empty()) schema_error("release", "files must list at least one file");
  if (files.size() > 4096) schema_error("release", "more than 4096 files");
  for (auto it = files.begin(); it != files.end(); ++it)
    r.files.emplace(it.key(), file_entry(it.value(), "release.files"));
  return r;
}

std::string release_json(const Release& r) {
  json j;
  j["type"] = "release";
  j["version"] = r.version;
  j["expires"] = format_time(r.expires);
  j["channel"] = r.channel;
  if (!r.notes.empty()) j["notes"] = r.notes;
  j["targets"] = {{"regions", r.targets.regions},
                  {"groups", r.targets.groups},
                  {"terminals", r.targets.terminals},
                  {"rollout_bp", r.targets.rollout_bp}};
  j["bundle"] = {{"sha256", r.bundle.sha256}, {"size", r.bundle.size}};
  j["files"] = json::object();
  for (auto& [p, f] : r.files) j["files"][p] = {{"sha256", f.sha256}, {"size", f.size}};
  return j.dump(2) + "\n";
}

void verify_threshold(const Envelope& env, const Root& keys_from, const RoleKeys& role,
                      std::string_view what) {
  std::string w(what);
  if (env.signatures.empty()) throw OpsError(Reason::unsigned_metadata, w + " carries no signature");
  std::set<std::string> good;
  std::string bad, unknown;
  for (const auto& text : env.signatures) {
    Signature s;
    try {
      s = parse_signature(text);
    } catch (const OpsError& e) {
      bad = std::string("unparseable signature (") + e.what() + ")";
      continue;
    }
    auto id = key_id_hex(s.key_id);
    if (std::find(role.keyids.begin(), role.keyids.end(), id) == role.keyids.end()) {
      unknown = id;
      continue;
    }
    if (verify(keys_from.keys.at(id), s, env.signed_text))
      good.insert(id);  // distinct key ids only
    else
      bad = "signature by key " + id + " does not verify";
  }
  if (static_cast<int>(good.size()) >= role.threshold) return;
  if (!bad.empty()) throw OpsError(Reason::bad_signature, w + ": " + bad);
  if (good.empty() && !unknown.empty())
    throw OpsError(Reason::unknown_key,
                   w + ": signed by key " + unknown + " which is not trusted for this role");
  throw OpsError(Reason::below_threshold, w + ": " + std::to_string(good.size()) + " of " +
                                              std::to_string(role.threshold) + " required signatures");
}

Root verify_root_self(const Envelope& env) {
  Root r = parse_root(env.signed_text);
  verify_threshold(env, r, r.root, "root v" + std::to_string(r.version));
  return r;
}

Root verify_root_successor(const Root& trusted, const Envelope& next) {
  Root r = parse_root(next.signed_text);
  if (r.version != trusted.version + 1)
    throw OpsError(Reason::older_version, "root v" + std::to_string(r.version) +
                                              " does not follow trusted v" + std::to_string(trusted.version));
  verify_threshold(next, trusted, trusted.root, "root v" + std::to_string(r.version) + " (old keys)");
  verify_threshold(next, r, r.root, "root v" + std::to_string(r.version) + " (new keys)");
  return r;
}

Release verify_release(const Root& root, const Envelope& env, TimePoint now) {
  // Signature first: nothing of an unsigned payload is trusted, not even its version.
  verify_threshold(env, root, root.release, "release");
  Release r = parse_release(env.signed_text);
  if (r.expires <= now)
    throw OpsError(Reason::expired,
                   "release v" + std::to_string(r.version) + " expired at " + format_time(r.expires));
  return r;
}

std::uint32_t cohort(const std::string& terminal_id, std::uint64_t version) {
  std::string in = terminal_id;
  in.push_back('\0');
  in += std::to_string(version);
  unsigned char h[8];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(in.data()), in.size(), nullptr, 0);
  std::uint64_t v = 0;
  for (unsigned char b : h) v = (v << 8) | b;
  return static_cast<std::uint32_t>(v % 10000);
}

std::optional<std::string> ineligible_reason(const Release& r, const TerminalIdentity& t) {
  const auto& tg = r.targets;
  if (!tg.terminals.empty() &&
      std::find(tg.terminals.begin(), tg.terminals.end(), t.terminal_id) == tg.terminals.end())
    return "terminal not listed";
  if (!tg.regions.empty() && std::none_of(tg.regions.begin(), tg.regions.end(), [&](const std::string& p) {
        return !p.empty() && t.region_code.starts_with(p);
      }))
    return "region " + t.region_code + " not targeted";
  if (!tg.groups.empty() && std::find(tg.groups.begin(), tg.groups.end(), t.group) == tg.groups.end())
    return "group '" + t.group + "' not targeted";
  if (cohort(t.terminal_id, r.version) >= tg.rollout_bp) return "outside rollout cohort";
  return std::nullopt;
}

}  // namespace kiosk::ops
