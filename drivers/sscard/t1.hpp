// ISO 7816-3 T=1 block protocol (pure): block codec and the host (interface device) side of the
// exchange — I-block chaining both ways, R-block acknowledgement and retransmission, S(WTX), S(IFS).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "drivers/sscard/errors.hpp"

namespace kiosk::sscard::t1 {

enum class BlockType { I, R, S };
enum SType : std::uint8_t { Resynch = 0, Ifs = 1, Abort = 2, Wtx = 3 };

struct Block {
  std::uint8_t nad = 0;
  std::uint8_t pcb = 0;
  Bytes inf;

  BlockType type() const;
  // I-block
  bool ns() const { return (pcb & 0x40) != 0; }
  bool more() const { return (pcb & 0x20) != 0; }
  // R-block
  bool nr() const { return (pcb & 0x10) != 0; }
  std::uint8_t r_error() const { return pcb & 0x0F; }
  // S-block
  bool s_response() const { return (pcb & 0x20) != 0; }
  std::uint8_t s_type() const { return pcb & 0x1F & ~0x20; }

  static Block i_block(bool ns, bool more, Bytes inf);
  static Block r_block(bool nr, std::uint8_t error = 0);
  static Block s_block(std::uint8_t type, bool response, Bytes inf = {});
};

Bytes encode(const Block& b);  // NAD PCB LEN INF LRC
// Throws SsCardError(Parse): short, LEN mismatch, LEN = 255, LRC error, or a malformed PCB.
Block decode(std::span<const std::uint8_t> bytes);

// Host side. `exchange(block_bytes, wtx)` sends one block and returns the card's block bytes; wtx > 1
// asks the transport to extend its waiting time by that factor for this exchange.
class HostProtocol {
 public:
  using Exchange = std::function<Bytes(const Bytes& block, int wtx)>;
  explicit HostProtocol(std::size_t ifsc = 32) : ifsc_(ifsc ? ifsc : 32) {}
  // Sends one APDU (chained if longer than IFSC) and returns the whole R-APDU.
  Bytes transceive(std::span<const std::uint8_t> apdu, const Exchange& exchange);
  std::size_t ifsc() const { return ifsc_; }
  int blocks_sent() const { return blocks_; }

 private:
  Block exchange_block(const Block& out, const Exchange& ex, int& wtx);
  std::size_t ifsc_;
  bool ns_ = false;  // our next send sequence
  bool nr_ = false;  // card's next expected sequence
  int blocks_ = 0;
};

}  // namespace kiosk::sscard::t1
