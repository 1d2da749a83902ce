#include "drivers/sscard/pcsc_terminal.hpp"

#include <winscard.h>

namespace kiosk::sscard {

namespace {
[[noreturn]] void fail(LONG rc, const std::string& what) {
  ErrorKind k = ErrorKind::Io;
  switch (rc) {
    case static_cast<LONG>(SCARD_W_REMOVED_CARD):
    case static_cast<LONG>(SCARD_E_NO_SMARTCARD):
      k = ErrorKind::NoCard;
      break;
    case static_cast<LONG>(SCARD_W_UNRESPONSIVE_CARD):
    case static_cast<LONG>(SCARD_W_UNPOWERED_CARD):
      k = ErrorKind::Mute;
      break;
    case static_cast<LONG>(SCARD_E_TIMEOUT):
      k = ErrorKind::Timeout;
      break;
    case static_cast<LONG>(SCARD_E_NO_SERVICE):
    case static_cast<LONG>(SCARD_E_SERVICE_STOPPED):
    case static_cast<LONG>(SCARD_E_READER_UNAVAILABLE):
    case static_cast<LONG>(SCARD_E_UNKNOWN_READER):
    case static_cast<LONG>(SCARD_E_NO_READERS_AVAILABLE):
      k = ErrorKind::ReaderGone;
      break;
    case static_cast<LONG>(SCARD_W_UNSUPPORTED_CARD):
      k = ErrorKind::BadAtr;
      break;
    default:
      break;
  }
  throw SsCardError(k, what + ": " + pcsc_stringify_error(rc));
}

std::vector<std::string> list_with(SCARDCONTEXT ctx) {
  DWORD len = 0;
  LONG rc = SCardListReaders(ctx, nullptr, nullptr, &len);
  if (rc == static_cast<LONG>(SCARD_E_NO_READERS_AVAILABLE)) return {};
  if (rc != SCARD_S_SUCCESS) fail(rc, "SCardListReaders");
  std::string buf(len, '\0');
  rc = SCardListReaders(ctx, nullptr, buf.data(), &len);
  if (rc == static_cast<LONG>(SCARD_E_NO_READERS_AVAILABLE)) return {};
  if (rc != SCARD_S_SUCCESS) fail(rc, "SCardListReaders");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < buf.size() && buf[i];) {
    std::string name(buf.c_str() + i);
    i += name.size() + 1;
    out.push_back(std::move(name));
  }
  return out;
}

SCARDCONTEXT establish() {
  SCARDCONTEXT ctx = 0;
  const LONG rc = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &ctx);
  if (rc != SCARD_S_SUCCESS) fail(rc, "SCardEstablishContext");
  return ctx;
}
}  // namespace

std::vector<std::string> pcsc_list_readers() {
  SCARDCONTEXT ctx = establish();
  try {
    auto r = list_with(ctx);
    SCardReleaseContext(ctx);
    return r;
  } catch (...) {
    SCardReleaseContext(ctx);
    throw;
  }
}

struct PcscTerminal::Impl {
  SCARDCONTEXT ctx = 0;       // card operations
  SCARDCONTEXT wait_ctx = 0;  // presence waits (a second context so waits never block transmits)
  SCARDHANDLE card = 0;
  DWORD active = 0;
  DWORD last_state = SCARD_STATE_UNAWARE;
};

PcscTerminal::PcscTerminal(PcscOptions o) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = establish();
  try {
    impl_->wait_ctx = establish();
    for (auto& name : list_with(impl_->ctx))
      if (o.reader.empty() || name.find(o.reader) != std::string::npos) {
        reader_ = name;
        break;
      }
    if (reader_.empty())
      throw SsCardError(ErrorKind::ReaderGone, "no PC/SC reader matches '" + o.reader + "'");
  } catch (...) {
    if (impl_->wait_ctx) SCardReleaseContext(impl_->wait_ctx);
    SCardReleaseContext(impl_->ctx);
    throw;
  }
}

