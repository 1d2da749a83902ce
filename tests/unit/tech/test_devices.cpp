#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "kiosk/tech/devices.hpp"
#include "kiosk/tech/pin.hpp"

using namespace kiosk::tech;
namespace fs = std::filesystem;

namespace {
const DeviceProfile* find(const std::vector<DeviceProfile>& ps, const std::string& role,
                          const std::string& name) {
  for (auto& p : ps)
    if (p.role == role && p.name == name) return &p;
  return nullptr;
}
}  // namespace

TEST_CASE("the shipped device profiles parse into one entry per device", "[tech][devices]") {
  auto ps = load_profiles(std::string(KIOSK_SOURCE_DIR) + "/config/devices");
  auto* usb = find(ps, "idcard", "usb-0400-c35a");
  REQUIRE(usb);
  CHECK(usb->transport == "usb");
  CHECK(usb->vid == 0x0400);
  CHECK(usb->pid == 0xC35A);
  CHECK(usb->ep_in == 0x81);
  CHECK(usb->ep_out == 0x02);
  CHECK(usb->file == "idcard.toml");
  auto* serial = find(ps, "idcard", "serial-ttyUSB0");
  REQUIRE(serial);
  CHECK(serial->port == "/dev/ttyUSB0");
  auto* ss = find(ps, "sscard", "sscard");
  REQUIRE(ss);
  CHECK(ss->usb_class == 0x0B);  // vid 0/pid 0: any CCID reader
  auto* hid = find(ps, "scanner", "usb-hid-scanner");
  REQUIRE(hid);
  CHECK(hid->transport == "usb_hid");
  CHECK(hid->vid == 0x0c2e);
  auto* ser = find(ps, "scanner", "serial-scanner");
  REQUIRE(ser);
  CHECK(ser->port == "/dev/ttyACM0");
  CHECK(find(ps, "scanner", "demo"));
  CHECK(find(ps, "idcard", "sim"));
}

TEST_CASE("bad profiles are rejected with file and reason", "[tech][devices]") {
  CHECK_THROWS_WITH(parse_profiles("[idcard\n", "x.toml"), Catch::Contains("x.toml:1"));
  CHECK_THROWS_WITH(parse_profiles("[[idcard.profiles]]\nvid = 0x10000\npid = 1\n", "x.toml"),
                    Catch::Contains("outside"));
  CHECK_THROWS_WITH(parse_profiles("[[idcard.profiles]]\nvid = 1\n", "x.toml"),
                    Catch::Contains("go together"));
  CHECK_THROWS_WITH(parse_profiles("[scanner]\nusb = \"12345\"\n", "x.toml"), Catch::Contains("vvvv:pppp"));
  CHECK_THROWS_WITH(parse_profiles("[printer]\nport = \"COM1\"\n", "x.toml"), Catch::Contains("/dev"));
  CHECK_THROWS_WITH(parse_profiles("[idcard]\nprofiles = [1]\n", "x.toml"),
                    Catch::Contains("must be a table"));
  auto ok = parse_profiles("[devices.printer]\nusb = \"0483:5720\"\nname = \"p\"\n", "p.toml");
  REQUIRE(ok.size() == 1);
  CHECK(ok[0].role == "printer");
  CHECK(ok[0].vid == 0x0483);
}

TEST_CASE("found devices match profiles by VID:PID with endpoints, by class, and by port",
          "[tech][devices]") {
  auto ps = load_profiles(std::string(KIOSK_SOURCE_DIR) + "/config/devices");
  FoundDevice reader{"usb", 0x0400, 0xC35A, 1, 4, {{0, 0xFF, 0, 0, {0x02, 0x81}}}, "usb:1-4"};
  FoundDevice wrong_eps{"usb", 0x0400, 0xC35A, 1, 5, {{0, 0xFF, 0, 0, {0x01, 0x82}}}, "usb:1-5"};
  FoundDevice ccid{"usb", 0x076B, 0x3021, 1, 6, {{0, 0x0B, 0, 0, {0x02, 0x82, 0x83}}}, "usb:1-6"};
  FoundDevice mouse{"usb", 0x046D, 0xC077, 1, 7, {{0, 0x03, 1, 2, {0x81}}}, "usb:1-7"};
  FoundDevice tty{"serial", 0, 0, 0, 0, {}, "/dev/ttyUSB1"};
  auto ms = match(ps, {reader, wrong_eps, ccid, mouse, tty});
  auto count = [&](const std::string& dev, const std::string& role, const std::string& how) {
    int n = 0;
    for (auto& m : ms) n += m.device->path == dev && m.profile->role == role && m.how == how;
    return n;
  };
  CHECK(count("usb:1-4", "idcard", "vid:pid") == 1);
  CHECK(count("usb:1-5", "idcard", "vid:pid") == 0);  // endpoints differ: not that model
  CHECK(count("usb:1-6", "sscard", "class") == 1);
  for (auto& m : ms) CHECK(m.device->path != "usb:1-7");
  CHECK(count("/dev/ttyUSB1", "idcard", "port-family") == 1);
  CHECK(reader.id() == "0400:c35a@1-4");
}

TEST_CASE("serial ports are listed from a dev folder", "[tech][devices]") {
  auto d = fs::temp_directory_path() / ("kiosk-tech-dev-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  for (auto n : {"ttyUSB0", "ttyACM1", "ttyS0", "tty0", "ttyUSBx", "video0"}) std::ofstream(d / n) << "";
  auto ports = list_serial_ports(d.string());
  std::vector<std::string> names;
  for (auto& p : ports) names.push_back(fs::path(p.path).filename().string());
  CHECK(names == std::vector<std::string>{"ttyACM1", "ttyS0", "ttyUSB0"});
  fs::remove_all(d);
}

TEST_CASE("bindings: one per role, saved and loaded back", "[tech][devices]") {
  auto f = (fs::temp_directory_path() / ("kiosk-tech-bind-" + std::to_string(::getpid()) + ".toml")).string();
  fs::remove(f);
  auto b = Bindings::load(f);
  CHECK(b.all().empty());
  b.bind({"idcard", "idcard.toml", "usb-0400-c35a", "0400:c35a@1-4", 1795397400});
  b.bind({"printer", "epson.toml", "epson", "0483:5720@1-9", 1795397401});
  b.bind({"idcard", "idcard.toml", "serial-ttyUSB0", "/dev/ttyUSB0", 1795397402});  // replaces
  CHECK_THROWS_AS(b.bind({"toaster", "", "x", "", 0}), TechError);
  b.save(f);
  auto b2 = Bindings::load(f);
  REQUIRE(b2.get("idcard"));
  CHECK(b2.get("idcard")->profile_name == "serial-ttyUSB0");
  CHECK(b2.get("idcard")->device == "/dev/ttyUSB0");
  CHECK(b2.get("printer")->bound_at == 1795397401);
  CHECK(b2.all().size() == 2);
  CHECK(b2.unbind("printer"));
  CHECK_FALSE(b2.unbind("printer"));
  std::ofstream(f) << "[toaster]\nprofile = \"x\"\n";
  CHECK_THROWS_WITH(Bindings::load(f), Catch::Contains("unknown role"));
  fs::remove(f);
}
