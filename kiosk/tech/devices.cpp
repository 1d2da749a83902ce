#include "kiosk/tech/devices.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kiosk/tech/pin.hpp"
#include "kiosk/tech/text_file.hpp"

namespace kiosk::tech {

namespace fs = std::filesystem;

nlohmann::json DeviceProfile::to_json() const {
  char id[16];
  std::snprintf(id, sizeof id, "%04x:%04x", vid, pid);
  nlohmann::json j = {{"file", file}, {"name", name}, {"role", role}, {"transport", transport}};
  if (transport == "usb" || transport == "usb_hid") j["usb"] = id;
  if (usb_class >= 0) j["usb_class"] = usb_class;
  if (ep_in >= 0) j["ep_in"] = ep_in;
  if (ep_out >= 0) j["ep_out"] = ep_out;
  if (!port.empty()) j["port"] = port;
  return j;
}

namespace {

int role_class(const std::string& role) {
  if (role == "sscard") return 0x0B;   // CCID
  if (role == "printer") return 0x07;  // printer class
  if (role == "camera") return 0x0E;   // video
  return -1;
}

std::uint16_t usb_id(const toml::node& n, const std::string& where, const char* what) {
  if (auto i = n.value<std::int64_t>(); i && n.is_integer()) {
    if (*i < 0 || *i > 0xFFFF) throw TechError(where + ": " + what + " outside 0..0xffff");
    return static_cast<std::uint16_t>(*i);
  }
  if (auto s = n.value<std::string>()) {
    std::string v = *s;
    if (v.rfind("0x", 0) == 0 || v.rfind("0X", 0) == 0) v = v.substr(2);
    if (v.size() == 4 && v.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos)
      return static_cast<std::uint16_t>(std::stoul(v, nullptr, 16));
  }
  throw TechError(where + ": " + what + " must be 4 hex digits or an integer");
}

int small_int(const toml::node* n, const std::string& where, const char* what, int lo, int hi) {
  if (!n) return -1;
  auto i = n->value<std::int64_t>();
  if (!n->is_integer() || !i || *i < lo || *i > hi)
    throw TechError(where + ": " + what + " must be an integer " + std::to_string(lo) + ".." +
                    std::to_string(hi));
  return static_cast<int>(*i);
}

std::string str(const toml::table& t, const char* k) {
  if (auto n = t.get(k); n && n->is_string()) return *n->value<std::string>();
  return {};
}

// One profile from a table; `sub` tables (usb/serial/evdev) refine it (scanner files).
DeviceProfile profile_from(const toml::table& t, const std::string& role, const std::string& file,
                           const std::string& fallback_name, const std::string& where) {
  DeviceProfile p;
  p.file = file;
  p.role = role;
  p.name = str(t, "name");
  if (p.name.empty()) p.name = fallback_name;
  p.transport = str(t, "transport");
  if (p.transport.empty()) p.transport = str(t, "backend");
  if (p.transport == "ccid") p.transport = "usb";
  if (p.transport.empty()) p.transport = "usb";
  const toml::table* src = &t;
  if (p.transport == "usb_hid" && t.get_as<toml::table>("usb")) src = t.get_as<toml::table>("usb");
  if (p.transport == "serial" && t.get_as<toml::table>("serial")) src = t.get_as<toml::table>("serial");
  if (p.transport == "evdev" && t.get_as<toml::table>("evdev")) src = t.get_as<toml::table>("evdev");
  if (auto u = src->get("usb"); u && u->is_string()) {
    std::string s = *u->value<std::string>();
    auto c = s.find(':');
    if (c == std::string::npos) throw TechError(where + ": usb must be \"vvvv:pppp\"");
    p.vid = usb_id(toml::value<std::string>(s.substr(0, c)), where, "usb vendor id");
    p.pid = usb_id(toml::value<std::string>(s.substr(c + 1)), where, "usb product id");
  }
  for (auto [vk, pk] : {std::pair{"vid", "pid"}, std::pair{"usb_vid", "usb_pid"}}) {
    auto v = src->get(vk);
    auto q = src->get(pk);
    if (!v && !q) continue;
    if (!v || !q) throw TechError(where + ": " + vk + " and " + pk + " go together");
    p.vid = usb_id(*v, where, vk);
    p.pid = usb_id(*q, where, pk);
  }
  p.ep_in = small_int(src->get("ep_in"), where, "ep_in", 0x81, 0x8F);
  p.ep_out = small_int(src->get("ep_out"), where, "ep_out", 0x01, 0x0F);
  for (const char* k : {"port", "device", "path"}) {
    std::string v = str(*src, k);
    if (!v.empty()) {
      if (v.rfind("/dev/", 0) != 0) throw TechError(where + ": " + k + " must be a /dev path");
      p.port = v;
    }
  }
  if ((p.transport == "usb" || p.transport == "usb_hid") && p.vid == 0 && p.pid == 0)
    p.usb_class = role_class(role);
  return p;
}

}  // namespace

std::vector<DeviceProfile> parse_profiles(const std::string& text, const std::string& file) {
  toml::table t;
  try {
    t = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << file << ":" << e.source().begin.line << ": " << e.description();
    throw TechError(os.str());
  }
  std::string stem = fs::path(file).stem().string();
  std::vector<DeviceProfile> out;
  auto scan_role = [&](const std::string& role, const toml::table& rt, const std::string& prefix) {
    if (auto arr = rt.get_as<toml::array>("profiles")) {
      int i = 0;
      for (auto& el : *arr) {
        auto* pt = el.as_table();
        std::string where = file + ": " + prefix + ".profiles[" + std::to_string(i++) + "]";
        if (!pt) throw TechError(where + " must be a table");
        out.push_back(profile_from(*pt, role, file, stem, where));
      }
    } else {
      out.push_back(profile_from(rt, role, file, stem, file + ": [" + prefix + "]"));
    }
  };
  for (auto& [k, v] : t) {
    std::string key(k.str());
    auto* sub = v.as_table();
    if (key == "devices" && sub) {
      for (auto& [rk, rv] : *sub)
        if (auto* rt = rv.as_table(); rt && std::count(roles().begin(), roles().end(), std::string(rk.str())))
          scan_role(std::string(rk.str()), *rt, "devices." + std::string(rk.str()));
    } else if (sub && std::count(roles().begin(), roles().end(), key)) {
      scan_role(key, *sub, key);
    }
  }
  return out;
}

std::vector<DeviceProfile> load_profiles(const std::string& devices_dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(devices_dir, ec))
    if (e.path().extension() == ".toml") files.push_back(e.path().string());
  if (ec) throw TechError("cannot list " + devices_dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<DeviceProfile> out;
  for (auto& f : files) {
    auto ps = parse_profiles(read_text(f), fs::path(f).filename().string());
    out.insert(out.end(), ps.begin(), ps.end());
  }
  return out;
}

std::string FoundDevice::id() const {
  if (kind != "usb") return path;
  char b[40];
  std::snprintf(b, sizeof b, "%04x:%04x@%d-%d", vid, pid, bus, address);
  return b;
}

nlohmann::json FoundDevice::to_json() const {
  nlohmann::json j = {{"kind", kind}, {"id", id()}};
  if (kind == "usb") {
    nlohmann::json ifs = nlohmann::json::array();
    for (auto& i : interfaces)
      ifs.push_back(
          {{"number", i.number}, {"class", i.cls}, {"subclass", i.subclass}, {"endpoints", i.endpoints}});
    j["interfaces"] = ifs;
  } else {
    j["path"] = path;
  }
  return j;
}

std::vector<FoundDevice> list_serial_ports(const std::string& dev_dir, const std::string& sys_dir) {
  std::vector<FoundDevice> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dev_dir, ec)) {
    std::string name = e.path().filename().string();
    auto numbered = [&](const char* prefix) {
      std::string pre(prefix);
      return name.rfind(pre, 0) == 0 && name.size() > pre.size() &&
             std::all_of(name.begin() + static_cast<std::ptrdiff_t>(pre.size()), name.end(),
                         [](char c) { return c >= '0' && c <= '9'; });
    };
    bool usb = numbered("ttyUSB") || numbered("ttyACM");
    bool uart = numbered("ttyS");
    if (!usb && !uart) continue;
    if (uart && dev_dir == "/dev") {
      // The kernel creates ttyS0..31 whether or not a UART exists; keep those with a real port type.
      std::ifstream type(sys_dir + "/class/tty/" + name + "/type");
      int t = 0;
      if (!(type >> t) || t == 0) continue;
    }
    FoundDevice f;
    f.kind = "serial";
    f.path = (fs::path(dev_dir) / name).string();
    out.push_back(f);
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.path < b.path; });
  return out;
}