PcscTerminal::~PcscTerminal() {
  if (impl_->card) SCardDisconnect(impl_->card, SCARD_UNPOWER_CARD);
  SCardReleaseContext(impl_->wait_ctx);
  SCardReleaseContext(impl_->ctx);
}

SlotEvent PcscTerminal::wait_event(Millis timeout) {
  SCARD_READERSTATE st{};
  st.szReader = reader_.c_str();
  st.dwCurrentState = impl_->last_state;
  const LONG rc = SCardGetStatusChange(impl_->wait_ctx, static_cast<DWORD>(timeout.count()), &st, 1);
  if (rc == static_cast<LONG>(SCARD_E_TIMEOUT)) return SlotEvent::None;
  if (rc != SCARD_S_SUCCESS) fail(rc, "SCardGetStatusChange");
  if (st.dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE))
    throw SsCardError(ErrorKind::ReaderGone, "PC/SC reader gone");
  const bool was = (impl_->last_state & SCARD_STATE_PRESENT) != 0;
  const bool first = impl_->last_state == SCARD_STATE_UNAWARE;
  impl_->last_state = st.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
  const bool now = (st.dwEventState & SCARD_STATE_PRESENT) != 0;
  if (now == was && !(first && now)) return SlotEvent::None;
  return now ? SlotEvent::CardInserted : SlotEvent::CardRemoved;
}

bool PcscTerminal::card_present() {
  SCARD_READERSTATE st{};
  st.szReader = reader_.c_str();
  st.dwCurrentState = SCARD_STATE_UNAWARE;
  const LONG rc = SCardGetStatusChange(impl_->ctx, 0, &st, 1);
  if (rc != SCARD_S_SUCCESS && rc != static_cast<LONG>(SCARD_E_TIMEOUT)) fail(rc, "SCardGetStatusChange");
  return (st.dwEventState & SCARD_STATE_PRESENT) != 0;
}

Atr PcscTerminal::power_on() {
  if (impl_->card) {
    SCardDisconnect(impl_->card, SCARD_RESET_CARD);
    impl_->card = 0;
  }
  LONG rc = SCardConnect(impl_->ctx, reader_.c_str(), SCARD_SHARE_EXCLUSIVE,
                         SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &impl_->card, &impl_->active);
  if (rc == static_cast<LONG>(SCARD_E_SHARING_VIOLATION))
    rc = SCardConnect(impl_->ctx, reader_.c_str(), SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                      &impl_->card, &impl_->active);
  if (rc != SCARD_S_SUCCESS) fail(rc, "SCardConnect");
  BYTE atr[MAX_ATR_SIZE];
  DWORD atr_len = sizeof atr, state = 0, proto = 0, name_len = 0;
  rc = SCardStatus(impl_->card, nullptr, &name_len, &state, &proto, atr, &atr_len);
  if (rc != SCARD_S_SUCCESS) fail(rc, "SCardStatus");
  protocol_ = impl_->active == SCARD_PROTOCOL_T1 ? 1 : 0;
  return parse_atr(std::span(atr, atr_len));
}

void PcscTerminal::power_off() {
  if (!impl_->card) return;
  SCardDisconnect(impl_->card, SCARD_UNPOWER_CARD);
  impl_->card = 0;
}

Bytes PcscTerminal::transmit(std::span<const std::uint8_t> capdu) {
  if (!impl_->card) throw SsCardError(ErrorKind::NoCard, "card not connected");
  const SCARD_IO_REQUEST* pci = impl_->active == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
  Bytes r(258);
  DWORD len = static_cast<DWORD>(r.size());
  const LONG rc = SCardTransmit(impl_->card, pci, capdu.data(), static_cast<DWORD>(capdu.size()), nullptr,
                                r.data(), &len);
  if (rc != SCARD_S_SUCCESS) fail(rc, "SCardTransmit");
  r.resize(len);
  return r;
}

}  // namespace kiosk::sscard
