// Typed errors of the ops layer: every rejection carries a machine reason and a human detail.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace kiosk::ops {

enum class Reason {
  malformed,          // bytes do not parse (bad base64, JSON, minisign lines, tar)
  schema,             // parses but violates the schema (missing/wrong-typed field, bad value)
  unsigned_metadata,  // no signature at all
  bad_signature,      // a signature does not verify
  below_threshold,    // not enough distinct trusted keys signed
  unknown_key,        // signature by a key the root does not list for the role
  older_version,      // version below (or equal, where forbidden) the trusted one
  expired,            // metadata past its expiry (freeze attack)
  truncated,          // fewer bytes than announced
  too_large,          // more bytes than allowed (endless data)
  hash_mismatch,      // content hash differs from the signed hash
  bad_path,           // unsafe or unexpected path inside a bundle
  not_eligible,       // release does not target this terminal
  known_bad,          // version previously rolled back
  health_check,       // new config failed the health check
  network,            // transport failure / timeout
  io,                 // local file system failure
};

std::string_view to_string(Reason r);

class OpsError : public std::runtime_error {
 public:
  OpsError(Reason reason, const std::string& detail)
      : std::runtime_error(std::string(to_string(reason)) + ": " + detail), reason_(reason) {}
  Reason reason() const { return reason_; }

 private:
  Reason reason_;
};

}  // namespace kiosk::ops
