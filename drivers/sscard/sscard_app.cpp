#include "drivers/sscard/sscard_app.hpp"

#include <algorithm>

namespace kiosk::sscard {

const char* to_string(PinResult::Kind k) {
  switch (k) {
    case PinResult::Kind::Ok:
      return "ok";
    case PinResult::Kind::Wrong:
      return "wrong PIN";
    case PinResult::Kind::Blocked:
      return "PIN blocked";
    case PinResult::Kind::Invalid:
      return "invalid PIN format";
    case PinResult::Kind::NoCard:
      return "no card";
    case PinResult::Kind::Error:
      return "error";
  }
  return "?";
}

const char* to_string(ReadMode m) {
  switch (m) {
    case ReadMode::SfiAllRecords:
      return "SFI, all records";
    case ReadMode::SfiById:
      return "SFI, by identifier";
    case ReadMode::SelectById:
      return "SELECT EF, by identifier";
  }
  return "?";
}

PsamOnTerminal::PsamOnTerminal(CardTerminal& t, Options o) : ch_(t), o_(o) {}

Psam::Auth PsamOnTerminal::authenticate(std::span<const std::uint8_t> challenge,
                                        std::span<const std::uint8_t> card_identifier) {
  if (!powered_) {
    ch_.terminal().power_on();
    powered_ = true;
  }
  Command c{o_.cla, o_.ins, o_.p1, o_.p2, Bytes(card_identifier.begin(), card_identifier.end()), 16, false};
  c.data.insert(c.data.end(), challenge.begin(), challenge.end());
  Response r = ch_.transmit(c);
  if (!r.ok() || r.data.size() != challenge.size())
    throw SsCardError(ErrorKind::Card, "PSAM refused: " + describe_sw(r.sw));
  return {o_.key_id, std::move(r.data)};
}

namespace {
bool addressing_refused(std::uint16_t sw) {
  const Status s = classify(sw);
  return s == Status::WrongP1P2 || s == Status::FunctionNotSupported || s == Status::InsNotSupported ||
         s == Status::WrongLength || s == Status::ConditionsNotSatisfied;
}
}  // namespace

void SsCardApp::select_ssse() {
  Command sel{0x00, 0xA4, 0x04, 0x00, kSsseName, std::nullopt, false};
  Response r = ch_.transmit(sel);
  if (r.ok()) return;
  if (r.sw == 0x6A82 || addressing_refused(r.sw)) {
    // SSSE may sit under the MF as a DDF: select the MF first, then try again.
    Response mf = ch_.transmit({0x00, 0xA4, 0x00, 0x00, {0x3F, 0x00}, std::nullopt, false});
    if (mf.ok()) {
      r = ch_.transmit(sel);
      if (r.ok()) return;
    }
  }
  if (r.sw == 0x6A82) throw SsCardError(ErrorKind::NotSsCard, "SSSE not found (6A82)");
  throw SsCardError(ErrorKind::NotSsCard, "SELECT SSSE failed: " + describe_sw(r.sw));
}

void SsCardApp::select_ef(std::uint8_t sfi) {
  if (selected_ef_ == sfi) return;
  const Bytes fid{0xEF, static_cast<std::uint8_t>(sfi)};
  Response r = ch_.transmit({0x00, 0xA4, 0x02, 0x00, fid, std::nullopt, false});
  if (!r.ok() && addressing_refused(r.sw))
    r = ch_.transmit({0x00, 0xA4, 0x00, 0x00, fid, std::nullopt, false});
  if (!r.ok())
    throw SsCardError(ErrorKind::Card, "SELECT EF0" + std::to_string(sfi) + ": " + describe_sw(r.sw));
  selected_ef_ = sfi;
}

bool SsCardApp::read_all(std::uint8_t sfi, std::map<std::uint8_t, Bytes>& out) {
  Response r = ch_.transmit({0x00, 0xB2, 0x01, static_cast<std::uint8_t>(sfi << 3 | 5), {}, 256, false});
  if (!r.ok()) {
    if (addressing_refused(r.sw) || classify(r.sw) == Status::SecurityNotSatisfied) return false;
    throw SsCardError(ErrorKind::Card, "READ RECORDS EF0" + std::to_string(sfi) + ": " + describe_sw(r.sw));
  }
  for (auto& rec : parse_simple_tlv(r.data)) out[rec.tag] = std::move(rec.value);
  std::fill(r.data.begin(), r.data.end(), 0);
  return true;
}

std::optional<Bytes> SsCardApp::read_record(std::uint8_t tag, std::uint8_t sfi, std::uint8_t len) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    Command c{0x00, 0xB2, tag, 0, {}, static_cast<std::size_t>(len + 2), false};
    if (mode_ == ReadMode::SelectById)
      select_ef(sfi);
    else
      c.p2 = static_cast<std::uint8_t>(sfi << 3);
    Response r = ch_.transmit(c);
    if (r.ok()) {
      auto recs = parse_simple_tlv(r.data);
      std::fill(r.data.begin(), r.data.end(), 0);
      if (recs.size() != 1 || recs[0].tag != tag)
        throw SsCardError(ErrorKind::Parse, "record " + std::to_string(tag) + " has a different tag");
      return std::move(recs[0].value);
    }
    const Status s = classify(r.sw);
    if (s == Status::RecordNotFound) return std::nullopt;
    if (s == Status::SecurityNotSatisfied) throw SsCardError(ErrorKind::Card, "6982");
    if (addressing_refused(r.sw) && mode_ != ReadMode::SelectById) {
      mode_ = ReadMode::SelectById;
      continue;
    }
    throw SsCardError(ErrorKind::Card, "READ RECORD " + std::to_string(tag) + ": " + describe_sw(r.sw));
  }
  throw SsCardError(ErrorKind::Card, "READ RECORD: no addressing form accepted");
}

