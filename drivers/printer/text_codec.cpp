#include "drivers/printer/text_codec.hpp"

#include <iconv.h>

#include <cerrno>
#include <mutex>

namespace kiosk::printer {
namespace {

// iconv_t is not thread-safe: one descriptor per call site guarded by a mutex.
struct Iconv {
  iconv_t cd;
  std::mutex mu;
  Iconv(const char* to, const char* from) : cd(iconv_open(to, from)) {}
  ~Iconv() {
    if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
  }
  std::optional<std::string> run(std::string_view in) {
    if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
    std::lock_guard lk(mu);
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    std::string out(in.size() * 4 + 8, '\0');
    char* ip = const_cast<char*>(in.data());
    std::size_t il = in.size();
    char* op = out.data();
    std::size_t ol = out.size();
    if (iconv(cd, &ip, &il, &op, &ol) == static_cast<std::size_t>(-1)) return std::nullopt;
    out.resize(out.size() - ol);
    return out;
  }
};

Iconv& to_gbk() {
  static Iconv c("GBK", "UTF-8");
  return c;
}
Iconv& to_gb18030() {
  static Iconv c("GB18030", "UTF-8");
  return c;
}
Iconv& from_gb18030() {
  static Iconv c("UTF-32LE", "GB18030");
  return c;
}

bool has_four_byte(const std::string& gb) {
  for (std::size_t i = 0; i < gb.size();) {
    auto b = static_cast<std::uint8_t>(gb[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (i + 1 < gb.size()) {
      auto t = static_cast<std::uint8_t>(gb[i + 1]);
      if (t >= 0x30 && t <= 0x39) return true;
    }
    i += 2;
  }
  return false;
}

}  // namespace

std::optional<std::string> encode_printer_text(std::string_view utf8, TextEncoding enc) {
  if (enc == TextEncoding::Gbk) return to_gbk().run(utf8);
  auto r = to_gb18030().run(utf8);
  if (r && has_four_byte(*r)) return std::nullopt;
  return r;
}

char32_t decode_gb_pair(std::uint8_t lead, std::uint8_t trail) {
  char in[2] = {static_cast<char>(lead), static_cast<char>(trail)};
  auto r = from_gb18030().run(std::string_view(in, 2));
  if (!r || r->size() != 4) return 0;
  auto u = [&](int i) { return static_cast<char32_t>(static_cast<std::uint8_t>((*r)[i])); };
  return u(0) | (u(1) << 8) | (u(2) << 16) | (u(3) << 24);
}

std::u32string utf8_to_u32(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<std::uint8_t>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      auto c = static_cast<std::uint8_t>(s[i + k]);
      if ((c & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (c & 0x3F);
    }
    out.push_back(ok ? cp : 0xFFFD);
    i += ok ? len : 1;
  }
  return out;
}

void append_utf8(std::string& o, char32_t c) {
  if (c < 0x80) {
    o += static_cast<char>(c);
  } else if (c < 0x800) {
    o += static_cast<char>(0xC0 | (c >> 6));
    o += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    o += static_cast<char>(0xE0 | (c >> 12));
    o += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    o += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    o += static_cast<char>(0xF0 | (c >> 18));
    o += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    o += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    o += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string u32_to_utf8(std::u32string_view s) {
  std::string o;
  for (char32_t c : s) append_utf8(o, c);
  return o;
}

}  // namespace kiosk::printer
