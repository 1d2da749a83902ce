#include "drivers/sscard/atr.hpp"

namespace kiosk::sscard {

namespace {
constexpr int kFi[16] = {372, 372, 558, 744, 1116, 1488, 1860, 0, 0, 512, 768, 1024, 1536, 2048, 0, 0};
constexpr int kDi[16] = {0, 1, 2, 4, 8, 16, 32, 64, 12, 20, 0, 0, 0, 0, 0, 0};
}  // namespace

int Atr::fi() const {
  return ta1 ? kFi[*ta1 >> 4] : 372;
}
int Atr::di() const {
  return ta1 ? kDi[*ta1 & 15] : 1;
}
int Atr::preferred_protocol() const {
  return t0 ? 0 : 1;
}

Atr parse_atr(std::span<const std::uint8_t> raw) {
  auto bad = [](const char* why) { return SsCardError(ErrorKind::BadAtr, why); };
  if (raw.size() < 2) throw bad("ATR shorter than 2 bytes");
  if (raw.size() > 33) throw bad("ATR longer than 33 bytes");
  Atr a;
  a.raw.assign(raw.begin(), raw.end());
  if (raw[0] == 0x3F)
    a.inverse_convention = true;
  else if (raw[0] != 0x3B)
    throw bad("TS is neither 3B nor 3F");

  std::size_t i = 1;
  std::uint8_t y = raw[i] >> 4;
  const std::size_t k = raw[i] & 15;
  ++i;
  int level = 1;        // interface byte group index
  int last_proto = -1;  // protocol named by the previous TD
  bool any_td = false;
  bool only_t0 = true;
  while (true) {
    auto take = [&]() -> std::uint8_t {
      if (i >= raw.size()) throw bad("ATR truncated in interface bytes");
      return raw[i++];
    };
    std::optional<std::uint8_t> ta, tb, tc, td;
    if (y & 1) ta = take();
    if (y & 2) tb = take();
    if (y & 4) tc = take();
    if (y & 8) td = take();
    if (level == 1) {
      a.ta1 = ta;
      if (tc) a.guard_time = *tc;
    } else if (level == 2) {
      if (ta) a.specific_mode = true;
      if (tc && last_proto == 0) a.wi = *tc;
    }
    if (level >= 3 && last_proto == 1) {
      if (ta) a.t1_ifsc = *ta;
      if (tb) {
        a.t1_bwi = *tb >> 4;
        a.t1_cwi = *tb & 15;
      }
      if (tc) a.t1_crc = (*tc & 1) != 0;
      last_proto = -2;  // only the first group for T=1 counts
    }
    if (!td) break;
    any_td = true;
    const int proto = *td & 15;
    if (proto == 0)
      a.t0 = true;
    else if (proto == 1)
      a.t1 = true;
    if (proto != 0) only_t0 = false;
    if (last_proto != -2 || proto != 1) last_proto = proto;
    y = *td >> 4;
    if (++level > 8) throw bad("too many interface byte groups");
  }
  if (!any_td) a.t0 = true;
  if (i + k > raw.size()) throw bad("ATR truncated in historical bytes");
  a.historical.assign(raw.begin() + static_cast<std::ptrdiff_t>(i),
                      raw.begin() + static_cast<std::ptrdiff_t>(i + k));
  i += k;
  if (!only_t0) {
    if (i >= raw.size()) throw bad("TCK missing");
    std::uint8_t x = 0;
    for (std::size_t j = 1; j <= i; ++j) x ^= raw[j];
    if (x != 0) throw bad("TCK mismatch");
    a.tck_present = true;
    ++i;
  }
  if (i != raw.size()) throw bad("extra bytes after ATR");
  if (!a.t0 && !a.t1) throw bad("ATR offers neither T=0 nor T=1");
  return a;
}

}  // namespace kiosk::sscard
