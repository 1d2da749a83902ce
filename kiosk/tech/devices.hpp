// Device discovery and binding. Profiles come from config/devices/*.toml (any table naming a USB id
// or a serial port, like packaging/udev/gen-udev-rules.py reads them); discovery lists USB devices
// through libusb and serial ports under /dev; matching pairs them; one binding per role is saved in a
// TOML file the kiosk reads at start.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::tech {

inline const std::vector<std::string>& roles() {
  static const std::vector<std::string> r{"idcard", "sscard", "printer", "scanner", "camera"};
  return r;
}

struct DeviceProfile {
  std::string file;                // config/devices/idcard.toml
  std::string name;                // profile name (e.g. "usb-0400-c35a") or the file stem
  std::string role;                // idcard, sscard, printer, scanner, camera
  std::string transport;           // usb, serial, sim, demo, pcsc, evdev
  std::uint16_t vid = 0, pid = 0;  // 0/0 with usb: matched by class (sscard CCID, printer class)
  int usb_class = -1;              // interface class the role expects (-1: any)
  int ep_in = -1, ep_out = -1;
  std::string port;  // serial device path
  nlohmann::json to_json() const;
};

// Parses one profile file's text (pure; fuzzed). Throws TechError naming the file and the reason.
std::vector<DeviceProfile> parse_profiles(const std::string& text, const std::string& file);
// Every *.toml of a folder, sorted by file name.
std::vector<DeviceProfile> load_profiles(const std::string& devices_dir);

struct UsbInterface {
  int number = 0;
  int cls = 0, subclass = 0, protocol = 0;
  std::vector<int> endpoints;  // addresses, 0x80 bit = IN
};

struct FoundDevice {
  std::string kind;  // "usb" or "serial"
  std::uint16_t vid = 0, pid = 0;
  int bus = 0, address = 0;
  std::vector<UsbInterface> interfaces;
  std::string path;        // serial: /dev/ttyUSB0; usb: "usb:BUS-ADDR"
  std::string id() const;  // "0400:c35a@1-4" or the serial path
  nlohmann::json to_json() const;
};

// libusb device list (empty with a warning when libusb cannot be initialised, e.g. no /dev/bus/usb).
std::vector<FoundDevice> list_usb_devices();
// /dev/ttyS*, ttyUSB*, ttyACM* under dev_dir; ttyS ports without a UART (the kernel creates 32) are
// dropped when /sys/class/tty/<name>/device/driver says serial8250 with port type 0 unknown — kept
// simple here: ttyS are listed only if sys_dir shows a non-platform driver or dev_dir is not /dev.
std::vector<FoundDevice> list_serial_ports(const std::string& dev_dir = "/dev",
                                           const std::string& sys_dir = "/sys");

struct Match {
  const DeviceProfile* profile = nullptr;
  const FoundDevice* device = nullptr;
  std::string how;  // "vid:pid", "class", "port"
};
// Profiles that fit a found device: exact VID:PID (and the expected endpoints present) first, then the
// role's USB class for 0:0 profiles, then serial port paths.
std::vector<Match> match(const std::vector<DeviceProfile>& profiles, const std::vector<FoundDevice>& found);

struct Binding {
  std::string role;
  std::string profile_file;  // relative to the devices dir
  std::string profile_name;
  std::string device;  // FoundDevice::id() at bind time, or "sim"
  std::int64_t bound_at = 0;
};

class Bindings {
 public:
  static Bindings load(const std::string& path);  // missing file: empty; throws TechError on bad content
  static Bindings parse(const std::string& text, const std::string& name);  // pure, fuzzed
  void save(const std::string& path) const;
  void bind(Binding b);  // replaces the role's binding; throws TechError on an unknown role
  bool unbind(const std::string& role);
  const Binding* get(const std::string& role) const;
  const std::map<std::string, Binding>& all() const { return by_role_; }

 private:
  std::map<std::string, Binding> by_role_;
};

}  // namespace kiosk::tech
