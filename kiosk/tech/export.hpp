// Log + config export for a USB stick: a gzip tar with every file passed through core::scrub (so a
// full ID/card number that slipped into a log comes out masked), a MANIFEST of SHA-256 sums, and a
// <tar>.sha256 file beside it. Secrets (PIN hash, private keys, the store key, databases) are left out.
#pragma once

#include <string>
#include <vector>

namespace kiosk::tech {

struct ExportSource {
  std::string path;  // file or folder
  std::string as;    // name prefix inside the tar ("config", "logs")
};

struct ExportResult {
  std::string tar_path;
  std::string sha256;                // of the tar
  std::string checksum_path;         // <tar>.sha256 ("<hex>  <name>\n", sha256sum -c compatible)
  std::vector<std::string> files;    // names inside
  std::vector<std::string> skipped;  // names left out (secrets, binary)
  std::size_t scrubbed = 0;          // files in which something was masked
};

// Writes `out_tar` (parent folder must exist, e.g. the mounted stick). Throws TechError.
ExportResult export_bundle(const std::vector<ExportSource>& sources, const std::string& out_tar);

// Reads a tar back (tests, `kioskctl logs export --verify`): name → content. Throws TechError.
std::vector<std::pair<std::string, std::string>> read_tar(const std::string& tar_path);
// True when the file's SHA-256 equals the one in <tar>.sha256.
bool verify_checksum(const std::string& tar_path);
std::string sha256_hex(const std::string& data);

}  // namespace kiosk::tech
