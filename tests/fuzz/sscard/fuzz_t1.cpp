// T=1 blocks from a (hostile) card, fed to the host protocol engine.
#include <cstdint>

#include "drivers/sscard/t1.hpp"

using namespace kiosk::sscard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)t1::decode(std::span(data, size));
  } catch (const SsCardError&) {
  }
  // The input is split into card blocks: [len][block bytes]...
  std::size_t off = 0;
  int calls = 0;
  auto card = [&](const Bytes&, int) -> Bytes {
    if (++calls > 64 || off >= size) throw SsCardError(ErrorKind::Timeout, "fuzz: no more blocks");
    const std::size_t n = std::min<std::size_t>(data[off], size - off - 1);
    Bytes b(data + off + 1, data + off + 1 + n);
    off += 1 + n;
    return b;
  };
  try {
    t1::HostProtocol host(8);
    const Bytes apdu{0x00, 0xB2, 0x01, 0x2D, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
    (void)host.transceive(apdu, card);
  } catch (const SsCardError&) {
  }
  return 0;
}
