#include "kiosk/ops/bundle.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace kiosk::ops {

namespace fs = std::filesystem;

namespace {

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n;
    if (c < 0x80)
      n = 0;
    else if (c >= 0xC2 && c <= 0xDF)
      n = 1;
    else if (c >= 0xE0 && c <= 0xEF)
      n = 2;
    else if (c >= 0xF0 && c <= 0xF4)
      n = 3;
    else
      return false;
    if (n > s.size() - i - 1) return false;
    for (std::size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n + 1;
  }
  return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    auto p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

std::string ext_of(std::string_view path) {
  auto dot = path.rfind('.');
  return dot == std::string_view::npos ? "" : std::string(path.substr(dot));
}

struct ArchiveReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct ArchiveWriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};

// Flattens a TOML table into "a.b.c" → value text.
void flatten(const toml::table& t, const std::string& prefix, std::map<std::string, std::string>& out) {
  for (auto&& [k, v] : t) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (auto* sub = v.as_table()) {
      flatten(*sub, key, out);
    } else if (auto* s = v.as_string()) {
      out[key] = s->get();
    } else {
      std::ostringstream os;
      v.visit([&](auto&& node) { os << node; });
      out[key] = os.str();
    }
  }
}

std::map<std::string, std::string> tsv_rows(std::string_view text, std::string& header) {
  std::map<std::string, std::string> rows;
  bool first = true;
  for (auto line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (first) {
      header = std::string(line);
      first = false;
      continue;
    }
    auto cols = split(line, '\t');
    rows[std::string(cols[0])] = std::string(line);
  }
  return rows;
}

std::string short_text(std::string_view s) {
  if (s.size() <= 60) return std::string(s);
  std::size_t cut = 57;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "…";
}

}  // namespace

void check_bundle_path(std::string_view path) {
  auto bad = [&](const std::string& why) {
    throw OpsError(Reason::bad_path, "'" + std::string(path.substr(0, 80)) + "': " + why);
  };
  if (path.empty() || path.size() > 200) bad("empty or longer than 200 bytes");
  if (path.front() == '/') bad("absolute path");
  auto parts = split(path, '/');
  if (parts.size() > 8) bad("nested deeper than 8 levels");
  for (auto p : parts) {
    if (p.empty() || p.front() == '.') bad("empty, hidden or '..' component");
    for (char c : p)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
            c == '_' || c == '-'))
        bad("character outside [A-Za-z0-9._-]");
  }
}

FileSet read_dir(const fs::path& dir, const BundleLimits& lim) {
  if (!fs::is_directory(dir)) throw OpsError(Reason::io, dir.string() + " is not a directory");
  FileSet out;
  std::uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    auto name = it->path().filename().string();
    if (name.starts_with(".") || name.ends_with("~")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink()) throw OpsError(Reason::bad_path, it->path().string() + " is a symlink");
    if (it->is_directory()) continue;
    if (!it->is_regular_file())
      throw OpsError(Reason::bad_path, it->path().string() + " is not a regular file");
    auto rel = fs::relative(it->path(), dir).generic_string();
    check_bundle_path(rel);
    if (it->file_size() > lim.max_file_bytes) throw OpsError(Reason::too_large, rel + " is too large");
    total += it->file_size();
    if (total > lim.max_total_bytes || out.size() >= lim.max_files)
      throw OpsError(Reason::too_large, "config directory exceeds the bundle limits");
    std::ifstream in(it->path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    if (!in.good() && !in.eof()) throw OpsError(Reason::io, "cannot read " + it->path().string());
    out.emplace(rel, std::move(bytes));
  }
  if (out.empty()) throw OpsError(Reason::schema, dir.string() + " holds no files");
  return out;
}

