// CCID reader model (device side, pure bytes): answers bulk-OUT messages with bulk-IN messages and
// queues NotifySlotChange interrupts, in front of SimCards. Exchange levels short/extended APDU and
// TPDU (T=0 pass-through, T=1 card-side block protocol with chaining and WTX). Faults on demand.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "drivers/sscard/ccid_codec.hpp"
#include "drivers/sscard/sim/card_model.hpp"

namespace kiosk::sscard::sim {

struct CcidDeviceConfig {
  ccid::ExchangeLevel level = ccid::ExchangeLevel::ShortApdu;
  int slots = 1;
  std::uint32_t max_message_length = 271;
  bool auto_parameters = false;  // false: the host must send SetParameters
  std::uint8_t t1_ifsd = 32;     // card-side chunk size for T=1 responses
};
ccid::Descriptor make_descriptor(const CcidDeviceConfig& c);

struct DeviceFaults {
  bool mute = false;          // power-on answers ICC_MUTE
  int pull_on_xfr = -1;       // the card is pulled while the Nth XfrBlock (0-based) runs
  int time_extensions = 0;    // time-extension frames (bError = 2) before each XfrBlock answer
  int wtx_requests = 0;       // T=1: S(WTX) requests before each response
  int corrupt_t1_blocks = 0;  // T=1: corrupt the LRC of this many outgoing blocks
};

class CcidDeviceModel {
 public:
  explicit CcidDeviceModel(CcidDeviceConfig cfg);
  const ccid::Descriptor& descriptor() const { return desc_; }
  void insert(int slot, std::shared_ptr<SimCard> card);
  void remove(int slot);
  bool present(int slot) const;
  void set_faults(DeviceFaults f);
  DeviceFaults faults() const;
  // One bulk-OUT message in, the bulk-IN messages out (time-extension frames first).
  std::vector<Bytes> handle(std::span<const std::uint8_t> msg);
  std::vector<Bytes> take_interrupts();
  // Called (outside the lock) whenever an interrupt message was queued.
  void set_interrupt_listener(std::function<void()> f);
  int xfr_count() const;

 private:
  struct T1State {
    Bytes rx, tx;
    bool ns = false, nr = false;
    Bytes last;
    int wtx_left = 0;
  };
  struct Slot {
    std::shared_ptr<SimCard> card;
    bool powered = false;
    int protocol = 0;
    T1State t1;
    Bytes ext_rx, ext_tx;  // extended APDU chaining
  };
  Bytes t1_handle(Slot& s, std::span<const std::uint8_t> block);
  Bytes t1_send_next(Slot& s);
  void queue_change_locked(int slot);

  CcidDeviceConfig cfg_;
  ccid::Descriptor desc_;
  mutable std::mutex mu_;
  std::vector<Slot> slots_;
  DeviceFaults faults_;
  std::vector<Bytes> interrupts_;
  std::function<void()> listener_;
  int xfrs_ = 0;
};

}  // namespace kiosk::sscard::sim
