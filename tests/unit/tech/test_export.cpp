#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "kiosk/tech/export.hpp"
#include "kiosk/tech/pin.hpp"
#include "kiosk/tech/text_file.hpp"

using namespace kiosk::tech;
namespace fs = std::filesystem;

TEST_CASE("export: logs + config as tar.gz with checksum, secrets out, no full ID number inside",
          "[tech][export]") {
  auto d = fs::temp_directory_path() / ("kiosk-tech-export-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d / "logs");
  fs::create_directories(d / "stick");
  fs::copy(std::string(KIOSK_SOURCE_DIR) + "/config", d / "config", fs::copy_options::recursive);
  // A log that (wrongly) holds a full ID number, a SS card number and a name with it.
  std::ofstream(d / "logs" / "kiosk.log") << "2026-11-23 09:30 idcard read 410102199003071234 张文三\n"
                                             "2026-11-23 09:31 sscard card 41010219900307123X\n";
  std::ofstream(d / "config" / "technician.toml", std::ios::trunc)
      << "[technician]\npin_hash = \"$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA\"\n";
  std::ofstream(d / "config" / "client.key") << "-----BEGIN PRIVATE KEY-----\n";
  std::ofstream(d / "logs" / "store.db") << std::string("SQLite format 3\0", 16);
  std::ofstream(d / "logs" / "blob.bin") << std::string("\0\1\2", 3);

  auto res = export_bundle({{(d / "config").string(), "config"}, {(d / "logs").string(), "logs"}},
                           (d / "stick" / "kiosk-export.tar.gz").string());
  CHECK(fs::exists(res.tar_path));
  CHECK(verify_checksum(res.tar_path));
  CHECK(res.scrubbed >= 2);
  CHECK(std::count(res.skipped.begin(), res.skipped.end(), "config/client.key") == 1);
  CHECK(std::count(res.skipped.begin(), res.skipped.end(), "logs/store.db") == 1);
  CHECK(std::count(res.skipped.begin(), res.skipped.end(), "logs/blob.bin") == 1);

  auto files = read_tar(res.tar_path);
  static const std::regex full_id(R"(\d{17}[\dXx])");
  bool have_log = false, have_kiosk = false, have_manifest = false;
  for (auto& [name, data] : files) {
    INFO(name);
    CHECK_FALSE(std::regex_search(data, full_id));
    CHECK(data.find("$argon2id$") == std::string::npos);
    CHECK(data.find("PRIVATE KEY") == std::string::npos);
    if (name == "logs/kiosk.log") {
      have_log = true;
      CHECK(data.find("4101**********1234") != std::string::npos);
    }
    if (name == "config/kiosk.toml") have_kiosk = true;
    if (name == "MANIFEST") {
      have_manifest = true;
      CHECK(data.find("  logs/kiosk.log\n") != std::string::npos);
    }
  }
  CHECK(have_log);
  CHECK(have_kiosk);
  CHECK(have_manifest);
  // The MANIFEST sums match the contents.
  for (auto& [name, data] : files) {
    if (name == "MANIFEST") continue;
    for (auto& [mn, md] : files)
      if (mn == "MANIFEST") CHECK(md.find(sha256_hex(data) + "  " + name + "\n") != std::string::npos);
  }
  // A corrupted tar fails the checksum.
  {
    std::fstream f(res.tar_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x55');
  }
  CHECK_FALSE(verify_checksum(res.tar_path));
  CHECK_THROWS_AS(export_bundle({}, (d / "no" / "such" / "dir" / "x.tar.gz").string()), TechError);
  fs::remove_all(d);
}