bool SsCardApp::external_authenticate(const Bytes& card_identifier) {
  if (!psam_ || authenticated_) return authenticated_;
  Response ch = ch_.transmit({0x00, 0x84, 0x00, 0x00, {}, 16, false});
  if (!ch.ok() || ch.data.size() != 16)
    throw SsCardError(ErrorKind::Card, "GET CHALLENGE: " + describe_sw(ch.sw));
  Psam::Auth a = psam_->authenticate(ch.data, card_identifier);
  Response r = ch_.transmit({0x00, 0x82, 0x00, a.key_id, a.cryptogram, std::nullopt, true});
  if (!r.ok()) throw SsCardError(ErrorKind::Card, "EXTERNAL AUTHENTICATE: " + describe_sw(r.sw));
  authenticated_ = true;
  return true;
}

SocialSecurityCard SsCardApp::read() {
  selected_ef_ = 0;
  authenticated_ = false;
  select_ssse();
  std::map<std::uint8_t, Bytes> recs;
  std::vector<std::uint8_t> refused;
  if (mode_ == ReadMode::SfiAllRecords) {
    const bool a = read_all(5, recs);
    const bool b = a && read_all(6, recs);
    if (!a || !b) mode_ = ReadMode::SfiById;
  }
  for (const auto& spec : record_specs()) {
    if (recs.count(spec.tag)) continue;
    try {
      auto v = read_record(spec.tag, spec.sfi, spec.length);
      if (v) recs[spec.tag] = std::move(*v);
    } catch (const SsCardError& e) {
      if (e.kind() != ErrorKind::Card || std::string(e.what()).find("6982") == std::string::npos) throw;
      const auto id = recs.count(TagCardIdentifier) ? recs[TagCardIdentifier] : Bytes{};
      if (external_authenticate(id)) {
        if (auto v = read_record(spec.tag, spec.sfi, spec.length)) recs[spec.tag] = std::move(*v);
      } else {
        refused.push_back(spec.tag);
      }
    }
  }
  if (recs.count(TagSpecVersion) && !recs[TagSpecVersion].empty() && recs[TagSpecVersion][0] == '3' &&
      !recs.count(TagNameExtension)) {
    // Generation 3 may carry 姓名扩展 (4E); absent on most cards (6A83).
    try {
      if (auto v = read_record(TagNameExtension, 6, 30)) recs[TagNameExtension] = std::move(*v);
    } catch (const SsCardError&) {
    }
  }
  SocialSecurityCard card = build_card(recs, refused);
  for (auto& [tag, v] : recs) std::fill(v.begin(), v.end(), 0);
  return card;
}

PinResult SsCardApp::verify_pin(std::string& digits) {
  auto wipe = [&] {
    volatile char* p = digits.data();
    for (std::size_t i = 0; i < digits.size(); ++i) p[i] = 0;
    digits.clear();
  };
  PinResult res;
  if (digits.size() < 4 || digits.size() > 12 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    wipe();
    res.kind = PinResult::Kind::Invalid;
    res.detail = "PIN must be 4-12 digits";
    return res;
  }
  Command c{0x00, 0x20, 0x00, 0x00, {}, std::nullopt, true};
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    const int hi = digits[i] - '0';
    const int lo = i + 1 < digits.size() ? digits[i + 1] - '0' : 0xF;
    c.data.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  wipe();
  try {
    Response r = ch_.transmit(c);
    std::fill(c.data.begin(), c.data.end(), 0);
    const Status s = classify(r.sw);
    if (s == Status::Ok)
      res.kind = PinResult::Kind::Ok;
    else if (s == Status::VerifyFailed) {
      res.kind = (r.sw2() & 0x0F) == 0 ? PinResult::Kind::Blocked : PinResult::Kind::Wrong;
      res.tries_left = r.sw2() & 0x0F;
    } else if (s == Status::Blocked) {
      res.kind = PinResult::Kind::Blocked;
      res.tries_left = 0;
    } else {
      res.kind = PinResult::Kind::Error;
    }
    res.detail = describe_sw(r.sw);
  } catch (const SsCardError& e) {
    std::fill(c.data.begin(), c.data.end(), 0);
    res.kind = e.kind() == ErrorKind::NoCard ? PinResult::Kind::NoCard : PinResult::Kind::Error;
    res.detail = e.what();
  }
  return res;
}

}  // namespace kiosk::sscard
