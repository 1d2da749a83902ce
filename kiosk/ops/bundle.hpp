// Config bundles: a deterministic tar.zst of config/ parts (libarchive), named by its sha256, whose
// per-file hashes are signed in release metadata. Reading enforces size caps and safe paths.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/ops/metadata.hpp"

namespace kiosk::ops {

using FileSet = std::map<std::string, std::string>;  // config-relative path → bytes

struct BundleLimits {
  std::size_t max_files = 4096;
  std::uint64_t max_file_bytes = 16ull << 20;
  std::uint64_t max_total_bytes = 64ull << 20;
};

// Throws OpsError(bad_path) for a path that is absolute, has "..", hidden parts or odd characters.
void check_bundle_path(std::string_view path);

// Every regular file under dir (hidden files and editor backups skipped; symlinks rejected).
FileSet read_dir(const std::filesystem::path& dir, const BundleLimits& lim = {});
std::string build_tar_zst(const FileSet& files);
// Parser of outside bytes: only regular files with safe paths, within limits; throws OpsError.
FileSet read_tar(std::string_view archive, const BundleLimits& lim = {});

std::map<std::string, FileEntry> manifest(const FileSet& files);
// Explicit content schema: UTF-8 text, TOML/JSON parse, TSV rows match the header's column count.
void validate_content(const FileSet& files);
// Files must equal the signed manifest exactly (no extra, none missing, hashes and sizes match).
void check_against(const FileSet& files, const std::map<std::string, FileEntry>& signed_files);

// Human diff: files added/removed/changed, TSV rows (catalog items) by first column, TOML texts by key.
std::vector<std::string> diff(const FileSet& before, const FileSet& after);

}  // namespace kiosk::ops
