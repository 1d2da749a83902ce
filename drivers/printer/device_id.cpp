#include "drivers/printer/device_id.hpp"

namespace kiosk::printer {

static std::string get(const DeviceId& d, const char* a, const char* b) {
  if (auto it = d.fields.find(a); it != d.fields.end()) return it->second;
  if (auto it = d.fields.find(b); it != d.fields.end()) return it->second;
  return {};
}

std::string DeviceId::manufacturer() const {
  return get(*this, "MFG", "MANUFACTURER");
}
std::string DeviceId::model() const {
  return get(*this, "MDL", "MODEL");
}
std::string DeviceId::command_set() const {
  return get(*this, "CMD", "COMMAND SET");
}

DeviceId parse_device_id(std::span<const std::uint8_t> r) {
  if (r.size() < 2) throw DeviceIdError("device ID reply shorter than its length field");
  std::size_t len = (static_cast<std::size_t>(r[0]) << 8) | r[1];
  if (len < 14 || len > r.size()) len = r[0] | (static_cast<std::size_t>(r[1]) << 8);
  if (len < 2 || len > r.size()) throw DeviceIdError("device ID length field out of range");
  std::string s(r.begin() + 2, r.begin() + static_cast<std::ptrdiff_t>(len));
  DeviceId id;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = s.find(';', pos);
    if (end == std::string::npos) end = s.size();
    std::string item = s.substr(pos, end - pos);
    pos = end + 1;
    while (!item.empty() && (item.front() == ' ' || item.front() == '\r' || item.front() == '\n'))
      item.erase(0, 1);
    if (item.empty()) continue;
    auto colon = item.find(':');
    if (colon == std::string::npos || colon == 0) throw DeviceIdError("device ID item without key");
    id.fields[item.substr(0, colon)] = item.substr(colon + 1);
  }
  if (id.fields.empty()) throw DeviceIdError("empty device ID");
  return id;
}

}  // namespace kiosk::printer
