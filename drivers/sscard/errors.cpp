#include "drivers/sscard/errors.hpp"

namespace kiosk::sscard {

const char* to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::Parse:
      return "parse error";
    case ErrorKind::Timeout:
      return "timeout";
    case ErrorKind::NoCard:
      return "no card";
    case ErrorKind::Mute:
      return "card mute";
    case ErrorKind::BadAtr:
      return "bad ATR";
    case ErrorKind::ReaderGone:
      return "reader gone";
    case ErrorKind::Protocol:
      return "protocol error";
    case ErrorKind::Card:
      return "card error";
    case ErrorKind::NotSsCard:
      return "not a social security card";
    case ErrorKind::Unsupported:
      return "unsupported";
    case ErrorKind::Io:
      return "I/O error";
  }
  return "?";
}

std::string hex(std::span<const std::uint8_t> b, bool spaced) {
  static const char* d = "0123456789ABCDEF";
  std::string s;
  s.reserve(b.size() * 3);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (spaced && i) s.push_back(' ');
    s.push_back(d[b[i] >> 4]);
    s.push_back(d[b[i] & 15]);
  }
  return s;
}

Bytes from_hex(std::string_view s) {
  Bytes out;
  int hi = -1;
  for (char c : s) {
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else if (c == ' ' || c == ':' || c == '\t' || c == '\n' || c == '\r')
      continue;
    else
      throw SsCardError(ErrorKind::Parse, "non-hex character in hex string");
    if (hi < 0)
      hi = v;
    else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) throw SsCardError(ErrorKind::Parse, "odd number of hex digits");
  return out;
}

}  // namespace kiosk::sscard
