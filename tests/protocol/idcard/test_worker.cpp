// The idcard DeviceWorker end to end: demo factory (simulator over loopback) → events in the
// session's EventQueue, fault/recovery on unplug, and no personal data in the log file.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "drivers/idcard/sim/simulator.hpp"
#include "kiosk/core/log.hpp"
#include "kiosk/hw/idcard_worker.hpp"

using namespace kiosk;
using namespace std::chrono_literals;
using K = core::DeviceEvent::Kind;

namespace {

core::DeviceEvent next_event(core::EventQueue& q, std::vector<core::Event>& pending,
                             std::chrono::milliseconds to = 3000ms) {
  const auto end = std::chrono::steady_clock::now() + to;
  for (;;) {
    if (!pending.empty()) {
      auto e = std::move(pending.front());
      pending.erase(pending.begin());
      if (auto* d = std::get_if<core::DeviceEvent>(&e)) return *d;
      continue;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) FAIL("no device event in time");
    if (q.wait_for(left)) pending = q.drain();
  }
}

hw::IdCardSettings demo_settings() {
  auto s = hw::load_idcard_settings(std::string(KIOSK_SOURCE_DIR) + "/config/devices/idcard-demo.toml");
  s.poller.interval = 50ms;
  s.poller.reconnect_backoff = 50ms;
  return s;
}

}  // namespace

TEST_CASE("device profiles load from config/devices", "[idcard][worker]") {
  auto s = hw::load_idcard_settings(hw::default_idcard_config_path());
  CHECK(s.profile.name == "usb-0400-c35a");
  CHECK(s.profile.transport == "usb");
  CHECK(s.profile.vid == 0x0400);
  CHECK(s.profile.pid == 0xC35A);
  CHECK(s.profile.ep_out == 0x02);
  CHECK(s.profile.ep_in == 0x81);
  CHECK(s.poller.interval == 300ms);
  auto serial = hw::load_idcard_settings(hw::default_idcard_config_path(), "serial-ttyUSB0");
  CHECK(serial.profile.port == "/dev/ttyUSB0");
  CHECK(serial.profile.baud == 115200);
  CHECK_THROWS_WITH(hw::load_idcard_settings(hw::default_idcard_config_path(), "nope"),
                    Catch::Contains("no profile"));
}

TEST_CASE("demo worker posts read/removed/fault/recovered; logs stay masked", "[idcard][worker]") {
  const auto log =
      std::filesystem::temp_directory_path() / ("idcard-worker-" + std::to_string(::getpid()) + ".log");
  core::init_logging({log.string(), false, false, "debug"});
  core::EventQueue q;
  std::vector<core::Event> pending;
  auto w = hw::make_demo_idcard_worker(demo_settings());
  REQUIRE(w->simulator());
  CHECK(w->fixture_ids().size() >= 6);
  int photos = 0;
  w->set_photo_sink([&](std::vector<std::uint8_t> wlt, std::vector<std::uint8_t> rgb) {
    CHECK(wlt.size() == 1024);
    CHECK(rgb.empty());  // no decoder configured
    ++photos;
  });
  w->start(q);
  CHECK(w->role() == "idcard");

  REQUIRE(w->place_card("henan-resident"));
  auto e = next_event(q, pending);
  REQUIRE(e.kind == K::IdCardRead);
  CHECK(e.device == "idcard");
  CHECK(e.identity.source == core::IdSource::IdCard);
  CHECK(e.identity.document == core::DocumentType::ResidentIdCard);
  CHECK(e.identity.name == "张文三");
  CHECK(e.identity.id_number == "41010519900307123X");
  CHECK(e.identity.gender == "男");
  CHECK(e.identity.birth_date == "19900307");
  CHECK(e.identity.region_code == "410105");
  CHECK(e.identity.valid_until == "20350610");
  CHECK(photos == 1);
  CHECK(w->status()["card_present"] == true);

  w->remove_card();
  CHECK(next_event(q, pending).kind == K::IdCardRemoved);

  REQUIRE(w->place_card("hongkong-residence"));
  auto j = next_event(q, pending);
  CHECK(j.identity.document == core::DocumentType::HkMacauTaiwanResidence);
  CHECK(j.identity.region_code == "810000");
  w->remove_card();
  CHECK(next_event(q, pending).kind == K::IdCardRemoved);

  REQUIRE(w->place_card("foreign-2017"));
  auto f = next_event(q, pending);
  CHECK(f.identity.document == core::DocumentType::ForeignPermanentResident);
  CHECK(f.identity.name == "史约翰");

  // Unplug with the card on the reader: removal first, then the fault; replug recovers.
  w->simulator()->unplug();
  CHECK(next_event(q, pending).kind == K::IdCardRemoved);
  auto fault = next_event(q, pending);
  CHECK(fault.kind == K::DeviceFault);
  CHECK_FALSE(fault.detail.empty());
  CHECK(w->status()["state"] == "fault");
  w->simulator()->replug();
  CHECK(next_event(q, pending).kind == K::DeviceRecovered);
  CHECK(next_event(q, pending).kind == K::IdCardRead);  // the card still lies there
  w->stop();
  CHECK(w->status()["reads"] == 4);
  core::flush_logs();

  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  CHECK(text.find("4101**********123X") != std::string::npos);
  CHECK(text.find("张*三") != std::string::npos);
  for (auto& c : idcard::sim::load_fixtures(idcard::sim::default_fixture_path())) {
    INFO(c.id);
    CHECK(text.find(c.document.id_number) == std::string::npos);
    if (!c.document.name.empty()) CHECK(text.find(c.document.name) == std::string::npos);
    if (!c.document.name_en.empty()) CHECK(text.find(c.document.name_en) == std::string::npos);
    CHECK(text.find(c.document.address.empty() ? "\x01" : c.document.address) == std::string::npos);
  }
  std::filesystem::remove(log);
}

TEST_CASE("production worker without its reader reports a fault, not a crash", "[idcard][worker]") {
  auto s = hw::load_idcard_settings(hw::default_idcard_config_path(), "serial-ttyUSB0");
  s.profile.port = "/nonexistent/ttyIDCARD";
  s.poller.reconnect_backoff = 50ms;
  core::EventQueue q;
  std::vector<core::Event> pending;
  auto w = hw::make_idcard_worker(s);
  w->start(q);
  auto e = next_event(q, pending);
  CHECK(e.kind == K::DeviceFault);
  CHECK(e.detail.find("not found") != std::string::npos);
  w->stop();
  CHECK(w->status()["faults"] == 1);  // one fault while it stays away, not one per retry
}
