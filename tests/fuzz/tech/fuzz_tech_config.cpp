// Fuzzes the technician-mode parsers of files a technician or a USB stick can bring in: device
// profiles, bindings, technician.toml, and the comment-keeping TOML line editor.
#include <cstdint>
#include <string>

#include "kiosk/tech/devices.hpp"
#include "kiosk/tech/pin.hpp"
#include "kiosk/tech/text_file.hpp"

using namespace kiosk::tech;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  try {
    auto ps = parse_profiles(in, "fuzz.toml");
    for (auto& p : ps) (void)p.to_json();
    FoundDevice d{"usb", 0x0400, 0xC35A, 1, 2, {{0, 0x0B, 0, 0, {0x02, 0x81}}}, "usb:1-2"};
    FoundDevice s{"serial", 0, 0, 0, 0, {}, "/dev/ttyUSB3"};
    (void)match(ps, {d, s});
  } catch (const TechError&) {
  }
  try {
    auto b = Bindings::parse(in, "bindings.toml");
    (void)b.all().size();
  } catch (const TechError&) {
  }
  try {
    (void)parse_technician_config(in, "technician.toml");
  } catch (const TechError&) {
  }
  auto edited = set_toml_value_text(in, "terminal", "id", toml_quote(in.substr(0, 16)));
  (void)edited;
  return 0;
}
