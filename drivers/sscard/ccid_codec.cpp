#include "drivers/sscard/ccid_codec.hpp"

#include <cstdio>

namespace kiosk::sscard::ccid {

namespace {
std::uint32_t le32(std::span<const std::uint8_t> b, std::size_t o) {
  return static_cast<std::uint32_t>(b[o]) | static_cast<std::uint32_t>(b[o + 1]) << 8 |
         static_cast<std::uint32_t>(b[o + 2]) << 16 | static_cast<std::uint32_t>(b[o + 3]) << 24;
}
void put32(Bytes& b, std::size_t o, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[o + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}
}  // namespace

Bytes encode(const Message& m) {
  Bytes b(kHeaderSize + m.data.size());
  b[0] = m.type;
  put32(b, 1, static_cast<std::uint32_t>(m.data.size()));
  b[5] = m.slot;
  b[6] = m.seq;
  b[7] = m.param[0];
  b[8] = m.param[1];
  b[9] = m.param[2];
  std::copy(m.data.begin(), m.data.end(), b.begin() + kHeaderSize);
  return b;
}

std::size_t announced_length(std::span<const std::uint8_t> header) {
  if (header.size() < kHeaderSize) throw SsCardError(ErrorKind::Parse, "CCID header shorter than 10 bytes");
  return kHeaderSize + static_cast<std::size_t>(le32(header, 1));
}

Message decode(std::span<const std::uint8_t> bytes, std::size_t max_length) {
  const std::size_t want = announced_length(bytes);
  if (want > max_length)
    throw SsCardError(ErrorKind::Parse, "CCID dwLength exceeds the maximum message length");
  if (want != bytes.size())
    throw SsCardError(ErrorKind::Parse, "CCID dwLength " + std::to_string(want - kHeaderSize) +
                                            " does not match " + std::to_string(bytes.size() - kHeaderSize) +
                                            " data bytes");
  Message m;
  m.type = bytes[0];
  m.slot = bytes[5];
  m.seq = bytes[6];
  m.param = {bytes[7], bytes[8], bytes[9]};
  m.data.assign(bytes.begin() + kHeaderSize, bytes.end());
  return m;
}

std::string describe_error(std::uint8_t e) {
  switch (e) {
    case CMD_ABORTED:
      return "command aborted";
    case ICC_MUTE:
      return "card absent or mute";
    case XFR_PARITY_ERROR:
      return "parity error";
    case XFR_OVERRUN:
      return "overrun";
    case HW_ERROR:
      return "hardware error";
    case BAD_ATR_TS:
      return "bad ATR TS";
    case BAD_ATR_TCK:
      return "bad ATR TCK";
    case ICC_PROTOCOL_NOT_SUPPORTED:
      return "protocol not supported";
    case ICC_CLASS_NOT_SUPPORTED:
      return "class not supported";
    case PROCEDURE_BYTE_CONFLICT:
      return "procedure byte conflict";
    case DEACTIVATED_PROTOCOL:
      return "deactivated protocol";
    case BUSY_WITH_AUTO_SEQUENCE:
      return "busy with auto sequence";
    case PIN_TIMEOUT:
      return "PIN timeout";
    case PIN_CANCELLED:
      return "PIN cancelled";
    case CMD_SLOT_BUSY:
      return "slot busy";
    case 0:
      return "command not supported";
    default:
      break;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "bad header byte %u", static_cast<unsigned>(e));
  return buf;
}

ErrorKind error_kind(std::uint8_t b_status, std::uint8_t b_error) {
  if (icc_status(b_status) == IccStatus::Absent) return ErrorKind::NoCard;
  switch (b_error) {
    case ICC_MUTE:
      return ErrorKind::Mute;
    case BAD_ATR_TS:
    case BAD_ATR_TCK:
      return ErrorKind::BadAtr;
    case XFR_PARITY_ERROR:
    case XFR_OVERRUN:
    case PROCEDURE_BYTE_CONFLICT:
    case ICC_PROTOCOL_NOT_SUPPORTED:
      return ErrorKind::Protocol;
    case 0:
      return ErrorKind::Unsupported;
    default:
      return ErrorKind::Io;
  }
}

const char* to_string(ExchangeLevel l) {
  switch (l) {
    case ExchangeLevel::Character:
      return "character";
    case ExchangeLevel::Tpdu:
      return "TPDU";
    case ExchangeLevel::ShortApdu:
      return "short APDU";
    case ExchangeLevel::ExtendedApdu:
      return "extended APDU";
  }
  return "?";
}

ExchangeLevel Descriptor::exchange_level() const {
  switch (features & 0x00070000) {
    case 0x00010000:
      return ExchangeLevel::Tpdu;
    case 0x00020000:
      return ExchangeLevel::ShortApdu;
    case 0x00040000:
      return ExchangeLevel::ExtendedApdu;
    default:
      return ExchangeLevel::Character;
  }
}

Descriptor parse_descriptor(std::span<const std::uint8_t> d) {
  if (d.size() < 54 || d[0] != 0x36 || d[1] != 0x21)
    throw SsCardError(ErrorKind::Parse, "CCID class descriptor is not 54 bytes of type 0x21");
  Descriptor r;
  r.bcd_ccid = static_cast<std::uint16_t>(d[2] | d[3] << 8);
  r.max_slot_index = d[4];
  r.voltage_support = d[5];
  r.protocols = le32(d, 6);
  r.default_clock = le32(d, 10);
  r.max_data_rate = le32(d, 23);
  r.max_ifsd = le32(d, 28);
  r.features = le32(d, 40);
  r.max_message_length = le32(d, 44);
  r.class_get_response = d[48];
  r.class_envelope = d[49];
  r.pin_support = d[52];
  r.max_busy_slots = d[53];
  if (r.max_message_length < kHeaderSize + 4)
    throw SsCardError(ErrorKind::Parse, "CCID dwMaxCCIDMessageLength too small");
  if (r.max_slot_index > 15) throw SsCardError(ErrorKind::Parse, "CCID bMaxSlotIndex out of range");
  return r;
}

std::optional<Descriptor> find_descriptor(std::span<const std::uint8_t> extra) {
  std::size_t i = 0;
  while (i + 2 <= extra.size()) {
    const std::size_t len = extra[i];
    if (len < 2 || i + len > extra.size()) break;
    if (len == 54 && extra[i + 1] == 0x21) return parse_descriptor(extra.subspan(i, 54));
    i += len;
  }
  return std::nullopt;
}

Bytes encode_descriptor(const Descriptor& r) {
  Bytes d(54, 0);
  d[0] = 0x36;
  d[1] = 0x21;
  d[2] = static_cast<std::uint8_t>(r.bcd_ccid);
  d[3] = static_cast<std::uint8_t>(r.bcd_ccid >> 8);
  d[4] = r.max_slot_index;
  d[5] = r.voltage_support;
  put32(d, 6, r.protocols);
  put32(d, 10, r.default_clock);
  put32(d, 14, r.default_clock);  // dwMaximumClock
  d[18] = 0;                      // bNumClockSupported
  put32(d, 19, r.max_data_rate);  // dwDataRate
  put32(d, 23, r.max_data_rate);
  d[27] = 0;
  put32(d, 28, r.max_ifsd);
  put32(d, 40, r.features);
  put32(d, 44, r.max_message_length);
  d[48] = r.class_get_response;
  d[49] = r.class_envelope;
  d[52] = r.pin_support;
  d[53] = r.max_busy_slots;
  return d;
}

std::size_t interrupt_length(std::uint8_t type, int slots) {
  if (type == RDR_to_PC_NotifySlotChange) return 1 + static_cast<std::size_t>((2 * slots + 7) / 8);
  if (type == RDR_to_PC_HardwareError) return 4;
  return 0;
}

InterruptMessage decode_interrupt(std::span<const std::uint8_t> b, int slots) {
  if (b.empty()) throw SsCardError(ErrorKind::Parse, "empty CCID interrupt message");
  InterruptMessage m;
  m.type = b[0];
  const std::size_t need = interrupt_length(b[0], slots);
  if (need == 0) throw SsCardError(ErrorKind::Parse, "unknown CCID interrupt message type");
  if (b.size() < need) throw SsCardError(ErrorKind::Parse, "CCID interrupt message truncated");
  if (m.type == RDR_to_PC_HardwareError) {
    m.hw_slot = b[1];
    m.hw_seq = b[2];
    m.hw_error = b[3];
    return m;
  }
  for (int s = 0; s < slots; ++s) {
    const std::uint8_t byte = b[1 + static_cast<std::size_t>(s / 4)];
    const int shift = 2 * (s % 4);
    m.slots.push_back({s, ((byte >> shift) & 1) != 0, ((byte >> shift) & 2) != 0});
  }
  return m;
}

Bytes encode_slot_change(std::span<const SlotChange> changes, int slots) {
  Bytes b(interrupt_length(RDR_to_PC_NotifySlotChange, slots), 0);
  b[0] = RDR_to_PC_NotifySlotChange;
  for (const auto& c : changes) {
    if (c.slot < 0 || c.slot >= slots) continue;
    auto& byte = b[1 + static_cast<std::size_t>(c.slot / 4)];
    const int shift = 2 * (c.slot % 4);
    byte = static_cast<std::uint8_t>(byte | (c.present ? 1 : 0) << shift | (c.changed ? 2 : 0) << shift);
  }
  return b;
}

}  // namespace kiosk::sscard::ccid
