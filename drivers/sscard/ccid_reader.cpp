#include "drivers/sscard/ccid_reader.hpp"

#include <thread>

#include "drivers/sscard/apdu.hpp"

namespace kiosk::sscard {

using namespace ccid;

CcidReader::CcidReader(std::unique_ptr<CcidPort> port, CcidOptions opts)
    : port_(std::move(port)), opts_(opts) {}

namespace {
std::uint8_t expected_reply(std::uint8_t type) {
  switch (type) {
    case PC_to_RDR_IccPowerOn:
    case PC_to_RDR_XfrBlock:
    case 0x69:  // Secure
      return RDR_to_PC_DataBlock;
    case PC_to_RDR_SetParameters:
    case PC_to_RDR_GetParameters:
    case PC_to_RDR_ResetParameters:
      return RDR_to_PC_Parameters;
    case PC_to_RDR_Escape:
      return RDR_to_PC_Escape;
    default:
      return RDR_to_PC_SlotStatus;
  }
}
}  // namespace

Message CcidReader::exchange(Message cmd, Millis timeout_override) {
  std::lock_guard lock(mu_);
  cmd.seq = seq_++;
  ++exchanges_;
  const Millis base = timeout_override.count() > 0 ? timeout_override : opts_.command_timeout;
  port_->send(encode(cmd), base);
  Millis timeout = base;
  int extensions = 0, stale = 0;
  while (true) {
    auto raw = port_->receive(timeout);
    if (!raw) throw SsCardError(ErrorKind::Timeout, "no answer from the CCID reader");
    Message r = decode(*raw, descriptor().max_message_length);
    if (r.seq != cmd.seq) {  // answer to an earlier, timed-out command: drop it
      if (++stale > 4) throw SsCardError(ErrorKind::Protocol, "CCID replies out of sequence");
      continue;
    }
    if (r.slot != cmd.slot) throw SsCardError(ErrorKind::Protocol, "CCID reply for another slot");
    if (command_status(r.status()) == CommandStatus::TimeExtension) {
      if (++extensions > opts_.max_time_extensions)
        throw SsCardError(ErrorKind::Timeout, "card keeps requesting time extension");
      timeout = base * std::max<int>(1, r.error());
      continue;
    }
    if (r.type != expected_reply(cmd.type))
      throw SsCardError(ErrorKind::Protocol, "unexpected CCID reply type");
    if (command_status(r.status()) == CommandStatus::Failed)
      throw SsCardError(error_kind(r.status(), r.error()), describe_error(r.error()));
    return r;
  }
}

Message CcidReader::power_on(std::uint8_t slot) {
  std::vector<std::uint8_t> selects;
  const auto& d = descriptor();
  if (d.auto_voltage() || d.voltage_support == 0)
    selects.push_back(0);
  else
    for (std::uint8_t v : {1, 2, 3})
      if (d.voltage_support & (1 << (v - 1))) selects.push_back(v);
  std::optional<SsCardError> last;
  for (auto v : selects) {
    try {
      Message m;
      m.type = PC_to_RDR_IccPowerOn;
      m.slot = slot;
      m.param = {v, 0, 0};
      return exchange(m);
    } catch (const SsCardError& e) {
      if (e.kind() == ErrorKind::NoCard || e.kind() == ErrorKind::ReaderGone) throw;
      last = e;
      Message off;
      off.type = PC_to_RDR_IccPowerOff;
      off.slot = slot;
      try {
        exchange(off);
      } catch (const SsCardError&) {
      }
    }
  }
  throw *last;
}

void CcidReader::power_off(std::uint8_t slot) {
  Message m;
  m.type = PC_to_RDR_IccPowerOff;
  m.slot = slot;
  exchange(m);
}

IccStatus CcidReader::slot_status(std::uint8_t slot) {
  Message m;
  m.type = PC_to_RDR_GetSlotStatus;
  m.slot = slot;
  try {
    return icc_status(exchange(m).status());
  } catch (const SsCardError& e) {
    if (e.kind() == ErrorKind::NoCard) return IccStatus::Absent;
    throw;
  }
}

Bytes CcidReader::xfr_block(std::uint8_t slot, std::span<const std::uint8_t> data, std::uint16_t level,
                            std::uint8_t bwi, std::uint8_t* chain_out) {
  Message m;
  m.type = PC_to_RDR_XfrBlock;
  m.slot = slot;
  m.param = {bwi, static_cast<std::uint8_t>(level), static_cast<std::uint8_t>(level >> 8)};
  m.data.assign(data.begin(), data.end());
  if (m.data.size() + kHeaderSize > descriptor().max_message_length)
    throw SsCardError(ErrorKind::Unsupported, "block longer than the reader's maximum message");
  Message r = exchange(std::move(m), bwi > 1 ? opts_.command_timeout * bwi : Millis{0});
  if (chain_out) *chain_out = r.chain();
  return std::move(r.data);
}

SlotEvent CcidReader::wait_slot_change(std::uint8_t slot, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return SlotEvent::None;
    auto raw = port_->interrupt(left);
    if (!raw) return SlotEvent::None;
    InterruptMessage m = decode_interrupt(*raw, descriptor().slots());
    if (m.type != RDR_to_PC_NotifySlotChange) continue;  // hardware error: the next command reports it
    for (const auto& s : m.slots)
      if (s.slot == slot && s.changed) return s.present ? SlotEvent::CardInserted : SlotEvent::CardRemoved;
  }
}

