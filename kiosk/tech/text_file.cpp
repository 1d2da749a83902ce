#include "kiosk/tech/text_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "kiosk/tech/pin.hpp"

namespace kiosk::tech {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TechError("cannot read " + path);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

void write_atomic(const std::string& path, const std::string& data, unsigned mode) {
  namespace fs = std::filesystem;
  fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw TechError("cannot write " + tmp);
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) {
      ::close(fd);
      throw TechError("write failed: " + tmp);
    }
    off += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, mode);
  ::fsync(fd);
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw TechError("cannot replace " + path);
}

std::string toml_quote(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        o += "\\\"";
        break;
      case '\\':
        o += "\\\\";
        break;
      case '\n':
        o += "\\n";
        break;
      case '\t':
        o += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o += b;
        } else {
          o += c;
        }
    }
  }
  return o + "\"";
}

namespace {
std::string trim(const std::string& s) {
  auto a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  auto b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}
}  // namespace

std::string set_toml_value_text(const std::string& text, const std::string& section, const std::string& key,
                                const std::string& rendered) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::string current;
  int section_line = -1, last_in_section = -1;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string t = trim(lines[i]);
    if (!t.empty() && t[0] == '[') {
      auto a = t.find_first_not_of('[');
      auto b = t.find(']');
      current = (a == std::string::npos || b == std::string::npos || b < a) ? std::string()
                                                                            : trim(t.substr(a, b - a));
      if (current == section) section_line = static_cast<int>(i), last_in_section = static_cast<int>(i);
      continue;
    }
    if (current != section) continue;
    if (!t.empty() && t[0] != '#') last_in_section = static_cast<int>(i);
    auto eq = t.find('=');
    if (eq == std::string::npos || t[0] == '#') continue;
    if (trim(t.substr(0, eq)) != key) continue;
    // Keep a trailing comment only when the old value cannot contain '#' (not a string).
    std::string comment;
    std::string old = trim(t.substr(eq + 1));
    if (!old.empty() && old[0] != '"' && old[0] != '\'') {
      auto hash = lines[i].find('#');
      if (hash != std::string::npos) comment = "  " + lines[i].substr(hash);
    }
    lines[i] = key + " = " + rendered + comment;
    std::string out;
    for (auto& l : lines) out += l + "\n";
    return out;
  }
  if (section_line < 0) {
    if (!lines.empty() && !trim(lines.back()).empty()) lines.push_back("");
    lines.push_back("[" + section + "]");
    lines.push_back(key + " = " + rendered);
  } else {
    lines.insert(lines.begin() + last_in_section + 1, key + " = " + rendered);
  }
  std::string out;
  for (auto& l : lines) out += l + "\n";
  return out;
}

void set_toml_value(const std::string& path, const std::string& section, const std::string& key,
                    const std::string& rendered) {
  std::string text;
  if (std::filesystem::exists(path)) text = read_text(path);
  auto mode =
      std::filesystem::exists(path)
          ? static_cast<unsigned>(std::filesystem::status(path).permissions() & std::filesystem::perms::mask)
          : 0644u;
  write_atomic(path, set_toml_value_text(text, section, key, rendered), mode);
}

}  // namespace kiosk::tech
