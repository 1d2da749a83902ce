// Fuzz the client's reply parsing: the envelope and every typed `data` parser. Bad input must come
// back as an error string, never a crash or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kiosk/platform/messages.hpp"

using namespace kiosk::platform;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = decode_reply(body);
  if (!parsed.reply) {
    if (parsed.error.empty()) __builtin_trap();  // a rejection always says why
    return 0;
  }
  const auto& d = parsed.reply->data;
  std::string err;
  (void)parse_identity_check_result(d, err);
  (void)parse_certification_result(d, err);
  (void)parse_record_table(d, err);
  (void)parse_certificate_result(d, err);
  (void)parse_loss_report_result(d, err);
  (void)parse_voucher_identity(d, err);
  (void)parse_cases(d, err);
  (void)parse_catalog_result(d, err);
  (void)parse_staff_call_result(d, err);
  (void)parse_heartbeat_result(d, err);
  (void)parse_certificate_query_result(d, err);
  (void)parse_registration_result(d, err);
  // Round trip: what we accept we can re-encode and parse again.
  auto again = decode_reply(encode_reply(*parsed.reply));
  if (!again.reply || again.reply->code != parsed.reply->code) __builtin_trap();
  return 0;
}
