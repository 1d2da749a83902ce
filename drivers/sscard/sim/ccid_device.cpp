#include "drivers/sscard/sim/ccid_device.hpp"

#include "drivers/sscard/atr.hpp"
#include "drivers/sscard/t1.hpp"

namespace kiosk::sscard::sim {

using namespace ccid;

Descriptor make_descriptor(const CcidDeviceConfig& c) {
  Descriptor d;
  d.bcd_ccid = 0x0110;
  d.max_slot_index = static_cast<std::uint8_t>(c.slots - 1);
  d.voltage_support = 0x07;
  d.protocols = 0x03;
  d.default_clock = 4000;
  d.max_data_rate = 344086;
  d.max_ifsd = 254;
  std::uint32_t level = 0x00020000;
  if (c.level == ExchangeLevel::Tpdu) level = 0x00010000;
  if (c.level == ExchangeLevel::ExtendedApdu) level = 0x00040000;
  if (c.level == ExchangeLevel::Character) level = 0;
  d.features = level | 0x04 | 0x08 | 0x20 | 0x40 | 0x400 | (c.auto_parameters ? 0x02 : 0);
  d.max_message_length = c.max_message_length;
  d.class_get_response = 0xFF;
  d.class_envelope = 0xFF;
  d.max_busy_slots = 1;
  return d;
}

CcidDeviceModel::CcidDeviceModel(CcidDeviceConfig cfg)
    : cfg_(cfg), desc_(make_descriptor(cfg)), slots_(static_cast<std::size_t>(cfg.slots)) {}

void CcidDeviceModel::queue_change_locked(int slot) {
  std::vector<SlotChange> ch;
  for (int i = 0; i < cfg_.slots; ++i)
    ch.push_back({i, slots_[static_cast<std::size_t>(i)].card != nullptr, i == slot});
  interrupts_.push_back(encode_slot_change(ch, cfg_.slots));
}

void CcidDeviceModel::insert(int slot, std::shared_ptr<SimCard> card) {
  std::function<void()> l;
  {
    std::lock_guard g(mu_);
    auto& s = slots_.at(static_cast<std::size_t>(slot));
    s = Slot{};
    s.card = std::move(card);
    queue_change_locked(slot);
    l = listener_;
  }
  if (l) l();
}

void CcidDeviceModel::remove(int slot) {
  std::function<void()> l;
  {
    std::lock_guard g(mu_);
    slots_.at(static_cast<std::size_t>(slot)) = Slot{};
    queue_change_locked(slot);
    l = listener_;
  }
  if (l) l();
}

bool CcidDeviceModel::present(int slot) const {
  std::lock_guard g(mu_);
  return slots_.at(static_cast<std::size_t>(slot)).card != nullptr;
}

void CcidDeviceModel::set_faults(DeviceFaults f) {
  std::lock_guard g(mu_);
  faults_ = f;
}
DeviceFaults CcidDeviceModel::faults() const {
  std::lock_guard g(mu_);
  return faults_;
}
int CcidDeviceModel::xfr_count() const {
  std::lock_guard g(mu_);
  return xfrs_;
}

std::vector<Bytes> CcidDeviceModel::take_interrupts() {
  std::lock_guard g(mu_);
  return std::exchange(interrupts_, {});
}

void CcidDeviceModel::set_interrupt_listener(std::function<void()> f) {
  std::lock_guard g(mu_);
  listener_ = std::move(f);
}

Bytes CcidDeviceModel::t1_send_next(Slot& s) {
  const std::size_t n = std::min<std::size_t>(cfg_.t1_ifsd, s.t1.tx.size());
  const bool more = n < s.t1.tx.size();
  Bytes inf(s.t1.tx.begin(), s.t1.tx.begin() + static_cast<std::ptrdiff_t>(n));
  s.t1.tx.erase(s.t1.tx.begin(), s.t1.tx.begin() + static_cast<std::ptrdiff_t>(n));
  s.t1.last = t1::encode(t1::Block::i_block(s.t1.ns, more, std::move(inf)));
  s.t1.ns = !s.t1.ns;
  return s.t1.last;
}

Bytes CcidDeviceModel::t1_handle(Slot& s, std::span<const std::uint8_t> raw) {
  using t1::Block;
  using t1::BlockType;
  auto out = [&](Bytes b) {
    if (faults_.corrupt_t1_blocks > 0) {
      --faults_.corrupt_t1_blocks;
      if (!b.empty()) b[b.size() - 1] = static_cast<std::uint8_t>(b[b.size() - 1] ^ 0x5A);
      return b;
    }
    return b;
  };
  Block in;
  try {
    in = t1::decode(raw);
  } catch (const SsCardError&) {
    return out(t1::encode(Block::r_block(s.t1.nr, 1)));
  }
  switch (in.type()) {
    case BlockType::I: {
      if (in.ns() != s.t1.nr) return out(s.t1.last);  // repeated block: re-send our answer
      s.t1.nr = !s.t1.nr;
      s.t1.rx.insert(s.t1.rx.end(), in.inf.begin(), in.inf.end());
      if (in.more()) return out(s.t1.last = t1::encode(Block::r_block(s.t1.nr)));
      s.t1.tx = s.card->process(s.t1.rx);
      s.t1.rx.clear();
      s.t1.wtx_left = faults_.wtx_requests;
      if (s.t1.wtx_left > 0) return out(s.t1.last = t1::encode(Block::s_block(t1::Wtx, false, {2})));
      return out(t1_send_next(s));
    }
    case BlockType::R:
      if (!s.t1.tx.empty() && in.nr() == s.t1.ns && in.r_error() == 0) return out(t1_send_next(s));
      return out(s.t1.last);
    case BlockType::S:
      if (in.s_type() == t1::Wtx && in.s_response()) {
        if (--s.t1.wtx_left > 0) return out(s.t1.last = t1::encode(Block::s_block(t1::Wtx, false, {2})));
        return out(t1_send_next(s));
      }
      if (in.s_type() == t1::Ifs && !in.s_response())
        return out(t1::encode(Block::s_block(t1::Ifs, true, in.inf)));
      if (in.s_type() == t1::Resynch && !in.s_response()) {
        s.t1 = T1State{};
        return out(t1::encode(Block::s_block(t1::Resynch, true)));
      }
      return out(t1::encode(Block::r_block(s.t1.nr, 2)));
  }
  return {};
}

std::vector<Bytes> CcidDeviceModel::handle(std::span<const std::uint8_t> raw) {
  std::vector<Bytes> replies;
  std::function<void()> notify;
  {
    std::lock_guard g(mu_);
    Message in;
    try {
      in = decode(raw, desc_.max_message_length);
    } catch (const SsCardError&) {
      Message r;
      r.type = RDR_to_PC_SlotStatus;
      if (raw.size() >= kHeaderSize) {
        r.slot = raw[5];
        r.seq = raw[6];
      }
      r.param = {0x40, 0x01, 0};
      return {encode(r)};
    }
    Message r;
    r.slot = in.slot;
    r.seq = in.seq;
    auto fail = [&](std::uint8_t type, std::uint8_t icc, std::uint8_t err) {
      r.type = type;
      r.param = {static_cast<std::uint8_t>(0x40 | icc), err, 0};
      r.data.clear();
    };
    if (in.slot >= slots_.size()) {
      fail(in.type == PC_to_RDR_XfrBlock || in.type == PC_to_RDR_IccPowerOn ? RDR_to_PC_DataBlock
                                                                            : RDR_to_PC_SlotStatus,
           2, 5);
      return {encode(r)};
    }
    Slot& s = slots_[in.slot];
    const std::uint8_t icc = !s.card ? 2 : s.powered ? 0 : 1;
    switch (in.type) {
      case PC_to_RDR_IccPowerOn:
        if (!s.card)
          fail(RDR_to_PC_DataBlock, 2, ICC_MUTE);
        else if (faults_.mute)
          fail(RDR_to_PC_DataBlock, 1, ICC_MUTE);
        else {
          s.card->reset();
          s.powered = true;
          s.t1 = T1State{};
          r.type = RDR_to_PC_DataBlock;
          r.data = s.card->atr();
          try {
            s.protocol = parse_atr(r.data).preferred_protocol();
          } catch (const SsCardError&) {
            s.protocol = 0;
          }
        }
        break;
      case PC_to_RDR_IccPowerOff:
        s.powered = false;
        r.type = RDR_to_PC_SlotStatus;
        r.param = {static_cast<std::uint8_t>(s.card ? 1 : 2), 0, 0};
        break;
      case PC_to_RDR_GetSlotStatus:
        r.type = RDR_to_PC_SlotStatus;
        r.param = {icc, 0, 0};
        break;
      case PC_to_RDR_SetParameters:
      case PC_to_RDR_GetParameters:
      case PC_to_RDR_ResetParameters:
        r.type = RDR_to_PC_Parameters;
        if (!s.card) {
          fail(RDR_to_PC_Parameters, 2, ICC_MUTE);
          break;
        }
        if (in.type == PC_to_RDR_SetParameters) {
          if (in.param[0] > 1 || in.data.size() != (in.param[0] ? 7u : 5u)) {
            fail(RDR_to_PC_Parameters, icc, 10);
            break;
          }
          s.protocol = in.param[0];
          r.data = in.data;
        }
        r.param = {icc, 0, static_cast<std::uint8_t>(s.protocol)};
        break;
      case PC_to_RDR_XfrBlock: {
        r.type = RDR_to_PC_DataBlock;
        if (!s.card) {
          fail(RDR_to_PC_DataBlock, 2, ICC_MUTE);
          break;
        }
        if (!s.powered) {
          fail(RDR_to_PC_DataBlock, 1, ICC_MUTE);
          break;
        }
        const int n = xfrs_++;
        for (int i = 0; i < faults_.time_extensions; ++i) {
          Message te = r;
          te.param = {0x80, 2, 0};
          replies.push_back(encode(te));
        }
        if (faults_.pull_on_xfr == n) {  // card pulled while the command runs
          s = Slot{};
          queue_change_locked(in.slot);
          notify = listener_;
          fail(RDR_to_PC_DataBlock, 2, ICC_MUTE);
          break;
        }
        const std::uint16_t level = static_cast<std::uint16_t>(in.param[1] | in.param[2] << 8);
        const std::size_t max_data = desc_.max_message_length - kHeaderSize;
        if (cfg_.level == ExchangeLevel::Tpdu && s.protocol == 1) {
          r.data = t1_handle(s, in.data);
        } else if (cfg_.level == ExchangeLevel::ExtendedApdu) {
          if (level == kLevelGetMore) {
            const std::size_t k = std::min(max_data, s.ext_tx.size());
            r.data.assign(s.ext_tx.begin(), s.ext_tx.begin() + static_cast<std::ptrdiff_t>(k));
            s.ext_tx.erase(s.ext_tx.begin(), s.ext_tx.begin() + static_cast<std::ptrdiff_t>(k));
            r.param[2] = s.ext_tx.empty() ? 0x02 : 0x03;
            break;
          }
          s.ext_rx.insert(s.ext_rx.end(), in.data.begin(), in.data.end());
          if (level == kLevelBegin || level == kLevelContinue) {
            r.param[2] = 0x10;
            break;
          }
          Bytes resp = s.card->process(s.ext_rx);
          s.ext_rx.clear();
          if (resp.size() > max_data) {
            r.data.assign(resp.begin(), resp.begin() + static_cast<std::ptrdiff_t>(max_data));
            s.ext_tx.assign(resp.begin() + static_cast<std::ptrdiff_t>(max_data), resp.end());
            r.param[2] = 0x01;
          } else {
            r.data = std::move(resp);
          }
        } else {
          r.data = s.card->process(in.data);
        }
        break;
      }
      default:
        r.type = RDR_to_PC_SlotStatus;
        r.param = {static_cast<std::uint8_t>(0x40 | icc), 0, 0};  // command not supported
        break;
    }
    replies.push_back(encode(r));
  }
  if (notify) notify();
  return replies;
}

}  // namespace kiosk::sscard::sim
