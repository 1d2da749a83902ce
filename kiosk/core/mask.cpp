#include "kiosk/core/mask.hpp"

#include <cctype>
#include <vector>

#include "kiosk/core/utf8.hpp"

namespace kiosk::core {

std::string mask_name(std::string_view name) {
  bool ascii = true;
  for (unsigned char c : name) ascii = ascii && c < 0x80;
  if (ascii) {
    std::string out;
    bool word_start = true;
    for (char c : name) {
      if (c == ' ' || c == ',' || c == '-') {
        out += c;
        word_start = true;
      } else {
        out += word_start ? c : '*';
        word_start = false;
      }
    }
    return out;
  }
  auto cps = utf8_split(name);
  if (cps.empty()) return "";
  if (cps.size() == 1) return "*";
  std::string out = cps.front();
  if (cps.size() == 2) return out + "*";
  for (std::size_t i = 1; i + 1 < cps.size(); ++i) out += '*';
  return out + cps.back();
}

std::string mask_id(std::string_view id) {
  if (id.empty()) return "";
  if (id.size() >= 12)
    return std::string(id.substr(0, 4)) + std::string(id.size() - 8, '*') +
           std::string(id.substr(id.size() - 4));
  if (id.size() >= 5)
    return std::string(id.substr(0, 2)) + std::string(id.size() - 4, '*') +
           std::string(id.substr(id.size() - 2));
  return std::string(id.size(), '*');
}

std::string mask_token(std::string_view token) {
  return "tok[" + std::to_string(token.size()) + "]";
}

std::string scrub(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (std::isdigit(static_cast<unsigned char>(text[i]))) {
      std::size_t j = i;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      if (j < text.size() && (text[j] == 'X' || text[j] == 'x') && j - i == 17) ++j;
      if (j - i >= 15) {
        out += mask_id(text.substr(i, j - i));
      } else {
        out.append(text.substr(i, j - i));
      }
      i = j;
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace kiosk::core
