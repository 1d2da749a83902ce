// Input: [config byte] then chunks [len][report bytes...]: HID reports through the decoder (layout and
// report-ID from the config byte) into the assembler; the same bytes also go through the serial path.
#include <cstdint>
#include <span>
#include <vector>

#include "drivers/scanner/hid_decoder.hpp"
#include "drivers/scanner/scan_assembler.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kiosk::scanner;
  if (size == 0) return 0;
  const std::uint8_t cfg = data[0];
  const Layout layout = static_cast<Layout>(cfg % 3);
  HidReportDecoder dec(layout, (cfg & 0x04) ? 1 : -1);
  AssemblerConfig ac;
  ac.terminator = static_cast<Terminator>((cfg >> 3) % 4);
  ac.max_length = 64;
  ac.prefix = (cfg & 0x20) ? "]Q1" : "";
  ScanAssembler a(ac), serial(ac);
  auto t = Clock::now();
  std::vector<Keystroke> keys;
  std::size_t i = 1;
  while (i < size) {
    std::size_t len = data[i++] % 70;
    if (len > size - i) len = size - i;
    keys.clear();
    dec.feed(std::span(data + i, len), keys);
    t += std::chrono::milliseconds(data[i - 1] & 0x3F);
    for (auto& s : a.push(keys, t))
      if (s.size() > ac.max_length) __builtin_trap();
    a.poll(t);
    i += len;
  }
  for (auto& s : serial.push_bytes(std::span(data, size), t))
    if (s.size() > ac.max_length) __builtin_trap();
  serial.poll(t + std::chrono::seconds(5));
  return 0;
}