// ---------------------------------------------------------------------------------------------------

CcidTerminal::CcidTerminal(std::shared_ptr<CcidReader> reader, std::uint8_t slot)
    : reader_(std::move(reader)), slot_(slot) {
  if (slot_ >= reader_->descriptor().slots()) throw SsCardError(ErrorKind::Unsupported, "no such slot");
}

SlotEvent CcidTerminal::wait_event(Millis timeout) {
  if (reader_->port().has_interrupt()) {
    auto e = reader_->wait_slot_change(slot_, timeout);
    if (e != SlotEvent::None) last_present_ = e == SlotEvent::CardInserted;
    return e;
  }
  // Readers without an interrupt pipe: sleep, then ask (bounded polling, never spinning).
  std::this_thread::sleep_for(std::min(timeout, Millis{250}));
  const bool now = card_present();
  if (now == last_present_) return SlotEvent::None;
  last_present_ = now;
  return now ? SlotEvent::CardInserted : SlotEvent::CardRemoved;
}

bool CcidTerminal::card_present() {
  return reader_->slot_status(slot_) != ccid::IccStatus::Absent;
}

Atr CcidTerminal::power_on() {
  const auto& d = reader_->descriptor();
  if (d.exchange_level() == ExchangeLevel::Character)
    throw SsCardError(ErrorKind::Unsupported, "character-level CCID readers are not supported");
  Message r = reader_->power_on(slot_);
  last_present_ = true;
  Atr atr = parse_atr(r.data);
  protocol_ = (atr.t0 && (d.protocols & 1)) ? 0 : (atr.t1 && (d.protocols & 2)) ? 1 : -1;
  if (protocol_ < 0) throw SsCardError(ErrorKind::Unsupported, "reader and card share no protocol");
  if (!d.auto_parameters()) {
    Message p;
    p.type = PC_to_RDR_SetParameters;
    p.slot = slot_;
    p.param = {static_cast<std::uint8_t>(protocol_), 0, 0};
    const std::uint8_t fidi = atr.ta1.value_or(0x11);
    if (protocol_ == 0)
      p.data = {fidi, 0x00, atr.guard_time, atr.wi, 0x00};
    else
      p.data = {fidi,
                static_cast<std::uint8_t>(atr.t1_crc ? 0x11 : 0x10),
                atr.guard_time,
                static_cast<std::uint8_t>(atr.t1_bwi << 4 | atr.t1_cwi),
                0x00,
                atr.t1_ifsc,
                0x00};
    reader_->exchange(p);
  }
  if (protocol_ == 1 && d.exchange_level() == ExchangeLevel::Tpdu)
    t1_.emplace(atr.t1_ifsc);
  else
    t1_.reset();
  return atr;
}

