#include "kiosk/tech/export.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "kiosk/core/mask.hpp"
#include "kiosk/tech/pin.hpp"
#include "kiosk/tech/text_file.hpp"

namespace kiosk::tech {

namespace fs = std::filesystem;

std::string sha256_hex(const std::string& data) {
  if (sodium_init() < 0) throw TechError("libsodium initialisation failed");
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[sizeof h * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

namespace {

bool secret_name(const std::string& name) {
  static const std::vector<std::string> bad_ext{".key",    ".pem",    ".db", ".db-wal",
                                                ".db-shm", ".sqlite", ".csr"};
  for (auto& e : bad_ext)
    if (name.size() >= e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) return true;
  return name.find("secret") != std::string::npos;
}

bool text_like(const std::string& s) {
  return s.find('\0') == std::string::npos;
}

// Removes secret values from TOML text: pin_hash and anything named *key*/*password*/*token* that holds
// a string (paths to keys stay; inline secrets go).
std::string redact_toml(const std::string& text) {
  static const std::regex secret_line(
      R"(^(\s*(pin_hash|[A-Za-z_]*(password|secret|token)[A-Za-z_]*)\s*=\s*)\".*\"(.*)$)");
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    std::smatch m;
    if (std::regex_match(line, m, secret_line)) line = m[1].str() + "\"<redacted>\"" + m[4].str();
    out += line;
    if (nl == std::string::npos) break;
    out += '\n';
    pos = nl + 1;
  }
  return out;
}

void add_entry(archive* a, const std::string& name, const std::string& data, std::time_t mtime) {
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_mtime(e, mtime, 0);
  if (archive_write_header(a, e) != ARCHIVE_OK) {
    std::string err = archive_error_string(a) ? archive_error_string(a) : "?";
    archive_entry_free(e);
    throw TechError("tar: " + err);
  }
  if (!data.empty() && archive_write_data(a, data.data(), data.size()) < 0) {
    archive_entry_free(e);
    throw TechError(std::string("tar: ") + archive_error_string(a));
  }
  archive_entry_free(e);
}

}  // namespace

ExportResult export_bundle(const std::vector<ExportSource>& sources, const std::string& out_tar) {
  ExportResult res;
  res.tar_path = out_tar;
  std::vector<std::pair<std::string, std::string>> files;  // name, content
  for (auto& src : sources) {
    std::vector<fs::path> paths;
    std::error_code ec;
    if (fs::is_directory(src.path, ec)) {
      for (auto it =
               fs::recursive_directory_iterator(src.path, fs::directory_options::skip_permission_denied, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec)) paths.push_back(it->path());
    } else if (fs::is_regular_file(src.path, ec)) {
      paths.push_back(src.path);
    }
    std::sort(paths.begin(), paths.end());
    for (auto& p : paths) {
      std::string rel =
          fs::is_directory(src.path) ? fs::relative(p, src.path).string() : p.filename().string();
      std::string name = src.as + "/" + rel;
      if (secret_name(p.filename().string())) {
        res.skipped.push_back(name);
        continue;
      }
      std::string data;
      try {
        data = read_text(p.string());
      } catch (const TechError&) {
        res.skipped.push_back(name);
        continue;
      }
      if (!text_like(data)) {
        res.skipped.push_back(name);
        continue;
      }
      std::string clean = core::scrub(data);
      if (p.extension() == ".toml") clean = redact_toml(clean);
      if (clean != data) ++res.scrubbed;
      files.emplace_back(name, std::move(clean));
    }
  }
  std::string manifest = "# SHA-256 of every file in this export (sha256sum -c MANIFEST)\n";
  for (auto& [n, d] : files) manifest += sha256_hex(d) + "  " + n + "\n";

  std::string tmp = out_tar + ".part";
  archive* a = archive_write_new();
  archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  if (archive_write_open_filename(a, tmp.c_str()) != ARCHIVE_OK) {
    std::string err = archive_error_string(a) ? archive_error_string(a) : "?";
    archive_write_free(a);
    throw TechError("cannot write " + out_tar + ": " + err);
  }
  std::time_t now = std::time(nullptr);
  try {
    for (auto& [n, d] : files) {
      add_entry(a, n, d, now);
      res.files.push_back(n);
    }
    add_entry(a, "MANIFEST", manifest, now);
    res.files.push_back("MANIFEST");
  } catch (...) {
    archive_write_free(a);
    fs::remove(tmp);
    throw;
  }
  if (archive_write_close(a) != ARCHIVE_OK) {
    archive_write_free(a);
    throw TechError("cannot finish " + out_tar);
  }
  archive_write_free(a);
  fs::rename(tmp, out_tar);
  res.sha256 = sha256_hex(read_text(out_tar));
  res.checksum_path = out_tar + ".sha256";
  write_atomic(res.checksum_path, res.sha256 + "  " + fs::path(out_tar).filename().string() + "\n");
  return res;
}

std::vector<std::pair<std::string, std::string>> read_tar(const std::string& tar_path) {
  std::vector<std::pair<std::string, std::string>> out;
  archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  if (archive_read_open_filename(a, tar_path.c_str(), 16384) != ARCHIVE_OK) {
    std::string err = archive_error_string(a) ? archive_error_string(a) : "?";
    archive_read_free(a);
    throw TechError("cannot read " + tar_path + ": " + err);
  }
  archive_entry* e = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    std::string data;
    char buf[8192];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) data.append(buf, static_cast<std::size_t>(n));
    if (n < 0) break;
    out.emplace_back(archive_entry_pathname(e), std::move(data));
  }
  bool bad = rc != ARCHIVE_EOF;
  archive_read_free(a);
  if (bad) throw TechError(tar_path + ": damaged archive");
  return out;
}

bool verify_checksum(const std::string& tar_path) {
  std::string line;
  try {
    line = read_text(tar_path + ".sha256");
  } catch (const TechError&) {
    return false;
  }
  return line.substr(0, 64) == sha256_hex(read_text(tar_path));
}

}  // namespace kiosk::tech
