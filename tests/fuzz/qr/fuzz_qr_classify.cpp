// Input: [mode byte][rules TOML '\0'][payload] when mode is odd, else [mode byte][payload] with the
// default rules. Every input must classify (or be rejected by RulesError) without a crash.
#include <cstdint>
#include <cstring>
#include <string>

#include "kiosk/qr/payload.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kiosk::qr;
  if (size == 0) return 0;
  const char* p = reinterpret_cast<const char*>(data + 1);
  std::size_t n = size - 1;
  Rules rules = default_rules();
  if (data[0] & 1) {
    const void* z = std::memchr(p, 0, n);
    std::size_t tl = z ? static_cast<std::size_t>(static_cast<const char*>(z) - p) : n;
    try {
      rules = parse_rules(std::string_view(p, tl), "fuzz.toml");
    } catch (const RulesError&) {
      return 0;
    }
    p += tl + (z ? 1 : 0);
    n -= tl + (z ? 1 : 0);
  }
  std::string payload(p, n);
  auto c = classify(rules, payload);
  // Invariants: an accepted payload is within the global bounds and never appears in the log form.
  if (c.accepted() && payload.size() > rules.max_length) __builtin_trap();
  // With the default rules (short names, fixed reasons) a long payload must never show in the log form.
  auto log = describe_for_log(c, payload);
  if (!(data[0] & 1) && payload.size() > 64 && log.find(payload) != std::string::npos) __builtin_trap();
  auto e = make_event(c, payload, "fuzz");
  if (e.identity.token != payload) __builtin_trap();
  return 0;
}
