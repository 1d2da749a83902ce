#include "drivers/scanner/keymap.hpp"

#include <array>
#include <cctype>

namespace kiosk::scanner {
namespace {

struct Key {
  const char* normal;
  const char* shifted;
  const char* altgr;
  bool letter;  // Caps Lock applies
};

// Usages 0x04 (a) .. 0x38 (/), then 0x64 (non-US \ |) kept apart.
constexpr std::uint8_t kFirst = 0x04, kLast = 0x38;
using Table = std::array<Key, kLast - kFirst + 1>;

// Hand-laid rows of seven keys (HID usage order); clang-format would reflow them.
// clang-format off
constexpr Key L(const char* lo, const char* up, const char* ag = "") { return {lo, up, ag, true}; }
constexpr Key S(const char* lo, const char* up, const char* ag = "") { return {lo, up, ag, false}; }

constexpr Table kUs = {
    L("a", "A"), L("b", "B"), L("c", "C"), L("d", "D"), L("e", "E"), L("f", "F"), L("g", "G"),
    L("h", "H"), L("i", "I"), L("j", "J"), L("k", "K"), L("l", "L"), L("m", "M"), L("n", "N"),
    L("o", "O"), L("p", "P"), L("q", "Q"), L("r", "R"), L("s", "S"), L("t", "T"), L("u", "U"),
    L("v", "V"), L("w", "W"), L("x", "X"), L("y", "Y"), L("z", "Z"),
    S("1", "!"), S("2", "@"), S("3", "#"), S("4", "$"), S("5", "%"), S("6", "^"), S("7", "&"),
    S("8", "*"), S("9", "("), S("0", ")"),
    S("", ""), S("", ""), S("", ""), S("", ""),  // 0x28 Enter, Esc, Backspace, Tab: not characters
    S(" ", " "), S("-", "_"), S("=", "+"), S("[", "{"), S("]", "}"), S("\\", "|"), S("#", "~"),
    S(";", ":"), S("'", "\""), S("`", "~"), S(",", "<"), S(".", ">"), S("/", "?"),
};

constexpr Table kDe = {
    L("a", "A"), L("b", "B"), L("c", "C"), L("d", "D"), L("e", "E", "€"), L("f", "F"), L("g", "G"),
    L("h", "H"), L("i", "I"), L("j", "J"), L("k", "K"), L("l", "L"), L("m", "M", "µ"), L("n", "N"),
    L("o", "O"), L("p", "P"), L("q", "Q", "@"), L("r", "R"), L("s", "S"), L("t", "T"), L("u", "U"),
    L("v", "V"), L("w", "W"), L("x", "X"), L("z", "Z"), L("y", "Y"),
    S("1", "!"), S("2", "\"", "²"), S("3", "§", "³"), S("4", "$"), S("5", "%"), S("6", "&"),
    S("7", "/", "{"), S("8", "(", "["), S("9", ")", "]"), S("0", "=", "}"),
    S("", ""), S("", ""), S("", ""), S("", ""),
    S(" ", " "), S("ß", "?", "\\"), S("´", "`"), L("ü", "Ü"), S("+", "*", "~"), S("#", "'"),
    S("#", "'"), L("ö", "Ö"), L("ä", "Ä"), S("^", "°"), S(",", ";"), S(".", ":"), S("-", "_"),
};

constexpr Table kFr = {
    L("q", "Q"), L("b", "B"), L("c", "C"), L("d", "D"), L("e", "E", "€"), L("f", "F"), L("g", "G"),
    L("h", "H"), L("i", "I"), L("j", "J"), L("k", "K"), L("l", "L"), S(",", "?"), L("n", "N"),
    L("o", "O"), L("p", "P"), L("a", "A"), L("r", "R"), L("s", "S"), L("t", "T"), L("u", "U"),
    L("v", "V"), L("z", "Z"), L("x", "X"), L("y", "Y"), L("w", "W"),
    S("&", "1"), S("é", "2", "~"), S("\"", "3", "#"), S("'", "4", "{"), S("(", "5", "["),
    S("-", "6", "|"), S("è", "7", "`"), S("_", "8", "\\"), S("ç", "9", "^"), S("à", "0", "@"),
    S("", ""), S("", ""), S("", ""), S("", ""),
    S(" ", " "), S(")", "°", "]"), S("=", "+", "}"), S("^", "¨"), S("$", "£", "¤"), S("*", "µ"),
    S("*", "µ"), L("m", "M"), S("ù", "%"), S("²", ""), S(";", "."), S(":", "/"), S("!", "§"),
};
// clang-format on

const Table& table(Layout l) {
  switch (l) {
    case Layout::De:
      return kDe;
    case Layout::Fr:
      return kFr;
    case Layout::Us:
      break;
  }
  return kUs;
}

std::string upper_utf8(const char* s) {
  std::string out(s);
  if (out.size() == 1) {
    out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  } else if (out == "ü") {
    out = "Ü";
  } else if (out == "ö") {
    out = "Ö";
  } else if (out == "ä") {
    out = "Ä";
  }
  return out;
}

}  // namespace

std::optional<Layout> parse_layout(std::string_view name) {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "us") return Layout::Us;
  if (n == "de") return Layout::De;
  if (n == "fr") return Layout::Fr;
  return std::nullopt;
}

