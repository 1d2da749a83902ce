// Stream of answer bytes → scanner (resync, bounds, checksum) → response → base record → card text.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "drivers/idcard/card_text.hpp"
#include "drivers/idcard/codec.hpp"

using namespace kiosk::idcard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> buf;
  // Feed in uneven pieces, like reads from a serial port.
  std::size_t off = 0, piece = 1;
  while (off < size) {
    const std::size_t n = std::min(piece, size - off);
    buf.insert(buf.end(), data + off, data + off + n);
    off += n;
    piece = piece * 3 % 61 + 1;
    for (;;) {
      Scan s = scan_frame(buf, 4);
      if (s.consumed > buf.size()) __builtin_trap();
      buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(s.consumed));
      if (s.kind == Scan::Kind::NeedMore) break;
      if (s.kind == Scan::Kind::Error) {
        if (s.error.empty()) __builtin_trap();
        continue;
      }
      try {
        Response r = parse_response(s.body);
        (void)describe_status(r.sw3);
        for (bool fp : {false, true}) {
          try {
            BaseRecord rec = parse_base_record(r.data, fp);
            (void)decode_text(rec.text);
          } catch (const CodecError&) {
          } catch (const TextError&) {
          }
        }
        // Round trip: re-encoding the parsed answer gives the same body.
        auto again = scan_frame(encode_response(r.sw1, r.sw2, r.sw3, r.data), 4);
        if (again.kind != Scan::Kind::Frame || again.body != s.body) __builtin_trap();
      } catch (const CodecError&) {
      }
    }
  }
  try {
    (void)decode_response_frame(std::span(data, size));
  } catch (const CodecError&) {
  }
  return 0;
}
