#include "drivers/sscard/t1.hpp"

namespace kiosk::sscard::t1 {

BlockType Block::type() const {
  if ((pcb & 0x80) == 0) return BlockType::I;
  if ((pcb & 0xC0) == 0x80) return BlockType::R;
  return BlockType::S;
}

Block Block::i_block(bool ns, bool more, Bytes inf) {
  return {0, static_cast<std::uint8_t>((ns ? 0x40 : 0) | (more ? 0x20 : 0)), std::move(inf)};
}
Block Block::r_block(bool nr, std::uint8_t error) {
  return {0, static_cast<std::uint8_t>(0x80 | (nr ? 0x10 : 0) | (error & 0x0F)), {}};
}
Block Block::s_block(std::uint8_t type, bool response, Bytes inf) {
  return {0, static_cast<std::uint8_t>(0xC0 | (response ? 0x20 : 0) | (type & 0x1F)), std::move(inf)};
}

Bytes encode(const Block& b) {
  if (b.inf.size() > 254) throw SsCardError(ErrorKind::Parse, "T=1 INF longer than 254");
  Bytes out(3 + b.inf.size());
  out[0] = b.nad;
  out[1] = b.pcb;
  out[2] = static_cast<std::uint8_t>(b.inf.size());
  std::copy(b.inf.begin(), b.inf.end(), out.begin() + 3);
  std::uint8_t lrc = 0;
  for (auto x : out) lrc ^= x;
  out.push_back(lrc);
  return out;
}

Block decode(std::span<const std::uint8_t> b) {
  auto bad = [](const char* why) { return SsCardError(ErrorKind::Parse, why); };
  if (b.size() < 4) throw bad("T=1 block shorter than 4 bytes");
  if (b[2] == 0xFF) throw bad("T=1 LEN 255 is reserved");
  if (b.size() != 4u + b[2]) throw bad("T=1 LEN does not match block size");
  std::uint8_t lrc = 0;
  for (auto x : b) lrc ^= x;
  if (lrc != 0) throw bad("T=1 LRC mismatch");
  Block k{b[0], b[1], Bytes(b.begin() + 3, b.end() - 1)};
  if (k.type() == BlockType::R && (k.inf.size() != 0 || (k.pcb & 0x20))) throw bad("malformed T=1 R-block");
  if (k.type() == BlockType::S && k.s_type() > Wtx) throw bad("unknown T=1 S-block");
  return k;
}

Block HostProtocol::exchange_block(const Block& out, const Exchange& ex, int& wtx) {
  // Returns the first non-S(request) block from the card, answering S(WTX)/S(IFS) requests, and
  // re-sending `out` when the card reports an error or sends garbage (at most 3 times).
  Bytes wire = encode(out);
  int retries = 0;
  Bytes reply_bytes = ex(wire, wtx);
  ++blocks_;
  wtx = 1;
  while (true) {
    Block in;
    try {
      in = decode(reply_bytes);
    } catch (const SsCardError&) {
      if (++retries > 3) throw SsCardError(ErrorKind::Protocol, "T=1: repeated invalid blocks");
      reply_bytes = ex(encode(Block::r_block(nr_, 1)), 1);
      ++blocks_;
      continue;
    }
    if (in.type() == BlockType::S && !in.s_response()) {
      if (in.s_type() == Wtx) {
        wtx = in.inf.empty() ? 1 : std::max<int>(1, in.inf[0]);
        reply_bytes = ex(encode(Block::s_block(Wtx, true, in.inf)), wtx);
        ++blocks_;
        continue;
      }
      if (in.s_type() == Ifs) {
        if (in.inf.size() != 1 || in.inf[0] == 0 || in.inf[0] == 0xFF)
          throw SsCardError(ErrorKind::Protocol, "T=1: bad S(IFS) request");
        ifsc_ = in.inf[0];
        reply_bytes = ex(encode(Block::s_block(Ifs, true, in.inf)), 1);
        ++blocks_;
        continue;
      }
      if (in.s_type() == Abort) throw SsCardError(ErrorKind::Protocol, "T=1: card aborted the chain");
      throw SsCardError(ErrorKind::Protocol, "T=1: unexpected S-block request");
    }
    if (in.type() == BlockType::R && in.r_error() != 0 && in.nr() == ns_) {
      // Card asks us to re-send the block it did not receive correctly.
      if (++retries > 3) throw SsCardError(ErrorKind::Protocol, "T=1: card keeps rejecting our block");
      reply_bytes = ex(wire, 1);
      ++blocks_;
      continue;
    }
    return in;
  }
}

Bytes HostProtocol::transceive(std::span<const std::uint8_t> apdu, const Exchange& ex) {
  int wtx = 1;
  std::size_t off = 0;
  Block in;
  // Send phase: chain the APDU in IFSC-sized I-blocks.
  while (true) {
    const std::size_t n = std::min(ifsc_, apdu.size() - off);
    const bool more = off + n < apdu.size();
    Block out = Block::i_block(ns_, more,
                               Bytes(apdu.begin() + static_cast<std::ptrdiff_t>(off),
                                     apdu.begin() + static_cast<std::ptrdiff_t>(off + n)));
    in = exchange_block(out, ex, wtx);
    if (more) {
      if (in.type() != BlockType::R || in.nr() == ns_)
        throw SsCardError(ErrorKind::Protocol, "T=1: chained block not acknowledged");
      ns_ = !ns_;
      off += n;
      continue;
    }
    ns_ = !ns_;
    break;
  }
  // Receive phase: collect (possibly chained) I-blocks.
  Bytes result;
  while (true) {
    if (in.type() != BlockType::I) throw SsCardError(ErrorKind::Protocol, "T=1: expected an I-block");
    if (in.ns() != nr_) throw SsCardError(ErrorKind::Protocol, "T=1: I-block out of sequence");
    nr_ = !nr_;
    result.insert(result.end(), in.inf.begin(), in.inf.end());
    if (result.size() > 65538) throw SsCardError(ErrorKind::Protocol, "T=1: response too long");
    if (!in.more()) break;
    in = exchange_block(Block::r_block(nr_), ex, wtx);
  }
  return result;
}

}  // namespace kiosk::sscard::t1
