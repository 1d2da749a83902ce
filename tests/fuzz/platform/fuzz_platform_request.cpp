// Fuzz the simulator's request parsing (outside bytes on the server side): envelope + typed bodies.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kiosk/platform/messages.hpp"

using namespace kiosk::platform;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // First byte picks the endpoint, the rest is the body.
  auto e = static_cast<Endpoint>(data[0] % all_endpoints().size());
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto parsed = decode_request(e, body);
  if (!parsed.request) {
    if (parsed.error.empty()) __builtin_trap();
    return 0;
  }
  const auto& b = parsed.request->body;
  std::string err;
  (void)parse_identity_check(b, err);
  (void)parse_certification_submit(b, err);
  (void)parse_record_query(b, err);
  (void)parse_certificate_issue(b, err);
  (void)parse_sscard_loss_report(b, err);
  (void)parse_voucher_resolve(b, err);
  (void)parse_case_lookup(b, err);
  (void)parse_rating(b, err);
  (void)parse_catalog(b, err);
  (void)parse_staff_call(b, err);
  (void)parse_heartbeat(b, err);
  (void)parse_certificate_query(b, err);
  (void)parse_registration_submit(b, err);
  return 0;
}
