#include "drivers/printer/status.hpp"

namespace kiosk::printer {

PrinterState classify(const PrinterStatus& s) {
  if (s.cover_open) return PrinterState::CoverOpen;
  if (s.paper_end) return PrinterState::PaperEnd;
  if (s.cutter_error) return PrinterState::CutterError;
  if (s.unrecoverable) return PrinterState::Error;
  if (!s.online) return PrinterState::Offline;
  if (s.paper_near_end) return PrinterState::PaperNearEnd;
  return PrinterState::Ready;
}

const char* to_string(PrinterState s) {
  switch (s) {
    case PrinterState::Ready:
      return "ready";
    case PrinterState::PaperNearEnd:
      return "paper-near-end";
    case PrinterState::PaperEnd:
      return "paper-end";
    case PrinterState::CoverOpen:
      return "cover-open";
    case PrinterState::CutterError:
      return "cutter-error";
    case PrinterState::Offline:
      return "offline";
    case PrinterState::Error:
      return "error";
  }
  return "?";
}

std::string describe(const PrinterStatus& s) {
  std::string r = s.online ? "online" : "offline";
  if (s.cover_open) r += " cover-open";
  if (s.paper_end) r += " paper-end";
  if (s.paper_near_end) r += " paper-near-end";
  if (s.cutter_error) r += " cutter-error";
  if (s.unrecoverable) r += " unrecoverable";
  if (s.auto_recoverable) r += " auto-recoverable";
  return r;
}

bool is_dle_eot_reply(std::uint8_t b) {
  return (b & 0x93) == 0x12;
}
bool is_asb_header(std::uint8_t b) {
  return (b & 0x93) == 0x10;
}

void apply_dle_eot(PrinterStatus& s, int n, std::uint8_t b) {
  if (!is_dle_eot_reply(b)) throw StatusError("DLE EOT reply has wrong fixed bits");
  switch (n) {
    case 1:
      s.online = !(b & 0x08);
      break;
    case 2:
      s.cover_open = b & 0x04;
      s.paper_end = b & 0x20;
      break;
    case 3:
      s.cutter_error = b & 0x08;
      s.unrecoverable = b & 0x20;
      s.auto_recoverable = b & 0x40;
      break;
    case 4:
      s.paper_near_end = (b & 0x0C) != 0;
      s.paper_end = (b & 0x60) != 0;
      break;
    default:
      throw StatusError("DLE EOT n must be 1..4");
  }
}

std::uint8_t encode_dle_eot(const PrinterStatus& s, int n) {
  std::uint8_t b = 0x12;
  switch (n) {
    case 1:
      if (!s.online) b |= 0x08;
      break;
    case 2:
      if (s.cover_open) b |= 0x04;
      if (s.paper_end) b |= 0x20;
      if (s.cutter_error || s.unrecoverable) b |= 0x40;
      break;
    case 3:
      if (s.cutter_error) b |= 0x08;
      if (s.unrecoverable) b |= 0x20;
      if (s.auto_recoverable) b |= 0x40;
      break;
    case 4:
      if (s.paper_near_end) b |= 0x0C;
      if (s.paper_end) b |= 0x60;
      break;
    default:
      break;
  }
  return b;
}

PrinterStatus decode_asb(std::span<const std::uint8_t> f) {
  if (f.size() != 4) throw StatusError("ASB block must be 4 bytes");
  if (!is_asb_header(f[0])) throw StatusError("ASB byte 1 has wrong fixed bits");
  if (f[1] & 0x90 || f[2] & 0x90) throw StatusError("ASB bytes 2/3 have wrong fixed bits");
  PrinterStatus s;
  s.online = !(f[0] & 0x08);
  s.cover_open = f[0] & 0x20;
  s.cutter_error = f[1] & 0x08;
  s.unrecoverable = (f[1] & 0x20) || (f[1] & 0x04);  // SNBC: bit 2 = carriage error
  s.auto_recoverable = f[1] & 0x40;
  s.paper_near_end = f[2] & 0x03;
  s.paper_end = f[2] & 0x0C;
  return s;
}

void encode_asb(const PrinterStatus& s, std::uint8_t out[4]) {
  out[0] = 0x10 | (s.online ? 0 : 0x08) | (s.cover_open ? 0x20 : 0);
  out[1] = (s.cutter_error ? 0x08 : 0) | (s.unrecoverable ? 0x20 : 0) | (s.auto_recoverable ? 0x40 : 0);
  out[2] = (s.paper_near_end ? 0x03 : 0) | (s.paper_end ? 0x0C : 0);
  out[3] = 0x0F;
}

PrinterStatus decode_port_status(std::uint8_t b) {
  PrinterStatus s;
  s.paper_end = b & 0x20;
  s.online = b & 0x10;
  s.unrecoverable = !(b & 0x08);
  s.cover_open = b & 0x80;  // vendor bit read by PAPPL
  return s;
}

}  // namespace kiosk::printer
