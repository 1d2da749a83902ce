#include "kiosk/tech/audit.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "kiosk/core/mask.hpp"
#include "kiosk/tech/pin.hpp"

namespace kiosk::tech {

namespace {
std::string chain_hash(const std::string& prev, const std::string& body) {
  unsigned char out[16];
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, sizeof out);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(prev.data()), prev.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  crypto_generichash_final(&st, out, sizeof out);
  char hex[sizeof out * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

nlohmann::json body_of(const AuditEntry& e) {
  return {{"seq", e.seq}, {"wall", e.wall}, {"source", e.source}, {"action", e.action}, {"detail", e.detail}};
}

AuditEntry from_json(const nlohmann::json& j) {
  AuditEntry e;
  e.seq = j.at("seq").get<std::uint64_t>();
  e.wall = j.at("wall").get<std::int64_t>();
  e.source = j.at("source").get<std::string>();
  e.action = j.at("action").get<std::string>();
  e.detail = j.at("detail").get<std::string>();
  e.hash = j.at("hash").get<std::string>();
  return e;
}
}  // namespace

AuditLog::AuditLog(std::string path, const core::Clock& clock) : path_(std::move(path)), clock_(clock) {
  if (sodium_init() < 0) throw TechError("libsodium initialisation failed");
}

std::vector<AuditEntry> AuditLog::read_all() const {
  std::vector<AuditEntry> out;
  std::ifstream in(path_);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    try {
      out.push_back(from_json(nlohmann::json::parse(line)));
    } catch (const std::exception&) {
      AuditEntry bad;
      bad.action = "<unreadable>";
      out.push_back(bad);
    }
  }
  return out;
}

AuditEntry AuditLog::append(const std::string& source, const std::string& action, const std::string& detail) {
  std::lock_guard lk(mu_);
  auto all = read_all();
  AuditEntry e;
  e.seq = all.empty() ? 1 : all.back().seq + 1;
  e.wall = static_cast<std::int64_t>(clock_.wall());
  e.source = core::scrub(source);
  e.action = core::scrub(action);
  e.detail = core::scrub(detail);
  auto body = body_of(e);
  e.hash = chain_hash(all.empty() ? std::string() : all.back().hash, body.dump());
  body["hash"] = e.hash;
  std::string line = body.dump() + "\n";
  std::filesystem::path p(path_);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) throw TechError("cannot open audit log " + path_);
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::fsync(fd);
  ::close(fd);
  if (!ok) throw TechError("cannot append to audit log " + path_);
  return e;
}

std::vector<AuditEntry> AuditLog::recent(std::size_t n) const {
  std::lock_guard lk(mu_);
  auto all = read_all();
  if (all.size() > n) all.erase(all.begin(), all.end() - static_cast<std::ptrdiff_t>(n));
  return all;
}

std::string AuditLog::verify() const {
  std::lock_guard lk(mu_);
  auto all = read_all();
  std::string prev;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& e = all[i];
    std::string where = path_ + ": line " + std::to_string(i + 1);
    if (e.action == "<unreadable>") return where + " is not an audit entry";
    if (e.seq != i + 1) return where + " has sequence " + std::to_string(e.seq) + " (a line is missing)";
    if (chain_hash(prev, body_of(e).dump()) != e.hash) return where + " was altered (hash chain broken)";
    prev = e.hash;
  }
  return {};
}

}  // namespace kiosk::tech
