#include "drivers/sscard/sim/card_model.hpp"

#include <sodium.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "drivers/sscard/apdu.hpp"
#include "drivers/sscard/atr.hpp"
#include "drivers/sscard/records.hpp"

namespace kiosk::sscard::sim {

namespace {
std::uint8_t spec_length(std::uint8_t tag) {
  for (const auto& s : record_specs())
    if (s.tag == tag) return s.length;
  return 30;
}

Bytes value_from(std::uint8_t tag, const std::string& v) {
  if (v.rfind("hex:", 0) == 0) return from_hex(v.substr(4));
  if (v.rfind("an:", 0) == 0) return Bytes(v.begin() + 3, v.end());
  if (v.rfind("gbk:", 0) == 0) {
    Bytes b = utf8_to_gbk(v.substr(4));
    if (b.size() < spec_length(tag)) b.resize(spec_length(tag), 0x20);
    return b;
  }
  throw SsCardError(ErrorKind::Parse, "fixture value needs a hex:/an:/gbk: prefix");
}

std::uint8_t tag_from(const std::string& s) {
  Bytes b = from_hex(s);
  if (b.size() != 1) throw SsCardError(ErrorKind::Parse, "fixture tag must be one byte");
  return b[0];
}
}  // namespace

CardFixture fixture_from_json(const std::string& text) {
  const auto j = nlohmann::json::parse(text);
  CardFixture f;
  f.atr = from_hex(j.value("atr", std::string("3B6D000000810088438665330100000000")));
  for (const char* file : {"ef05", "ef06"}) {
    if (!j.contains(file)) continue;
    auto& dst = std::string(file) == "ef05" ? f.ef05 : f.ef06;
    const nlohmann::json& obj = j.at(file);
    for (auto it = obj.begin(); it != obj.end(); ++it)
      dst[tag_from(it.key())] = value_from(tag_from(it.key()), it.value().get<std::string>());
  }
  f.pin = j.value("pin", f.pin);
  f.pin_tries = j.value("pin_tries", f.pin_tries);
  f.ssse = j.value("ssse", f.ssse);
  f.ssse_under_mf = j.value("ssse_under_mf", f.ssse_under_mf);
  f.read_all_records = j.value("read_all_records", f.read_all_records);
  f.sfi_read = j.value("sfi_read", f.sfi_read);
  f.t0_strict_le = j.value("t0_strict_le", f.t0_strict_le);
  if (j.contains("psam_protected"))
    for (const auto& t : j.at("psam_protected")) f.psam_protected.insert(tag_from(t.get<std::string>()));
  f.psam_key = from_hex(j.value("psam_key", std::string()));
  return f;
}

CardFixture load_fixture(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw SsCardError(ErrorKind::Io, "cannot open fixture " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return fixture_from_json(ss.str());
}

CardFixture load_named_fixture(const std::string& name) {
  const char* env = std::getenv("KIOSK_SOURCE_DIR");
  const std::string root = env && *env ? env : KIOSK_SOURCE_DIR;
  return load_fixture(root + "/tests/data/sscard/" + name + ".json");
}

Bytes psam_cryptogram(std::span<const std::uint8_t> key, std::span<const std::uint8_t> id,
                      std::span<const std::uint8_t> challenge) {
  Bytes msg(id.begin(), id.end());
  msg.insert(msg.end(), challenge.begin(), challenge.end());
  Bytes out(16);
  crypto_generichash(out.data(), out.size(), msg.data(), msg.size(), key.empty() ? nullptr : key.data(),
                     key.size());
  return out;
}

SsCardModel::SsCardModel(CardFixture f) : f_(std::move(f)), tries_(f_.pin_tries) {
  try {
    const Atr a = parse_atr(f_.atr);
    t0_ = a.t0;
  } catch (const SsCardError&) {
    t0_ = true;  // bad-ATR fixtures still answer APDUs
  }
}

Bytes SsCardModel::atr() const {
  std::lock_guard l(mu_);
  return f_.atr;
}

void SsCardModel::reset() {
  std::lock_guard l(mu_);
  in_ssse_ = in_mf_ = authenticated_ = false;
  current_ef_ = 0;
  pending_.clear();
  challenge_.clear();
}

int SsCardModel::pin_tries_left() const {
  std::lock_guard l(mu_);
  return tries_;
}

int SsCardModel::apdus() const {
  std::lock_guard l(mu_);
  return apdus_;
}

Bytes SsCardModel::reply(Bytes data, std::uint16_t sw) const {
  data.push_back(static_cast<std::uint8_t>(sw >> 8));
  data.push_back(static_cast<std::uint8_t>(sw));
  return data;
}

// Outgoing data for a command with Le: T=0 strict cards want the exact length (6Cxx otherwise).
Bytes SsCardModel::with_le(Bytes data, std::optional<std::size_t> le) {
  if (t0_ && f_.t0_strict_le) {
    const std::size_t want = le.value_or(256);
    if (want != data.size() && !(data.size() > 256))
      return reply({}, static_cast<std::uint16_t>(0x6C00 | (data.size() & 0xFF)));
  }
  if (le && data.size() > *le) data.resize(*le);
  return reply(std::move(data), 0x9000);
}

Bytes SsCardModel::process(std::span<const std::uint8_t> raw) {
  std::lock_guard l(mu_);
  ++apdus_;
  Command c;
  try {
    c = parse_command(raw);
  } catch (const SsCardError&) {
    return reply({}, 0x6700);
  }
  if (c.cla != 0x00) return reply({}, 0x6E00);
  const bool had_pending = !pending_.empty();
  Bytes pending = std::move(pending_);
  pending_.clear();
  switch (c.ins) {
    case 0xA4: {  // SELECT
      if (c.p1 == 0x04) {
        if (!f_.ssse || c.data != kSsseName || (f_.ssse_under_mf && !in_mf_)) return reply({}, 0x6A82);
        in_ssse_ = true;
        current_ef_ = 0;
        authenticated_ = false;
        Bytes fci{0x6F, 0x16, 0x84, 0x0F};
        fci.insert(fci.end(), kSsseName.begin(), kSsseName.end());
        fci.insert(fci.end(), {0xA5, 0x03, 0x88, 0x01, 0x0B});
        if (t0_) {  // T=0: data only through GET RESPONSE
          pending_ = fci;
          return reply({}, static_cast<std::uint16_t>(0x6100 | fci.size()));
        }
        return c.le ? reply(fci, 0x9000) : reply({}, 0x9000);
      }
      if ((c.p1 == 0x00 || c.p1 == 0x02) && c.data.size() == 2) {
        if (c.data[0] == 0x3F && c.data[1] == 0x00 && c.p1 == 0x00) {
          in_mf_ = true;
          in_ssse_ = false;
          current_ef_ = 0;
          return reply({}, 0x9000);
        }
        if (in_ssse_ && c.data[0] == 0xEF && (c.data[1] == 0x05 || c.data[1] == 0x06)) {
          current_ef_ = c.data[1];
          return reply({}, 0x9000);
        }
        return reply({}, 0x6A82);
      }
      return reply({}, 0x6A86);
    }
    case 0xC0: {  // GET RESPONSE
      if (!had_pending) return reply({}, 0x6985);
      const std::size_t le = c.le.value_or(256);
      if (le != pending.size() && t0_) {
        pending_ = pending;
        return reply({}, static_cast<std::uint16_t>(0x6C00 | pending.size()));
      }
      return reply(pending, 0x9000);
    }
    case 0xB2: {  // READ RECORD
      if (!in_ssse_) return reply({}, 0x6985);
      const std::uint8_t sfi = c.p2 >> 3;
      const std::uint8_t mode = c.p2 & 7;
      if (sfi && !f_.sfi_read) return reply({}, 0x6A86);
      const std::uint8_t ef = sfi ? sfi : current_ef_;
      if (ef != 5 && ef != 6) return reply({}, sfi ? 0x6A82 : 0x6986);
      const auto& file = ef == 5 ? f_.ef05 : f_.ef06;
      auto protected_tag = [&](std::uint8_t t) { return f_.psam_protected.count(t) && !authenticated_; };
      if (mode == 5) {  // all records from P1 to the last
        if (!f_.read_all_records) return reply({}, 0x6A86);
        Bytes all;
        std::size_t index = 0;
        for (const auto& [tag, v] : file) {
          if (++index < c.p1) continue;
          if (protected_tag(tag)) return reply({}, 0x6982);
          auto enc = encode_simple_tlv({tag, v});
          all.insert(all.end(), enc.begin(), enc.end());
        }
        return with_le(std::move(all), c.le);
      }
      std::optional<std::uint8_t> tag;
      if (mode == 0) {  // by identifier
        if (file.count(c.p1)) tag = c.p1;
      } else if (mode == 4) {  // by number
        std::size_t index = 0;
        for (const auto& [t, v] : file)
          if (++index == c.p1) tag = t;
      } else {
        return reply({}, 0x6A86);
      }
      if (!tag) return reply({}, 0x6A83);
      if (protected_tag(*tag)) return reply({}, 0x6982);
      return with_le(encode_simple_tlv({*tag, file.at(*tag)}), c.le);
    }
    case 0x84: {  // GET CHALLENGE
      const std::size_t n = c.le.value_or(8);
      if (n != 8 && n != 16) return reply({}, 0x6700);
      challenge_.assign(n, 0);
      ++challenge_counter_;
      for (std::size_t i = 0; i < n; ++i)
        challenge_[i] = static_cast<std::uint8_t>(challenge_counter_ * 37 + i * 101);
      return reply(challenge_, 0x9000);
    }
    case 0x82: {  // EXTERNAL AUTHENTICATE
      if (challenge_.empty()) return reply({}, 0x6985);
      const Bytes id = f_.ef05.count(TagCardIdentifier) ? f_.ef05.at(TagCardIdentifier) : Bytes{};
      const Bytes want = psam_cryptogram(f_.psam_key, id, challenge_);
      challenge_.clear();
      if (c.data != want) return reply({}, 0x6300);
      authenticated_ = true;
      return reply({}, 0x9000);
    }
    case 0x20: {  // VERIFY
      if (c.p1 != 0 || c.p2 != 0) return reply({}, 0x6A86);
      if (tries_ == 0) return reply({}, 0x6983);
      std::string digits;
      for (auto b : c.data)
        for (int s : {4, 0}) {
          const int n = (b >> s) & 15;
          if (n <= 9) digits.push_back(static_cast<char>('0' + n));
        }
      const bool ok = digits == f_.pin;
      sodium_memzero(digits.data(), digits.size());
      if (ok) {
        tries_ = f_.pin_tries;
        return reply({}, 0x9000);
      }
      --tries_;
      if (tries_ == 0) return reply({}, 0x6983);
      return reply({}, static_cast<std::uint16_t>(0x63C0 | tries_));
    }
    default:
      return reply({}, 0x6D00);
  }
}

Bytes PsamModel::atr() const {
  return from_hex("3B6900004A5053414D00000001");
}

Bytes PsamModel::process(std::span<const std::uint8_t> raw) {
  Command c;
  try {
    c = parse_command(raw);
  } catch (const SsCardError&) {
    return {0x67, 0x00};
  }
  if (c.cla == 0x00 && c.ins == 0xC0 && !pending_.empty()) {
    Bytes out = std::move(pending_);
    pending_.clear();
    out.push_back(0x90);
    out.push_back(0x00);
    return out;
  }
  if (c.cla != 0x80 || c.ins != 0xFA) return {0x6D, 0x00};
  if (c.data.size() < 16) return {0x67, 0x00};
  const auto d = std::span(c.data);
  pending_ = psam_cryptogram(key_, d.first(d.size() - 16), d.last(16));
  if (!c.le) return {0x61, static_cast<std::uint8_t>(pending_.size())};  // T=0 case 3: GET RESPONSE
  Bytes out = std::move(pending_);
  pending_.clear();
  out.push_back(0x90);
  out.push_back(0x00);
  return out;
}

}  // namespace kiosk::sscard::sim
