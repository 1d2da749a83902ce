#include "drivers/sscard/apdu.hpp"

#include <cstdio>

namespace kiosk::sscard {

Bytes Command::encode(bool allow_extended) const {
  const bool ext = needs_extended();
  if (ext && !allow_extended) throw SsCardError(ErrorKind::Unsupported, "APDU needs extended length");
  if (data.size() > 65535) throw SsCardError(ErrorKind::Parse, "APDU data longer than 65535");
  if (le && (*le == 0 || *le > 65536)) throw SsCardError(ErrorKind::Parse, "APDU Le out of range");
  Bytes b{cla, ins, p1, p2};
  if (!ext) {
    if (!data.empty()) {
      b.push_back(static_cast<std::uint8_t>(data.size()));
      b.insert(b.end(), data.begin(), data.end());
    }
    if (le) b.push_back(static_cast<std::uint8_t>(*le == 256 ? 0 : *le));
    return b;
  }
  b.push_back(0);
  if (!data.empty()) {
    b.push_back(static_cast<std::uint8_t>(data.size() >> 8));
    b.push_back(static_cast<std::uint8_t>(data.size()));
    b.insert(b.end(), data.begin(), data.end());
  }
  if (le) {
    const std::size_t v = *le == 65536 ? 0 : *le;
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
  }
  return b;
}

Command parse_command(std::span<const std::uint8_t> b) {
  auto bad = [](const char* why) { return SsCardError(ErrorKind::Parse, why); };
  if (b.size() < 4) throw bad("C-APDU shorter than 4 bytes");
  Command c{b[0], b[1], b[2], b[3], {}, std::nullopt, false};
  const std::size_t body = b.size() - 4;
  if (body == 0) return c;
  if (body == 1) {
    c.le = b[4] == 0 ? 256 : b[4];
    return c;
  }
  if (b[4] != 0) {  // short: Lc data [Le]
    const std::size_t lc = b[4];
    if (body == 1 + lc) {
      c.data.assign(b.begin() + 5, b.end());
    } else if (body == 2 + lc) {
      c.data.assign(b.begin() + 5, b.end() - 1);
      c.le = b.back() == 0 ? 256 : b.back();
    } else {
      throw bad("C-APDU length does not match Lc");
    }
    return c;
  }
  // extended
  if (body == 3) {
    const std::size_t le = static_cast<std::size_t>(b[5] << 8 | b[6]);
    c.le = le == 0 ? 65536 : le;
    return c;
  }
  if (body < 3) throw bad("extended C-APDU truncated");
  const std::size_t lc = static_cast<std::size_t>(b[5] << 8 | b[6]);
  if (lc == 0) throw bad("extended C-APDU with Lc = 0");
  if (body == 3 + lc) {
    c.data.assign(b.begin() + 7, b.end());
  } else if (body == 5 + lc) {
    c.data.assign(b.begin() + 7, b.end() - 2);
    const std::size_t le = static_cast<std::size_t>(b[b.size() - 2] << 8 | b.back());
    c.le = le == 0 ? 65536 : le;
  } else {
    throw bad("extended C-APDU length does not match Lc");
  }
  return c;
}

Response parse_response(std::span<const std::uint8_t> b) {
  if (b.size() < 2) throw SsCardError(ErrorKind::Parse, "R-APDU shorter than 2 bytes");
  Response r;
  r.data.assign(b.begin(), b.end() - 2);
  r.sw = static_cast<std::uint16_t>(b[b.size() - 2] << 8 | b.back());
  return r;
}

Bytes encode_response(const Response& r) {
  Bytes b = r.data;
  b.push_back(r.sw1());
  b.push_back(r.sw2());
  return b;
}

Status classify(std::uint16_t sw) {
  const std::uint8_t s1 = static_cast<std::uint8_t>(sw >> 8);
  switch (sw) {
    case 0x9000:
      return Status::Ok;
    case 0x6983:
      return Status::Blocked;
    case 0x6982:
      return Status::SecurityNotSatisfied;
    case 0x6985:
      return Status::ConditionsNotSatisfied;
    case 0x6A82:
      return Status::FileNotFound;
    case 0x6A83:
      return Status::RecordNotFound;
    case 0x6A86:
    case 0x6B00:
      return Status::WrongP1P2;
    case 0x6A81:
      return Status::FunctionNotSupported;
    case 0x6700:
      return Status::WrongLength;
    case 0x6D00:
      return Status::InsNotSupported;
    case 0x6E00:
      return Status::ClaNotSupported;
    default:
      break;
  }
  if (s1 == 0x61) return Status::BytesAvailable;
  if (s1 == 0x6C) return Status::WrongLe;
  if ((sw & 0xFFF0) == 0x63C0) return Status::VerifyFailed;
  if (s1 == 0x62 || s1 == 0x63) return Status::Warning;
  return Status::Other;
}

const char* to_string(Status s) {
  switch (s) {
    case Status::Ok:
      return "ok";
    case Status::BytesAvailable:
      return "bytes available";
    case Status::WrongLe:
      return "wrong Le";
    case Status::VerifyFailed:
      return "verification failed";
    case Status::Blocked:
      return "blocked";
    case Status::SecurityNotSatisfied:
      return "security status not satisfied";
    case Status::ConditionsNotSatisfied:
      return "conditions of use not satisfied";
    case Status::FileNotFound:
      return "file not found";
    case Status::RecordNotFound:
      return "record not found";
    case Status::WrongP1P2:
      return "wrong P1/P2";
    case Status::FunctionNotSupported:
      return "function not supported";
    case Status::WrongLength:
      return "wrong length";
    case Status::InsNotSupported:
      return "INS not supported";
    case Status::ClaNotSupported:
      return "CLA not supported";
    case Status::Warning:
      return "warning";
    case Status::Other:
      return "error";
  }
  return "?";
}

std::string describe_sw(std::uint16_t sw) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(sw));
  return std::string(buf) + " (" + to_string(classify(sw)) + ")";
}

}  // namespace kiosk::sscard
