// CCID reader driver: runs the CCID bulk protocol over a CcidPort (libusb or loopback), with
// sequence numbers, time extension, bStatus/bError mapping, NotifySlotChange, and the exchange
// levels short/extended APDU and TPDU (T=0, T=1).
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "drivers/sscard/ccid_codec.hpp"
#include "drivers/sscard/t1.hpp"
#include "drivers/sscard/terminal.hpp"

namespace kiosk::sscard {

// Message-level access to a CCID interface's three endpoints.
class CcidPort {
 public:
  virtual ~CcidPort() = default;
  virtual const ccid::Descriptor& descriptor() const = 0;
  // Bulk OUT: one whole message. Throws SsCardError(Timeout / ReaderGone / Io).
  virtual void send(std::span<const std::uint8_t> msg, Millis timeout) = 0;
  // Bulk IN: one whole message, or nullopt when the timeout passed. Throws ReaderGone / Io / Parse.
  virtual std::optional<Bytes> receive(Millis timeout) = 0;
  // Interrupt IN: one message, or nullopt on timeout. nullopt at once if there is no interrupt pipe.
  virtual std::optional<Bytes> interrupt(Millis timeout) = 0;
  virtual bool has_interrupt() const = 0;
  virtual std::string describe() const = 0;
};

struct CcidOptions {
  Millis command_timeout{3000};  // per bulk read; multiplied on time extension
  int max_time_extensions = 60;  // bound on consecutive time-extension frames
};

// The reader: owns the port, serialises bulk exchanges (thread-safe), tracks slot presence.
class CcidReader {
 public:
  explicit CcidReader(std::unique_ptr<CcidPort> port, CcidOptions opts = {});
  const ccid::Descriptor& descriptor() const { return port_->descriptor(); }
  CcidPort& port() { return *port_; }

  // One command / response pair on a slot. Checks bSeq, handles time extension, maps failures.
  ccid::Message exchange(ccid::Message cmd, Millis timeout_override = Millis{0});

  ccid::Message power_on(std::uint8_t slot);  // voltage fallback 5 V → 3 V → 1.8 V
  void power_off(std::uint8_t slot);
  ccid::IccStatus slot_status(std::uint8_t slot);
  Bytes xfr_block(std::uint8_t slot, std::span<const std::uint8_t> data, std::uint16_t level = 0,
                  std::uint8_t bwi = 0, std::uint8_t* chain_out = nullptr);
  // Waits on the interrupt pipe for a slot change on `slot`. Returns None on timeout.
  SlotEvent wait_slot_change(std::uint8_t slot, Millis timeout);

  int exchanges() const { return exchanges_; }

 private:
  std::unique_ptr<CcidPort> port_;
  CcidOptions opts_;
  std::mutex mu_;
  std::uint8_t seq_ = 0;
  int exchanges_ = 0;
};

// One slot of a CCID reader as a CardTerminal.
class CcidTerminal : public CardTerminal {
 public:
  CcidTerminal(std::shared_ptr<CcidReader> reader, std::uint8_t slot);
  SlotEvent wait_event(Millis timeout) override;
  bool card_present() override;
  Atr power_on() override;
  void power_off() override;
  Bytes transmit(std::span<const std::uint8_t> capdu) override;
  bool extended_length() const override;
  int protocol() const override { return protocol_; }
  std::string describe() const override;

 private:
  Bytes transmit_tpdu_t0(std::span<const std::uint8_t> capdu);
  Bytes transmit_extended(std::span<const std::uint8_t> capdu);
  std::shared_ptr<CcidReader> reader_;
  std::uint8_t slot_;
  int protocol_ = 0;
  std::optional<t1::HostProtocol> t1_;
  bool last_present_ = false;
};

}  // namespace kiosk::sscard