void CcidTerminal::power_off() {
  reader_->power_off(slot_);
}

bool CcidTerminal::extended_length() const {
  const auto l = reader_->descriptor().exchange_level();
  return l == ExchangeLevel::ExtendedApdu || (l == ExchangeLevel::Tpdu && protocol_ == 1);
}

Bytes CcidTerminal::transmit(std::span<const std::uint8_t> capdu) {
  switch (reader_->descriptor().exchange_level()) {
    case ExchangeLevel::ShortApdu:
      if (parse_command(capdu).needs_extended())
        throw SsCardError(ErrorKind::Unsupported, "reader accepts short APDUs only");
      return reader_->xfr_block(slot_, capdu);
    case ExchangeLevel::ExtendedApdu:
      return transmit_extended(capdu);
    case ExchangeLevel::Tpdu:
      if (protocol_ == 0) return transmit_tpdu_t0(capdu);
      return t1_->transceive(capdu, [&](const Bytes& block, int wtx) {
        return reader_->xfr_block(slot_, block, 0, static_cast<std::uint8_t>(std::clamp(wtx, 1, 255)));
      });
    case ExchangeLevel::Character:
      break;
  }
  throw SsCardError(ErrorKind::Unsupported, "character-level CCID readers are not supported");
}

Bytes CcidTerminal::transmit_tpdu_t0(std::span<const std::uint8_t> capdu) {
  Command c = parse_command(capdu);
  if (c.needs_extended()) throw SsCardError(ErrorKind::Unsupported, "T=0 carries short APDUs only");
  if (c.iso_case() == 4) c.le.reset();  // case 4 → case 3; data comes back through 61xx / GET RESPONSE
  Bytes tpdu = c.encode();
  if (c.iso_case() == 1) tpdu.push_back(0x00);  // T=0 header always has P3
  Bytes r = reader_->xfr_block(slot_, tpdu);
  std::fill(tpdu.begin(), tpdu.end(), 0);
  return r;
}

Bytes CcidTerminal::transmit_extended(std::span<const std::uint8_t> capdu) {
  const std::size_t max_data = reader_->descriptor().max_message_length - kHeaderSize;
  Bytes response;
  std::uint8_t chain = 0;
  if (capdu.size() <= max_data) {
    response = reader_->xfr_block(slot_, capdu, kLevelSingle, 0, &chain);
  } else {
    for (std::size_t off = 0; off < capdu.size(); off += max_data) {
      const std::size_t n = std::min(max_data, capdu.size() - off);
      const std::uint16_t level = off == 0                  ? kLevelBegin
                                  : off + n >= capdu.size() ? kLevelEnd
                                                            : kLevelContinue;
      Bytes part = reader_->xfr_block(slot_, capdu.subspan(off, n), level, 0, &chain);
      if (level == kLevelEnd) response = std::move(part);
    }
  }
  int guard = 0;
  while (chain == 0x01 || chain == 0x03) {  // response continues
    if (++guard > 1024) throw SsCardError(ErrorKind::Protocol, "endless CCID response chain");
    Bytes more = reader_->xfr_block(slot_, {}, kLevelGetMore, 0, &chain);
    response.insert(response.end(), more.begin(), more.end());
  }
  return response;
}

std::string CcidTerminal::describe() const {
  return reader_->port().describe() + " slot " + std::to_string(slot_) + " (" +
         ccid::to_string(reader_->descriptor().exchange_level()) + ", T=" + std::to_string(protocol_) + ")";
}

}  // namespace kiosk::sscard
