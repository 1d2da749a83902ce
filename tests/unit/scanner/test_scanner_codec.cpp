// Keyboard-wedge decoding: layouts, modifiers, Alt+numpad codes, terminators, bad reports.
#include <catch2/catch.hpp>

#include "drivers/scanner/hid_decoder.hpp"
#include "drivers/scanner/scan_assembler.hpp"

using namespace kiosk::scanner;
using R = std::vector<std::uint8_t>;

namespace {
std::string type_all(HidReportDecoder& d, const std::vector<R>& reports,
                     std::vector<Keystroke>* keys_out = nullptr) {
  std::vector<Keystroke> keys;
  for (auto& r : reports) REQUIRE(d.feed(r, keys).empty());
  std::string s;
  for (auto& k : keys)
    s += k.type == Keystroke::Type::Text ? k.text : k.type == Keystroke::Type::Enter ? "⏎" : "⇥";
  if (keys_out) *keys_out = keys;
  return s;
}
R rep(std::uint8_t mods, std::uint8_t key, std::uint8_t key2 = 0) {
  return {mods, 0, key, key2, 0, 0, 0, 0};
}
const R up{0, 0, 0, 0, 0, 0, 0, 0};
}  // namespace

TEST_CASE("US layout: letters, shifted symbols, digits and Enter") {
  HidReportDecoder d(Layout::Us);
  // "aB3!" + Enter: a, Shift+b, 3, Shift+1, Enter
  auto s = type_all(d, {rep(0, 0x04), up, rep(mod::LShift, 0x05), up, rep(0, 0x20), up,
                        rep(mod::RShift, 0x1E), up, rep(0, 0x28), up});
  CHECK(s == "aB3!⏎");
}

TEST_CASE("the same layout-dependent key differs between US, DE and FR") {
  // Usage 0x1C is 'y' on US, 'z' on DE (QWERTZ); usage 0x04 is 'a' on US/DE, 'q' on FR (AZERTY).
  HidReportDecoder us(Layout::Us), de(Layout::De), fr(Layout::Fr);
  CHECK(type_all(us, {rep(0, 0x1C), up, rep(0, 0x04), up}) == "ya");
  CHECK(type_all(de, {rep(0, 0x1C), up, rep(0, 0x04), up}) == "za");
  CHECK(type_all(fr, {rep(0, 0x1C), up, rep(0, 0x04), up}) == "yq");
  // FR digits need Shift; unshifted row gives & é " ...
  CHECK(type_all(fr, {rep(mod::LShift, 0x1E), up, rep(0, 0x1F), up}) == "1é");
  // DE AltGr+q = @, Shift+7 = /
  CHECK(type_all(de, {rep(mod::RAlt, 0x14), up, rep(mod::LShift, 0x24), up}) == "@/");
  // URL characters on DE: ':' is Shift+. and '/' is Shift+7
  CHECK(type_all(de, {rep(mod::LShift, 0x37), up}) == ":");
}

TEST_CASE("Shift released in the same report as the next key is not applied to it") {
  HidReportDecoder d(Layout::Us);
  CHECK(type_all(d, {rep(mod::LShift, 0x04), rep(0, 0x05), up}) == "Ab");
}

TEST_CASE("two keys in one report (rollover) both type, in order") {
  HidReportDecoder d(Layout::Us);
  CHECK(type_all(d, {rep(0, 0x04, 0x05), up}) == "ab");
}

TEST_CASE("Caps Lock toggles letter case but not symbols") {
  HidReportDecoder d(Layout::Us);
  CHECK(type_all(d, {rep(0, 0x39), up, rep(0, 0x04), up, rep(0, 0x1E), up, rep(mod::LShift, 0x04), up}) ==
        "A1a");
}

TEST_CASE("Alt+numpad codes: ASCII, Latin-1 and GBK Chinese") {
  HidReportDecoder d(Layout::Us);
  auto alt_seq = [](const std::string& digits) {
    std::vector<R> v{rep(mod::LAlt, 0)};
    for (char c : digits) {
      std::uint8_t kp = c == '0' ? usage::Kp0 : static_cast<std::uint8_t>(usage::Kp1 + (c - '1'));
      v.push_back(rep(mod::LAlt, kp));
      v.push_back(rep(mod::LAlt, 0));
    }
    v.push_back(up);
    return v;
  };
  CHECK(type_all(d, alt_seq("65")) == "A");
  CHECK(type_all(d, alt_seq("233")) == "é");
  // 中 is GBK D6 D0 = 0xD6D0 = 54992
  CHECK(type_all(d, alt_seq("54992")) == "中");
  CHECK(alt_code_to_utf8("0").empty());
  CHECK(alt_code_to_utf8("99999").empty());
  CHECK(alt_code_to_utf8("12a").empty());
}

TEST_CASE("keypad digits without Alt are plain digits; Ctrl+M is Enter") {
  HidReportDecoder d(Layout::Us);
  CHECK(type_all(d, {rep(0, usage::Kp1), up, rep(0, usage::Kp0), up, rep(mod::LCtrl, 0x10), up}) == "10⏎");
}