std::string build_tar_zst(const FileSet& files) {
  std::unique_ptr<archive, ArchiveWriteDeleter> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_add_filter_zstd(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  std::size_t cap = 1024 + files.size() * 1024;
  for (auto& [p, d] : files) cap += d.size();
  std::string out(cap + cap / 8 + 65536, '\0');
  std::size_t used = 0;
  if (archive_write_open_memory(a.get(), out.data(), out.size(), &used) != ARCHIVE_OK)
    throw OpsError(Reason::io, std::string("tar: ") + archive_error_string(a.get()));
  for (auto& [path, data] : files) {
    check_bundle_path(path);
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, path.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, 0, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    bool ok = archive_write_header(a.get(), e) == ARCHIVE_OK &&
              archive_write_data(a.get(), data.data(), data.size()) == static_cast<la_ssize_t>(data.size());
    archive_entry_free(e);
    if (!ok) throw OpsError(Reason::io, std::string("tar: ") + archive_error_string(a.get()));
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK)
    throw OpsError(Reason::io, std::string("tar: ") + archive_error_string(a.get()));
  out.resize(used);
  return out;
}

FileSet read_tar(std::string_view bytes, const BundleLimits& lim) {
  std::unique_ptr<archive, ArchiveReadDeleter> a(archive_read_new());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
    throw OpsError(Reason::malformed, std::string("bundle: ") + archive_error_string(a.get()));
  FileSet out;
  std::uint64_t total = 0;
  archive_entry* e = nullptr;
  for (;;) {
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) {
      const char* msg = archive_error_string(a.get());
      throw OpsError(Reason::truncated, std::string("bundle: ") + (msg ? msg : "cannot read entry header"));
    }
    const char* name = archive_entry_pathname(e);
    std::string path = name ? name : "";
    if (archive_entry_filetype(e) == AE_IFDIR) {  // directories are implied by file paths
      while (!path.empty() && path.back() == '/') path.pop_back();
      check_bundle_path(path);
      continue;
    }
    if (archive_entry_filetype(e) != AE_IFREG)
      throw OpsError(Reason::bad_path, "bundle: '" + path.substr(0, 80) + "' is not a regular file");
    check_bundle_path(path);
    if (out.count(path)) throw OpsError(Reason::bad_path, "bundle: duplicate entry " + path);
    if (out.size() >= lim.max_files) throw OpsError(Reason::too_large, "bundle: too many files");
    auto size = archive_entry_size(e);
    if (size < 0 || static_cast<std::uint64_t>(size) > lim.max_file_bytes)
      throw OpsError(Reason::too_large, "bundle: " + path + " is too large");
    total += static_cast<std::uint64_t>(size);
    if (total > lim.max_total_bytes) throw OpsError(Reason::too_large, "bundle: total size over the limit");
    std::string data(static_cast<std::size_t>(size), '\0');
    std::size_t got = 0;
    while (got < data.size()) {
      auto n = archive_read_data(a.get(), data.data() + got, data.size() - got);
      if (n < 0) throw OpsError(Reason::truncated, "bundle: " + path + ": " + archive_error_string(a.get()));
      if (n == 0) throw OpsError(Reason::truncated, "bundle: " + path + " ends early");
      got += static_cast<std::size_t>(n);
    }
    out.emplace(std::move(path), std::move(data));
  }
  if (out.empty()) throw OpsError(Reason::truncated, "bundle: no files");
  return out;
}

std::map<std::string, FileEntry> manifest(const FileSet& files) {
  std::map<std::string, FileEntry> m;
  for (auto& [p, d] : files) m[p] = FileEntry{sha256_hex(d), d.size()};
  return m;
}

void validate_content(const FileSet& files) {
  for (auto& [path, data] : files) {
    check_bundle_path(path);
    auto ext = ext_of(path);
    bool text =
        ext == ".toml" || ext == ".json" || ext == ".tsv" || ext == ".txt" || ext == ".md" || ext == ".tmpl";
    if (!text) continue;
    if (!valid_utf8(data)) throw OpsError(Reason::schema, path + ": not valid UTF-8");
    if (ext == ".toml") {
      try {
        auto tbl = toml::parse(std::string_view(data), path);
        (void)tbl;
      } catch (const toml::parse_error& err) {
        std::ostringstream os;
        os << path << ":" << err.source().begin.line << ": " << err.description();
        throw OpsError(Reason::schema, os.str());
      }
    } else if (ext == ".json") {
      if (nlohmann::json::accept(data) == false) throw OpsError(Reason::schema, path + ": not valid JSON");
    } else if (ext == ".tsv") {
      std::size_t cols = 0, lineno = 0;
      for (auto line : split(data, '\n')) {
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        auto n = split(line, '\t').size();
        if (cols == 0)
          cols = n;
        else if (n != cols)
          throw OpsError(Reason::schema, path + ":" + std::to_string(lineno) + ": " + std::to_string(n) +
                                             " columns, header has " + std::to_string(cols));
      }
    }
  }
}