const char* to_string(Layout l) {
  switch (l) {
    case Layout::Us:
      return "us";
    case Layout::De:
      return "de";
    case Layout::Fr:
      return "fr";
  }
  return "?";
}

std::string key_to_utf8(Layout layout, std::uint8_t u, const KeyState& st) {
  // Keypad (Num Lock assumed on, as scanners send it), same on every layout.
  switch (u) {
    case 0x54:
      return "/";
    case 0x55:
      return "*";
    case 0x56:
      return "-";
    case 0x57:
      return "+";
    case 0x63:
      return layout == Layout::De ? "," : ".";
    default:
      break;
  }
  if (int d = keypad_digit(u); d >= 0) return std::string(1, static_cast<char>('0' + d));
  if (u == 0x64) {  // non-US \ and |, the ISO key left of Z
    if (layout == Layout::Us) return st.shift ? "|" : "\\";
    if (layout == Layout::De && st.altgr) return "|";
    return st.shift ? ">" : "<";
  }
  if (u < kFirst || u > kLast) return "";
  const Key& k = table(layout)[u - kFirst];
  if (st.altgr) return k.altgr;
  bool up = st.shift;
  if (k.letter && st.caps) up = !up;
  if (k.letter) return up ? upper_utf8(k.normal) : std::string(k.normal);
  return up ? k.shifted : k.normal;
}

int keypad_digit(std::uint8_t u) {
  if (u >= usage::Kp1 && u < usage::Kp0) return u - usage::Kp1 + 1;
  if (u == usage::Kp0) return 0;
  return -1;
}

std::uint8_t evdev_to_usage(std::uint16_t code) {
  // Linux KEY_* (input-event-codes.h) → usage, the inverse of the kernel's hid_keyboard[] table.
  static constexpr std::array<std::uint8_t, 128> kMap = [] {
    std::array<std::uint8_t, 128> m{};
    const std::uint8_t row1[] = {0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2D, 0x2E};
    m[1] = 0x29;
    for (int i = 0; i < 12; ++i) m[2 + i] = row1[i];  // KEY_1..KEY_EQUAL
    m[14] = 0x2A;
    m[15] = 0x2B;
    const std::uint8_t row2[] = {0x14, 0x1A, 0x08, 0x15, 0x17, 0x1C, 0x18, 0x0C, 0x12, 0x13, 0x2F, 0x30};
    for (int i = 0; i < 12; ++i) m[16 + i] = row2[i];  // KEY_Q..KEY_RIGHTBRACE
    m[28] = 0x28;
    m[29] = 0xE0;
    const std::uint8_t row3[] = {0x04, 0x16, 0x07, 0x09, 0x0A, 0x0B, 0x0D, 0x0E, 0x0F, 0x33, 0x34, 0x35};
    for (int i = 0; i < 12; ++i) m[30 + i] = row3[i];  // KEY_A..KEY_GRAVE
    m[42] = 0xE1;
    m[43] = 0x31;
    const std::uint8_t row4[] = {0x1D, 0x1B, 0x06, 0x19, 0x05, 0x11, 0x10, 0x36, 0x37, 0x38};
    for (int i = 0; i < 10; ++i) m[44 + i] = row4[i];  // KEY_Z..KEY_SLASH
    m[54] = 0xE5;
    m[55] = 0x55;
    m[56] = 0xE2;
    m[57] = 0x2C;
    m[58] = 0x39;
    m[69] = 0x53;
    m[71] = 0x5F;
    m[72] = 0x60;
    m[73] = 0x61;
    m[74] = 0x56;
    m[75] = 0x5C;
    m[76] = 0x5D;
    m[77] = 0x5E;
    m[78] = 0x57;
    m[79] = 0x59;
    m[80] = 0x5A;
    m[81] = 0x5B;
    m[82] = 0x62;
    m[83] = 0x63;
    m[86] = 0x64;
    m[96] = 0x58;
    m[97] = 0xE4;
    m[98] = 0x54;
    m[100] = 0xE6;
    m[125] = 0xE3;
    m[126] = 0xE7;
    return m;
  }();
  return code < kMap.size() ? kMap[code] : 0;
}

}  // namespace kiosk::scanner