TEST_CASE("report IDs and malformed reports are rejected with a reason") {
  HidReportDecoder d(Layout::Us, 1);
  std::vector<Keystroke> keys;
  CHECK(d.feed(R{}, keys) == "empty report");
  CHECK(d.feed(R{2, 0, 0, 4}, keys) == "unexpected report id");
  CHECK(d.feed(R{1, 0}, keys) == "report shorter than 3 bytes");
  CHECK(d.feed(R(80, 0), keys) == "unexpected report id");
  CHECK(keys.empty());
  CHECK(d.feed(R{1, 0, 0, 0x04, 0, 0, 0, 0, 0}, keys).empty());
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].text == "a");
  HidReportDecoder plain(Layout::Us);
  CHECK(plain.feed(R(65, 0), keys) == "report longer than 64 bytes");
}

TEST_CASE("ErrorRollOver reports keep the previous key state") {
  HidReportDecoder d(Layout::Us);
  CHECK(type_all(d, {rep(0, 0x04), R{0, 0, 1, 1, 1, 1, 1, 1}, up}) == "a");
}

TEST_CASE("evdev key codes map onto the same usages") {
  CHECK(evdev_to_usage(30) == 0x04);  // KEY_A
  CHECK(evdev_to_usage(44) == 0x1D);  // KEY_Z
  CHECK(evdev_to_usage(28) == 0x28);  // KEY_ENTER
  CHECK(evdev_to_usage(42) == 0xE1);  // KEY_LEFTSHIFT
  CHECK(evdev_to_usage(79) == usage::Kp1);
  CHECK(evdev_to_usage(11) == 0x27);  // KEY_0
  CHECK(evdev_to_usage(500) == 0);
}

TEST_CASE("assembler: Enter ends a scan, prefix/suffix stripped, empty scans ignored") {
  AssemblerConfig cfg;
  cfg.prefix = "]Q1";
  ScanAssembler a(cfg);
  auto t = Clock::now();
  using K = Keystroke;
  auto out =
      a.push({{K::Type::Text, "]Q1"}, {K::Type::Text, "abc"}, {K::Type::Enter, {}}, {K::Type::Enter, {}}}, t);
  REQUIRE(out.size() == 1);
  CHECK(out[0] == "abc");
  CHECK(a.stats().empty == 1);
}

TEST_CASE("assembler: Tab terminator keeps Enter inside, and vice versa") {
  AssemblerConfig cfg;
  cfg.terminator = Terminator::Tab;
  ScanAssembler a(cfg);
  using K = Keystroke;
  auto out = a.push({{K::Type::Text, "a"}, {K::Type::Enter, {}}, {K::Type::Text, "b"}, {K::Type::Tab, {}}},
                    Clock::now());
  REQUIRE(out.size() == 1);
  CHECK(out[0] == "a\nb");
}

TEST_CASE("assembler: no terminator, an idle gap ends the scan") {
  AssemblerConfig cfg;
  cfg.terminator = Terminator::None;
  cfg.idle_gap = std::chrono::milliseconds(50);
  ScanAssembler a(cfg);
  auto t0 = Clock::now();
  CHECK(a.push({{Keystroke::Type::Text, "xy"}}, t0).empty());
  CHECK_FALSE(a.poll(t0 + std::chrono::milliseconds(10)));
  REQUIRE(a.deadline());
  CHECK(*a.deadline() == t0 + std::chrono::milliseconds(50));
  auto s = a.poll(t0 + std::chrono::milliseconds(60));
  REQUIRE(s);
  CHECK(*s == "xy");
  CHECK_FALSE(a.deadline());
}

TEST_CASE("assembler: a cut-off scan is abandoned, an overlong one dropped whole") {
  AssemblerConfig cfg;
  cfg.abandon_after = std::chrono::milliseconds(100);
  cfg.max_length = 4;
  ScanAssembler a(cfg);
  auto t0 = Clock::now();
  a.push({{Keystroke::Type::Text, "ab"}}, t0);
  CHECK_FALSE(a.poll(t0 + std::chrono::milliseconds(200)));
  CHECK(a.stats().abandoned == 1);
  auto out = a.push({{Keystroke::Type::Text, "abcdef"},
                     {Keystroke::Type::Enter, {}},
                     {Keystroke::Type::Text, "ok"},
                     {Keystroke::Type::Enter, {}}},
                    t0 + std::chrono::milliseconds(300));
  REQUIRE(out.size() == 1);
  CHECK(out[0] == "ok");
  CHECK(a.stats().overlong == 1);
}

TEST_CASE("assembler: serial bytes with CR, LF and CRLF terminators") {
  ScanAssembler a;
  std::string bytes = "one\r\ntwo\rthree\n\n";
  auto out = a.push_bytes(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
                          Clock::now());
  REQUIRE(out.size() == 3);
  CHECK(out[0] == "one");
  CHECK(out[1] == "two");
  CHECK(out[2] == "three");
}

TEST_CASE("layout names and terminator names parse") {
  CHECK(parse_layout("DE") == Layout::De);
  CHECK_FALSE(parse_layout("dvorak"));
  CHECK(parse_terminator("enter_or_tab") == Terminator::EnterOrTab);
  CHECK_FALSE(parse_terminator("cr"));
}
