// GA 467 SAM_V frame codec (pure): `AA AA AA 96 69 | LEN_hi LEN_lo | body | CHK`.
// LEN counts the bytes after the length field (body + CHK); CHK = XOR of LEN and body.
// Requests carry CMD PARA DATA, answers SW1 SW2 SW3 DATA. See shared/reference/idcard-ga467.md §1-2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiosk::idcard {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint8_t kPreamble[5] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};
inline constexpr std::size_t kHeaderSize = 7;   // preamble + LEN
inline constexpr std::size_t kMaxLen = 0x1000;  // largest real answer (30 10, two fingers) is 0x090A
inline constexpr std::size_t kTextSize = 256;
inline constexpr std::size_t kPhotoSize = 1024;

// SW3: the SAM's own status (§2.2, full table).
enum class Status : std::uint8_t {
  Ok = 0x90,
  CardFound = 0x9F,
  NoContent = 0x91,
  ChecksumError = 0x10,
  LengthError = 0x11,
  CommandError = 0x21,
  Unauthorized = 0x23,
  UnknownError = 0x24,
  CardAuthSamFailed = 0x31,
  SamAuthCardFailed = 0x32,
  InfoVerifyError = 0x33,
  UnknownCardType = 0x40,
  ReadCardFailed = 0x41,
  RandomFailed = 0x47,
  SamSelfTestFailed = 0x60,
  SamNotAuthorized = 0x66,
  FindCardFailed = 0x80,
  SelectCardFailed = 0x81,
};

bool is_known_status(std::uint8_t sw3);
// "操作成功 / success"; unknown codes give "未知状态 / unknown status 0xNN".
std::string describe_status(std::uint8_t sw3);
// True for statuses that say the SAM module itself is unusable (fault, not a card problem).
bool is_sam_fault(std::uint8_t sw3);

struct Command {
  std::uint8_t cmd;
  std::uint8_t para;
  friend bool operator==(const Command&, const Command&) = default;
};

namespace cmd {
inline constexpr Command kResetSam{0x10, 0xFF};
inline constexpr Command kSamStatus{0x11, 0xFF};
inline constexpr Command kSamId{0x12, 0xFF};
inline constexpr Command kFindCard{0x20, 0x01};
inline constexpr Command kSelectCard{0x20, 0x02};
inline constexpr Command kReadBase{0x30, 0x01};
inline constexpr Command kReadBaseFingerprint{0x30, 0x10};
inline constexpr Command kReadExtraAddress{0x30, 0x03};
}  // namespace cmd

struct Request {
  Command command{};
  Bytes data;
};

struct Response {
  std::uint8_t sw1 = 0, sw2 = 0, sw3 = 0;
  Bytes data;
  Status status() const { return static_cast<Status>(sw3); }
  bool ok() const { return sw3 == 0x90 || sw3 == 0x9F; }
};

class CodecError : public std::runtime_error {
 public:
  enum class Kind { BadChecksum, BadLength, Truncated, BadLayout };
  CodecError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

std::uint8_t checksum(std::span<const std::uint8_t> len_and_body);

// Full frame for a body (CMD PARA DATA or SW1 SW2 SW3 DATA).
Bytes encode_frame(std::span<const std::uint8_t> body);
Bytes encode_request(Command c, std::span<const std::uint8_t> data = {});
Bytes encode_response(std::uint8_t sw1, std::uint8_t sw2, std::uint8_t sw3,
                      std::span<const std::uint8_t> data = {});

// Result of scanning a byte buffer for one frame.
struct Scan {
  enum class Kind {
    NeedMore,  // no complete frame yet; keep the bytes from `consumed` on and read more
    Frame,     // body holds the frame body (without LEN and CHK)
    Error,     // a frame was found but is bad; `error` says why, `consumed` skips past it
  };
  Kind kind = Kind::NeedMore;
  std::size_t consumed = 0;  // bytes the caller may drop (garbage before the preamble, the frame)
  std::size_t skipped = 0;   // garbage bytes before the preamble (diagnostics)
  Bytes body;
  std::string error;
  CodecError::Kind error_kind = CodecError::Kind::BadLength;
};

// Finds the next frame in buf: resynchronises on the preamble, bounds LEN by min_len..kMaxLen and
// verifies the checksum. Never reads past buf and never trusts anything but LEN.
Scan scan_frame(std::span<const std::uint8_t> buf, std::size_t min_len = 1);

// Body → typed message; throws CodecError(BadLength) if the body is too short.
Request parse_request(std::span<const std::uint8_t> body);
Response parse_response(std::span<const std::uint8_t> body);

// Convenience: exactly one complete frame (leading garbage allowed, trailing bytes ignored).
Response decode_response_frame(std::span<const std::uint8_t> bytes);

// Data of a 30 01 / 30 10 answer: text/photo/fingerprint lengths from the header, then the blocks.
struct BaseRecord {
  Bytes text;         // 256 bytes UCS-2LE
  Bytes photo;        // 1024-byte WLT
  Bytes fingerprint;  // 0, 512 or 1024 bytes (30 10 only)
};
BaseRecord parse_base_record(std::span<const std::uint8_t> data, bool with_fingerprint);
Bytes encode_base_record(const BaseRecord& rec, bool with_fingerprint);

std::string to_hex(std::span<const std::uint8_t> bytes, bool spaced = true);
// Accepts hex with any whitespace / "0x" / commas; throws std::invalid_argument on other characters.
Bytes from_hex(std::string_view text);

}  // namespace kiosk::idcard
