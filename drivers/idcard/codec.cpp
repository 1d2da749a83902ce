#include "drivers/idcard/codec.hpp"

#include <algorithm>
#include <cstdio>

namespace kiosk::idcard {

namespace {

struct StatusInfo {
  std::uint8_t code;
  const char* text;
};

constexpr StatusInfo kStatusTable[] = {
    {0x90, "操作成功 / success"},
    {0x9F, "寻找证/卡成功 / card found"},
    {0x91, "证/卡中此项无内容 / no such content on the card"},
    {0x10, "接收业务终端数据的校验和错 / reader got a bad checksum"},
    {0x11, "接收业务终端数据的长度错 / reader got a bad length"},
    {0x21, "接收业务终端的命令错误 / command error"},
    {0x23, "越权操作 / operation not permitted"},
    {0x24, "无法识别的错误 / unrecognised error"},
    {0x31, "证/卡认证 SAM 失败 / card failed to authenticate the SAM"},
    {0x32, "SAM 认证证/卡失败 / SAM failed to authenticate the card"},
    {0x33, "信息验证错误 / information verification error"},
    {0x40, "无法识别的卡类型 / unknown card type"},
    {0x41, "读证/卡操作失败 / reading the card failed"},
    {0x47, "取随机数失败 / random number failed"},
    {0x60, "SAM 自检失败 / SAM self-test failed"},
    {0x66, "SAM 未经授权 / SAM not authorised"},
    {0x80, "寻找证/卡失败 / no card in the field"},
    {0x81, "选取证/卡失败 / selecting the card failed"},
};

std::size_t find_preamble(std::span<const std::uint8_t> buf, std::size_t from) {
  if (buf.size() < sizeof kPreamble) return buf.size();
  for (std::size_t i = from; i + sizeof kPreamble <= buf.size(); ++i)
    if (std::equal(std::begin(kPreamble), std::end(kPreamble), buf.begin() + static_cast<std::ptrdiff_t>(i)))
      return i;
  return buf.size();
}

// Length of the longest suffix of buf that is a prefix of the preamble (a preamble split by a read).
std::size_t partial_preamble_suffix(std::span<const std::uint8_t> buf) {
  for (std::size_t n = std::min(buf.size(), sizeof kPreamble - 1); n > 0; --n)
    if (std::equal(buf.end() - static_cast<std::ptrdiff_t>(n), buf.end(), std::begin(kPreamble))) return n;
  return 0;
}

}  // namespace

bool is_known_status(std::uint8_t sw3) {
  return std::any_of(std::begin(kStatusTable), std::end(kStatusTable),
                     [&](auto& s) { return s.code == sw3; });
}

std::string describe_status(std::uint8_t sw3) {
  for (auto& s : kStatusTable)
    if (s.code == sw3) return s.text;
  char buf[48];
  std::snprintf(buf, sizeof buf, "未知状态 / unknown status 0x%02X", sw3);
  return buf;
}

bool is_sam_fault(std::uint8_t sw3) {
  return sw3 == 0x60 || sw3 == 0x66 || sw3 == 0x24;
}

std::uint8_t checksum(std::span<const std::uint8_t> bytes) {
  std::uint8_t x = 0;
  for (auto b : bytes) x ^= b;
  return x;
}

Bytes encode_frame(std::span<const std::uint8_t> body) {
  if (body.size() + 1 > kMaxLen) throw CodecError(CodecError::Kind::BadLength, "frame body too long");
  Bytes out(std::begin(kPreamble), std::end(kPreamble));
  const auto len = static_cast<std::uint16_t>(body.size() + 1);
  out.push_back(static_cast<std::uint8_t>(len >> 8));
  out.push_back(static_cast<std::uint8_t>(len & 0xFF));
  out.insert(out.end(), body.begin(), body.end());
  out.push_back(checksum(std::span(out).subspan(5)));
  return out;
}

Bytes encode_request(Command c, std::span<const std::uint8_t> data) {
  Bytes body{c.cmd, c.para};
  body.insert(body.end(), data.begin(), data.end());
  return encode_frame(body);
}

Bytes encode_response(std::uint8_t sw1, std::uint8_t sw2, std::uint8_t sw3,
                      std::span<const std::uint8_t> data) {
  Bytes body{sw1, sw2, sw3};
  body.insert(body.end(), data.begin(), data.end());
  return encode_frame(body);
}

Scan scan_frame(std::span<const std::uint8_t> buf, std::size_t min_len) {
  Scan s;
  const std::size_t pos = find_preamble(buf, 0);
  if (pos == buf.size()) {
    // Keep a possibly split preamble at the end; everything before it is garbage.
    s.consumed = buf.size() - partial_preamble_suffix(buf);
    s.skipped = s.consumed;
    return s;
  }
  s.skipped = pos;
  if (buf.size() - pos < kHeaderSize) {
    s.consumed = pos;
    return s;
  }
  const std::size_t len = (std::size_t{buf[pos + 5]} << 8) | buf[pos + 6];
  if (len < std::max<std::size_t>(min_len, 1) || len > kMaxLen) {
    s.kind = Scan::Kind::Error;
    s.error_kind = CodecError::Kind::BadLength;
    s.error = "frame length " + std::to_string(len) + " out of range " +
              std::to_string(std::max<std::size_t>(min_len, 1)) + ".." + std::to_string(kMaxLen);
    s.consumed = pos + sizeof kPreamble;  // resynchronise on the next preamble
    return s;
  }
  if (buf.size() - pos < kHeaderSize + len) {
    s.consumed = pos;
    return s;
  }
  auto frame = buf.subspan(pos, kHeaderSize + len);
  const std::uint8_t want = checksum(frame.subspan(5, 2 + len - 1));
  const std::uint8_t got = frame.back();
  s.consumed = pos + kHeaderSize + len;
  if (want != got) {
    char msg[96];
    std::snprintf(msg, sizeof msg, "checksum mismatch: frame has 0x%02X, computed 0x%02X (LEN %zu)", got,
                  want, len);
    s.kind = Scan::Kind::Error;
    s.error_kind = CodecError::Kind::BadChecksum;
    s.error = msg;
    return s;
  }
  s.kind = Scan::Kind::Frame;
  s.body.assign(frame.begin() + kHeaderSize, frame.end() - 1);
  return s;
}

Request parse_request(std::span<const std::uint8_t> body) {
  if (body.size() < 2) throw CodecError(CodecError::Kind::BadLength, "request body shorter than CMD PARA");
  Request r;
  r.command = {body[0], body[1]};
  r.data.assign(body.begin() + 2, body.end());
  return r;
}

Response parse_response(std::span<const std::uint8_t> body) {
  if (body.size() < 3) throw CodecError(CodecError::Kind::BadLength, "answer body shorter than SW1 SW2 SW3");
  Response r;
  r.sw1 = body[0];
  r.sw2 = body[1];
  r.sw3 = body[2];
  r.data.assign(body.begin() + 3, body.end());
  return r;
}

Response decode_response_frame(std::span<const std::uint8_t> bytes) {
  auto s = scan_frame(bytes, 4);
  switch (s.kind) {
    case Scan::Kind::Frame:
      return parse_response(s.body);
    case Scan::Kind::Error:
      throw CodecError(s.error_kind, s.error);
    case Scan::Kind::NeedMore:
      break;
  }
  if (find_preamble(bytes, 0) == bytes.size())
    throw CodecError(CodecError::Kind::Truncated, "no frame preamble AA AA AA 96 69 found");
  throw CodecError(CodecError::Kind::Truncated, "frame truncated: fewer bytes than its LEN field announces");
}

BaseRecord parse_base_record(std::span<const std::uint8_t> data, bool with_fingerprint) {
  const std::size_t hdr = with_fingerprint ? 6 : 4;
  if (data.size() < hdr)
    throw CodecError(CodecError::Kind::BadLayout, "base record shorter than its length header");
  auto be16 = [&](std::size_t i) { return (std::size_t{data[i]} << 8) | data[i + 1]; };
  const std::size_t text_len = be16(0), photo_len = be16(2), fp_len = with_fingerprint ? be16(4) : 0;
  if (text_len != kTextSize)
    throw CodecError(CodecError::Kind::BadLayout,
                     "text length " + std::to_string(text_len) + ", expected 256");
  if (photo_len != kPhotoSize && photo_len != 0)
    throw CodecError(CodecError::Kind::BadLayout,
                     "photo length " + std::to_string(photo_len) + ", expected 1024");
  if (hdr + text_len + photo_len + fp_len != data.size())
    throw CodecError(CodecError::Kind::BadLayout, "base record is " + std::to_string(data.size()) +
                                                      " bytes but its header announces " +
                                                      std::to_string(hdr + text_len + photo_len + fp_len));
  BaseRecord r;
  auto it = data.begin() + static_cast<std::ptrdiff_t>(hdr);
  r.text.assign(it, it + static_cast<std::ptrdiff_t>(text_len));
  it += static_cast<std::ptrdiff_t>(text_len);
  r.photo.assign(it, it + static_cast<std::ptrdiff_t>(photo_len));
  it += static_cast<std::ptrdiff_t>(photo_len);
  r.fingerprint.assign(it, it + static_cast<std::ptrdiff_t>(fp_len));
  return r;
}

Bytes encode_base_record(const BaseRecord& rec, bool with_fingerprint) {
  Bytes out;
  auto put16 = [&](std::size_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
  };
  put16(rec.text.size());
  put16(rec.photo.size());
  if (with_fingerprint) put16(rec.fingerprint.size());
  out.insert(out.end(), rec.text.begin(), rec.text.end());
  out.insert(out.end(), rec.photo.begin(), rec.photo.end());
  if (with_fingerprint) out.insert(out.end(), rec.fingerprint.begin(), rec.fingerprint.end());
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes, bool spaced) {
  static const char* digits = "0123456789ABCDEF";
  std::string s;
  s.reserve(bytes.size() * 3);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (spaced && i) s += ' ';
    s += digits[bytes[i] >> 4];
    s += digits[bytes[i] & 0xF];
  }
  return s;
}

Bytes from_hex(std::string_view text) {
  Bytes out;
  int hi = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X') && hi < 0) {
      ++i;
      continue;
    }
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ',' || c == ':')
      continue;
    else
      throw std::invalid_argument("not a hex digit at offset " + std::to_string(i));
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) throw std::invalid_argument("odd number of hex digits");
  return out;
}

}  // namespace kiosk::idcard
