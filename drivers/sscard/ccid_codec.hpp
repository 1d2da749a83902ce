// USB CCID 1.1 message codec (pure): bulk message headers, class descriptor, interrupt messages,
// bStatus / bError interpretation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "drivers/sscard/errors.hpp"

namespace kiosk::sscard::ccid {

constexpr std::size_t kHeaderSize = 10;

enum MsgType : std::uint8_t {
  PC_to_RDR_SetParameters = 0x61,
  PC_to_RDR_IccPowerOn = 0x62,
  PC_to_RDR_IccPowerOff = 0x63,
  PC_to_RDR_GetSlotStatus = 0x65,
  PC_to_RDR_Escape = 0x6B,
  PC_to_RDR_GetParameters = 0x6C,
  PC_to_RDR_ResetParameters = 0x6D,
  PC_to_RDR_XfrBlock = 0x6F,
  PC_to_RDR_Abort = 0x72,
  RDR_to_PC_DataBlock = 0x80,
  RDR_to_PC_SlotStatus = 0x81,
  RDR_to_PC_Parameters = 0x82,
  RDR_to_PC_Escape = 0x83,
  RDR_to_PC_NotifySlotChange = 0x50,
  RDR_to_PC_HardwareError = 0x51,
};

// One bulk message. param = the three message-specific header bytes (7..9).
struct Message {
  std::uint8_t type = 0;
  std::uint8_t slot = 0;
  std::uint8_t seq = 0;
  std::array<std::uint8_t, 3> param{};
  Bytes data;

  // Reader → host view of param.
  std::uint8_t status() const { return param[0]; }
  std::uint8_t error() const { return param[1]; }
  std::uint8_t chain() const { return param[2]; }
};

Bytes encode(const Message& m);
// Throws SsCardError(Parse): shorter than a header, dwLength disagreeing with the size, or larger
// than max_length (dwMaxCCIDMessageLength).
Message decode(std::span<const std::uint8_t> bytes, std::size_t max_length = 65546);
// Length of the whole message announced by a header (header + dwLength). Throws on < 10 bytes.
std::size_t announced_length(std::span<const std::uint8_t> header);

// bStatus.
enum class IccStatus { PresentActive = 0, PresentInactive = 1, Absent = 2, Rfu = 3 };
enum class CommandStatus { Ok = 0, Failed = 1, TimeExtension = 2, Rfu = 3 };
inline IccStatus icc_status(std::uint8_t b) {
  return static_cast<IccStatus>(b & 3);
}
inline CommandStatus command_status(std::uint8_t b) {
  return static_cast<CommandStatus>(b >> 6);
}

// bError values (CCID 1.1 / OpenSC ccid-types.h).
enum SlotError : std::uint8_t {
  CMD_ABORTED = 0xFF,
  ICC_MUTE = 0xFE,
  XFR_PARITY_ERROR = 0xFD,
  XFR_OVERRUN = 0xFC,
  HW_ERROR = 0xFB,
  BAD_ATR_TS = 0xF8,
  BAD_ATR_TCK = 0xF7,
  ICC_PROTOCOL_NOT_SUPPORTED = 0xF6,
  ICC_CLASS_NOT_SUPPORTED = 0xF5,
  PROCEDURE_BYTE_CONFLICT = 0xF4,
  DEACTIVATED_PROTOCOL = 0xF3,
  BUSY_WITH_AUTO_SEQUENCE = 0xF2,
  PIN_TIMEOUT = 0xF0,
  PIN_CANCELLED = 0xEF,
  CMD_SLOT_BUSY = 0xE0,
};
std::string describe_error(std::uint8_t b_error);
// Maps a failed reply (bStatus/bError) to the typed error kind (NoCard, Mute, BadAtr, Protocol, Io).
ErrorKind error_kind(std::uint8_t b_status, std::uint8_t b_error);

// Exchange level (dwFeatures & 0x00070000).
enum class ExchangeLevel { Character, Tpdu, ShortApdu, ExtendedApdu };
const char* to_string(ExchangeLevel l);

// The 54-byte CCID class descriptor (type 0x21).
struct Descriptor {
  std::uint16_t bcd_ccid = 0;
  std::uint8_t max_slot_index = 0;
  std::uint8_t voltage_support = 0;  // 1 = 5 V, 2 = 3 V, 4 = 1.8 V
  std::uint32_t protocols = 0;       // bit0 T=0, bit1 T=1
  std::uint32_t default_clock = 0;
  std::uint32_t max_data_rate = 0;
  std::uint32_t max_ifsd = 0;
  std::uint32_t features = 0;
  std::uint32_t max_message_length = 0;
  std::uint8_t class_get_response = 0;
  std::uint8_t class_envelope = 0;
  std::uint8_t pin_support = 0;
  std::uint8_t max_busy_slots = 0;

  ExchangeLevel exchange_level() const;
  int slots() const { return max_slot_index + 1; }
  bool auto_parameters() const { return (features & 0x2) != 0; }
  bool auto_activation() const { return (features & 0x4) != 0; }
  bool auto_voltage() const { return (features & 0x8) != 0; }
};

Descriptor parse_descriptor(std::span<const std::uint8_t> d);
// Scans the "extra" bytes of an interface (or endpoint) for a descriptor of type 0x21, length 54.
std::optional<Descriptor> find_descriptor(std::span<const std::uint8_t> extra);
Bytes encode_descriptor(const Descriptor& d);

// Interrupt IN messages.
struct SlotChange {
  int slot = 0;
  bool present = false;
  bool changed = false;
};
struct InterruptMessage {
  std::uint8_t type = 0;                               // 0x50 or 0x51
  std::vector<SlotChange> slots;                       // NotifySlotChange
  std::uint8_t hw_slot = 0, hw_seq = 0, hw_error = 0;  // HardwareError
};
// Length of an interrupt message of `type` for a reader with `slots` slots (0 if unknown type).
std::size_t interrupt_length(std::uint8_t type, int slots);
InterruptMessage decode_interrupt(std::span<const std::uint8_t> bytes, int slots);
Bytes encode_slot_change(std::span<const SlotChange> changes, int slots);

// XfrBlock wLevelParameter values for extended APDU chaining.
enum : std::uint16_t {
  kLevelSingle = 0x0000,
  kLevelBegin = 0x0001,
  kLevelEnd = 0x0002,
  kLevelContinue = 0x0003,
  kLevelGetMore = 0x0010,
};

}  // namespace kiosk::sscard::ccid