std::vector<Match> match(const std::vector<DeviceProfile>& profiles, const std::vector<FoundDevice>& found) {
  std::vector<Match> out;
  for (auto& d : found) {
    for (auto& p : profiles) {
      if (d.kind == "usb" && (p.transport == "usb" || p.transport == "usb_hid")) {
        if (p.vid != 0 || p.pid != 0) {
          if (p.vid != d.vid || p.pid != d.pid) continue;
          bool eps = true;
          for (int ep : {p.ep_in, p.ep_out}) {
            if (ep < 0) continue;
            bool have = false;
            for (auto& i : d.interfaces)
              have = have || std::count(i.endpoints.begin(), i.endpoints.end(), ep);
            eps = eps && have;
          }
          if (eps) out.push_back({&p, &d, "vid:pid"});
        } else if (p.usb_class >= 0) {
          for (auto& i : d.interfaces)
            if (i.cls == p.usb_class) {
              out.push_back({&p, &d, "class"});
              break;
            }
        }
      } else if (d.kind == "serial" && p.transport == "serial" && !p.port.empty()) {
        // A profile for /dev/ttyUSB0 fits that port; a moved adapter (ttyUSB1) fits the same family.
        auto family = [](const std::string& s) { return s.substr(0, s.find_last_not_of("0123456789") + 1); };
        auto base = fs::path(d.path).filename().string();
        auto pbase = fs::path(p.port).filename().string();
        if (base == pbase)
          out.push_back({&p, &d, "port"});
        else if (family(base) == family(pbase))
          out.push_back({&p, &d, "port-family"});
      }
    }
  }
  return out;
}

