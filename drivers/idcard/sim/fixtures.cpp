#include <fstream>
#include <nlohmann/json.hpp>

#include "drivers/idcard/sim/simulator.hpp"

namespace kiosk::idcard::sim {

namespace {

CardKind kind_from(const std::string& s) {
  if (s == "resident") return CardKind::Resident;
  if (s == "foreign_2017") return CardKind::ForeignPermanent2017;
  if (s == "foreign_2023") return CardKind::ForeignPermanent2023;
  if (s == "hk_macau_taiwan") return CardKind::HkMacauTaiwan;
  throw std::runtime_error("fixture: unknown card kind '" + s + "'");
}

// Deterministic filler: clearly not a WLT image, different per fixture.
Bytes synthetic_block(const std::string& seed, std::size_t n, std::uint8_t tag) {
  Bytes b(n);
  std::uint32_t h = 2166136261u ^ tag;
  for (char c : seed) h = (h ^ static_cast<std::uint8_t>(c)) * 16777619u;
  for (auto& x : b) {
    h ^= h << 13;
    h ^= h >> 17;
    h ^= h << 5;
    x = static_cast<std::uint8_t>(h);
  }
  b[0] = 'W';
  b[1] = 'L';
  return b;
}

CardFixture from_json(const nlohmann::json& j) {
  CardFixture f;
  f.id = j.value("id", "card");
  auto& d = f.document;
  d.kind = kind_from(j.value("kind", "resident"));
  auto s = [&](const char* k) { return j.value(k, std::string()); };
  d.name = s("name");
  d.name_en = s("name_en");
  d.gender_code = s("gender");
  d.ethnicity_code = s("ethnicity");
  d.birth_date = s("birth_date");
  d.address = s("address");
  d.id_number = s("id_number");
  d.issuing_authority = s("issuing_authority");
  d.valid_from = s("valid_from");
  d.valid_until = s("valid_until");
  d.nationality = s("nationality");
  d.card_version = s("card_version");
  d.authority_code = s("authority_code");
  d.pass_number = s("pass_number");
  d.issue_count = s("issue_count");
  d.old_permit_ref = s("old_permit_ref");
  f.extra_address = s("extra_address");
  f.photo = synthetic_block(f.id, kPhotoSize, 1);
  if (j.value("fingerprint", false)) f.fingerprint = synthetic_block(f.id, 1024, 2);
  // Round-trip through the real codec so a bad fixture fails here, not on the wire.
  d = decode_text(encode_text(d));
  return f;
}

}  // namespace

CardFixture fixture_from_json(const std::string& text) {
  return from_json(nlohmann::json::parse(text));
}

std::vector<CardFixture> load_fixtures(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("fixtures: cannot open " + path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw std::runtime_error("fixtures: " + path + ": " + e.what());
  }
  std::vector<CardFixture> out;
  for (auto& c : j.at("cards")) {
    try {
      out.push_back(from_json(c));
    } catch (const std::exception& e) {
      throw std::runtime_error("fixtures: card '" + c.value("id", "?") + "': " + e.what());
    }
  }
  return out;
}

std::string default_fixture_path() {
  if (const char* env = std::getenv("KIOSK_IDCARD_FIXTURES"); env && *env) return env;
  return std::string(KIOSK_SOURCE_DIR) + "/tests/data/idcard/cards.json";
}

}  // namespace kiosk::idcard::sim
