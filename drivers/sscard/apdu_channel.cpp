#include "drivers/sscard/apdu_channel.hpp"

namespace kiosk::sscard {

Response ApduChannel::raw(const Command& c) {
  Bytes wire = c.encode(t_.extended_length());
  if (trace_) {
    if (c.sensitive) {
      Bytes red = wire;
      for (std::size_t i = 5; i < red.size(); ++i) red[i] = 0xFF;
      trace_(true, red);
    } else {
      trace_(true, wire);
    }
  }
  ++apdus_;
  Bytes r;
  try {
    r = t_.transmit(wire);
  } catch (...) {
    std::fill(wire.begin(), wire.end(), 0);
    throw;
  }
  std::fill(wire.begin(), wire.end(), 0);
  if (trace_) trace_(false, r);
  return parse_response(r);
}

Response ApduChannel::transmit(const Command& c) {
  Response r = raw(c);
  if (r.sw1() == 0x6C && c.le) {  // wrong Le: re-send once with the length the card wants
    Command again = c;
    again.le = r.sw2() == 0 ? 256 : r.sw2();
    r = raw(again);
  }
  if (r.sw1() == 0x61) {
    if (!c.le) {  // the caller wants no data (e.g. SELECT without Le): done
      r.sw = 0x9000;
      r.data.clear();
      return r;
    }
    Bytes data = std::move(r.data);
    for (int i = 0; r.sw1() == 0x61; ++i) {
      if (i > 64) throw SsCardError(ErrorKind::Protocol, "endless GET RESPONSE chain");
      Command gr{static_cast<std::uint8_t>(c.cla & 0x03),
                 0xC0,
                 0,
                 0,
                 {},
                 static_cast<std::size_t>(r.sw2() == 0 ? 256 : r.sw2()),
                 false};
      r = raw(gr);
      data.insert(data.end(), r.data.begin(), r.data.end());
    }
    r.data = std::move(data);
  }
  return r;
}

}  // namespace kiosk::sscard