Bindings Bindings::load(const std::string& path) {
  if (!fs::exists(path)) return {};
  return parse(read_text(path), path);
}

Bindings Bindings::parse(const std::string& text, const std::string& path) {
  Bindings b;
  toml::table t;
  try {
    t = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << path << ":" << e.source().begin.line << ": " << e.description();
    throw TechError(os.str());
  }
  for (auto& [k, v] : t) {
    std::string role(k.str());
    auto* rt = v.as_table();
    if (!rt) continue;
    if (!std::count(roles().begin(), roles().end(), role))
      throw TechError(path + ": unknown role [" + role + "]");
    Binding bd;
    bd.role = role;
    bd.profile_file = str(*rt, "profile_file");
    bd.profile_name = str(*rt, "profile");
    bd.device = str(*rt, "device");
    if (auto n = rt->get("bound_at"); n && n->is_integer()) bd.bound_at = *n->value<std::int64_t>();
    if (bd.profile_name.empty()) throw TechError(path + ": [" + role + "] needs profile");
    b.by_role_[role] = bd;
  }
  return b;
}

void Bindings::save(const std::string& path) const {
  std::string out = "# Device bindings (one per role), written by technician mode / kioskctl devices bind.\n";
  for (auto& [role, b] : by_role_) {
    out += "\n[" + role + "]\n";
    out += "profile_file = " + toml_quote(b.profile_file) + "\n";
    out += "profile = " + toml_quote(b.profile_name) + "\n";
    out += "device = " + toml_quote(b.device) + "\n";
    out += "bound_at = " + std::to_string(b.bound_at) + "\n";
  }
  write_atomic(path, out, 0644);
}

void Bindings::bind(Binding b) {
  if (!std::count(roles().begin(), roles().end(), b.role)) throw TechError("unknown role " + b.role);
  by_role_[b.role] = std::move(b);
}

bool Bindings::unbind(const std::string& role) {
  return by_role_.erase(role) > 0;
}

const Binding* Bindings::get(const std::string& role) const {
  auto it = by_role_.find(role);
  return it == by_role_.end() ? nullptr : &it->second;
}

}  // namespace kiosk::tech