void check_against(const FileSet& files, const std::map<std::string, FileEntry>& signed_files) {
  for (auto& [path, entry] : signed_files) {
    auto it = files.find(path);
    if (it == files.end()) throw OpsError(Reason::truncated, "bundle lacks signed file " + path);
    if (it->second.size() != entry.size || sha256_hex(it->second) != entry.sha256)
      throw OpsError(Reason::hash_mismatch, path + " differs from its signed hash");
  }
  for (auto& [path, data] : files)
    if (!signed_files.count(path)) throw OpsError(Reason::bad_path, "bundle holds unsigned file " + path);
}

std::vector<std::string> diff(const FileSet& before, const FileSet& after) {
  std::vector<std::string> out;
  for (auto& [p, d] : after)
    if (!before.count(p)) out.push_back("+ file " + p + " (" + std::to_string(d.size()) + " bytes)");
  for (auto& [p, d] : before)
    if (!after.count(p)) out.push_back("- file " + p);
  for (auto& [p, d] : after) {
    auto it = before.find(p);
    if (it == before.end() || it->second == d) continue;
    auto ext = ext_of(p);
    std::size_t mark = out.size();
    out.push_back("~ file " + p);
    if (ext == ".tsv") {
      std::string h1, h2;
      auto a = tsv_rows(it->second, h1), b = tsv_rows(d, h2);
      if (h1 != h2) out.push_back("    columns changed");
      auto header = split(h2, '\t');
      auto name_col = std::find(header.begin(), header.end(), std::string_view("name")) - header.begin();
      auto name_of = [&](const std::string& row) {
        auto cols = split(row, '\t');
        return static_cast<std::size_t>(name_col) < cols.size()
                   ? " " + short_text(cols[static_cast<std::size_t>(name_col)])
                   : std::string();
      };
      for (auto& [k, row] : b)
        if (!a.count(k)) out.push_back("    + item " + k + name_of(row));
      for (auto& [k, row] : a)
        if (!b.count(k)) out.push_back("    - item " + k + name_of(row));
      for (auto& [k, row] : b) {
        if (!a.count(k) || a[k] == row) continue;
        auto before_cols = split(a[k], '\t'), after_cols = split(row, '\t');
        std::string what;
        for (std::size_t c = 0; c < std::max(before_cols.size(), after_cols.size()); ++c) {
          auto x = c < before_cols.size() ? before_cols[c] : std::string_view();
          auto y = c < after_cols.size() ? after_cols[c] : std::string_view();
          if (x == y) continue;
          std::string col = c < header.size() ? std::string(header[c]) : "column " + std::to_string(c + 1);
          what +=
              (what.empty() ? ": " : "; ") + col + " \"" + short_text(x) + "\" → \"" + short_text(y) + "\"";
        }
        out.push_back("    ~ item " + k + what);
      }
    } else if (ext == ".toml") {
      std::map<std::string, std::string> a, b;
      try {
        flatten(toml::parse(std::string_view(it->second)), "", a);
        flatten(toml::parse(std::string_view(d)), "", b);
      } catch (const toml::parse_error&) {
        out.push_back("    (not valid TOML: content changed)");
        continue;
      }
      for (auto& [k, v] : b)
        if (!a.count(k)) out.push_back("    + " + k + " = \"" + short_text(v) + "\"");
      for (auto& [k, v] : a)
        if (!b.count(k)) out.push_back("    - " + k);
      for (auto& [k, v] : b)
        if (a.count(k) && a[k] != v)
          out.push_back("    ~ " + k + ": \"" + short_text(a[k]) + "\" → \"" + short_text(v) + "\"");
    }
    if (out.size() == mark + 1 && ext != ".tsv" && ext != ".toml") out.back() += " (content changed)";
  }
  return out;
}

}  // namespace kiosk::ops
