#include "drivers/printer/scan.hpp"

namespace kiosk::printer {
namespace {

std::size_t need(std::size_t n, std::size_t have) {
  return n <= have ? n : 0;
}

std::size_t until_nul(std::span<const std::uint8_t> d, std::size_t from, std::size_t max) {
  for (std::size_t i = from; i < d.size() && i < from + max; ++i)
    if (d[i] == 0) return i + 1;
  return d.size() >= from + max ? from + max : 0;
}

}  // namespace

std::size_t element_length(std::span<const std::uint8_t> d, bool* known) {
  if (known) *known = true;
  const std::size_t n = d.size();
  const std::uint8_t c = d[0];
  if (c != 0x10 && c != 0x1B && c != 0x1C && c != 0x1D) return 1;
  if (n < 2) return 0;
  const std::uint8_t f = d[1];
  auto u16 = [&](std::size_t i) -> std::size_t { return d[i] | (static_cast<std::size_t>(d[i + 1]) << 8); };
  auto unknown = [&]() -> std::size_t {
    if (known) *known = false;
    return 2;
  };
  if (c == 0x10) {
    switch (f) {
      case 0x04:
      case 0x05:
        return need(3, n);
      case 0x14: {
        if (n < 3) return 0;
        return need(d[2] == 8 ? 10 : 5, n);
      }
      default:
        return unknown();
    }
  }
  if (c == 0x1B) {
    switch (f) {
      case '@':
      case '2':
      case 'i':
      case 'm':
      case '<':
      case 'v':
      case 'L':
      case 'S':
      case 0x0C:
        return 2;
      case 'd':
      case 'J':
      case '3':
      case 'a':
      case 'E':
      case 'G':
      case '-':
      case '!':
      case 'M':
      case 't':
      case 'R':
      case 'V':
      case '{':
      case ' ':
      case 'T':
      case '=':
      case 'r':
      case 'U':
      case '%':
      case '?':
      case 'e':
      case 'u':
      case '9':
      case 'K':
      case 'j':
        return need(3, n);
      case '$':
      case '\\':
      case 'B':
        return need(4, n);
      case 'c':
        return need(4, n);
      case 'p':
      case 'C':
        return need(5, n);
      case 'W':
        return need(10, n);
      case 'D':
        return until_nul(d, 2, 33);
      case '*': {
        if (n < 5) return 0;
        std::size_t cols = u16(3);
        std::size_t per = (d[2] == 32 || d[2] == 33) ? 3 : 1;
        return need(5 + cols * per, n);
      }
      case 'Z': {
        if (n < 7) return 0;
        return need(7 + u16(5), n);
      }
      case '&': {
        // ESC & y c1 c2 [x d1..d(y*x)]k
        if (n < 5) return 0;
        std::size_t y = d[2], pos = 5;
        int count = d[4] >= d[3] ? d[4] - d[3] + 1 : 0;
        for (int i = 0; i < count; ++i) {
          if (pos >= n) return 0;
          pos += 1 + y * d[pos];
        }
        return need(pos, n);
      }
      default:
        return unknown();
    }
  }
  if (c == 0x1C) {
    switch (f) {
      case '&':
      case '.':
      case 'P':
        return 2;
      case '!':
      case '-':
      case 'W':
      case 'C':
        return need(3, n);
      case 'S':
      case 'p':
        return need(4, n);
      case '2':
        return need(76, n);
      case '(': {
        if (n < 5) return 0;
        return need(5 + u16(3), n);
      }
      default:
        return unknown();
    }
  }
  // GS
  switch (f) {
    case '!':
    case 'B':
    case 'h':
    case 'w':
    case 'H':
    case 'f':
    case 'a':
    case 'r':
    case 'I':
    case 'b':
    case 'Z':
    case '/':
    case 'T':
    case 'E':
    case 'j':
      return need(3, n);
    case ':':
      return 2;
    case 'L':
    case 'W':
    case 'P':
    case '$':
    case '\\':
      return need(4, n);
    case '^':
      return need(5, n);
    case 'V': {
      if (n < 3) return 0;
      std::uint8_t m = d[2];
      if (m == 0 || m == 1 || m == 0x30 || m == 0x31) return 3;
      return need(4, n);
    }
    case 'v': {
      if (n < 8) return 0;
      if (d[2] != '0') return unknown();
      return need(8 + u16(4) * u16(6), n);
    }
    case '(': {
      if (n < 5) return 0;
      return need(5 + u16(3), n);
    }
    case '8': {
      if (n < 7) return 0;
      std::size_t p = d[3] | (static_cast<std::size_t>(d[4]) << 8) | (static_cast<std::size_t>(d[5]) << 16) |
                      (static_cast<std::size_t>(d[6]) << 24);
      return need(7 + p, n);
    }
    case '*': {
      if (n < 4) return 0;
      return need(4 + static_cast<std::size_t>(d[2]) * d[3] * 8, n);
    }
    case 'k': {
      if (n < 3) return 0;
      std::uint8_t m = d[2];
      if (m <= 6) return until_nul(d, 3, 256);
      if (m == 97) {
        if (n < 7) return 0;
        return need(7 + u16(5), n);
      }
      if (n < 4) return 0;
      return need(4 + d[3], n);
    }
    default:
      return unknown();
  }
}

}  // namespace kiosk::printer
