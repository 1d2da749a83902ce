// The wizard as the kiosk wires it (kiosk/tech/wiring): values saved into a copy of config/, the CSR
// written to <data_dir>/tls and copied to the USB stick, an issued certificate installed from the stick,
// and the time step's checks run on the check thread against the real diagnostics.
#include <catch2/catch.hpp>
#include <filesystem>

#include "kiosk/core/config.hpp"
#include "kiosk/hw/device_hub.hpp"
#include "kiosk/tech/text_file.hpp"
#include "kiosk/tech/wiring.hpp"
#include "tests/unit/tech/test_ca.hpp"

using namespace kiosk;
using namespace kiosk::tech;
namespace fs = std::filesystem;

TEST_CASE("wired wizard: save, CSR to the stick, certificate from the stick, time check", "[tech][wizard]") {
  fs::path root = fs::temp_directory_path() / ("kiosk-wizard-wiring-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  fs::copy(std::string(KIOSK_SOURCE_DIR) + "/config", root / "config", fs::copy_options::recursive);
  fs::create_directories(root / "stick");
  store_pin_hash((root / "config/technician.toml").string(), hash_pin("246810", {}, true));
  core::Strings strings;
  strings.load_dir((root / "config/strings").string());
  core::ManualClock clock(std::time(nullptr));
  TechWiring w;
  w.paths = resolve_paths((root / "config").string(), (root / "data").string());
  w.demo = true;
  w.export_dir = (root / "stick").string();
  auto mode = make_tech_mode(w, clock, strings);
  mode->long_press(5000, true);
  for (char c : std::string("246810")) mode->action(std::string("tech.key.") + c);
  mode->action("tech.key.ok");
  mode->action("tech.menu.wizard");
  REQUIRE(mode->screen() == TechMode::Screen::Wizard);
  CHECK(mode->field_value("terminal_id") == "DEMO-0001");
  CHECK(mode->region_label() == "河南省郑州市");
  mode->action("tech.field.panel");
  for (int i = 0; i < 8; ++i) mode->action("tech.kb.bksp");
  for (auto k : {"2", "3", "dot", "8", "ok"}) mode->action(std::string("tech.kb.") + k);
  CHECK(mode->field_value("panel") == "23.8");
  mode->action("tech.wizard.next");  // saves, then enrolment
  REQUIRE(mode->wizard_step() == TechMode::WizardStep::Enrol);
  auto k = core::load_config((root / "config/kiosk.toml").string());
  CHECK(k.mm_per_px == Approx(0.2745).epsilon(0.001));  // 23.8" at 1920x1080

  // Installing before there is a certificate on the stick: a clear message, nothing changed.
  mode->action("tech.wizard.install");
  CHECK(mode->message_key() == "tech.wizard.enrol_failed");
  mode->action("tech.wizard.csr");
  REQUIRE(mode->message_key() == "tech.wizard.csr_written");
  CHECK(mode->message_args()[0].second.find((root / "stick/DEMO-0001.csr").string()) != std::string::npos);
  REQUIRE(fs::exists(root / "data/tls/client.key"));
  REQUIRE(fs::exists(root / "stick/DEMO-0001.csr"));
  // The platform signs the CSR; the technician brings the certificate back on the stick.
  tech_test::issue((root / "stick/DEMO-0001.csr").string(), (root / "stick/DEMO-0001.crt").string(), 365);
  mode->action("tech.wizard.install");
  REQUIRE(mode->message_key() == "tech.wizard.cert_installed");
  CHECK(mode->message_args()[0].second.find("DEMO-0001") != std::string::npos);
  auto platform = read_text((root / "config/platform.toml").string());
  CHECK(platform.find("client.crt") != std::string::npos);

  mode->action("tech.wizard.next");
  REQUIRE(mode->wizard_step() == TechMode::WizardStep::Time);
  CHECK(mode->checking("system.clock"));  // started by entering the step, on the check thread
  REQUIRE(mode->wait_idle(20000));
  mode->tick();
  CHECK_FALSE(mode->any_checking());
  bool clock_seen = false, cert_seen = false;
  for (auto& r : mode->results()) {
    clock_seen = clock_seen || r.id == "system.clock";
    if (r.id == "system.certificate") {
      cert_seen = true;
      CHECK(r.status == CheckStatus::Pass);  // the certificate just installed, valid 365 days
    }
  }
  CHECK(clock_seen);
  CHECK(cert_seen);
  std::string log;
  for (auto& e : AuditLog(w.paths.audit_log, clock).recent(50)) log += e.action + " ";
  INFO(log);
  CHECK(log.find("provision cert_install_failed enrol_csr cert_installed") != std::string::npos);
  mode.reset();
  fs::remove_all(root);
}

namespace {
// Stands in for a device worker of the running kiosk; records how technician mode treats it.
class FakeWorker : public hw::DeviceWorker {
 public:
  explicit FakeWorker(std::vector<std::string>& log) : log_(log) {}
  std::string role() const override { return "printer"; }
  void start(core::EventQueue&) override { log_.push_back("start"); }
  void stop() override { log_.push_back("stop"); }
  nlohmann::json status() const override { return nlohmann::json::object(); }

 private:
  std::vector<std::string>& log_;
};
}  // namespace

TEST_CASE("running kiosk: a check pauses the worker that owns the device and restarts it", "[tech][wiring]") {
  fs::path root = fs::temp_directory_path() / ("kiosk-tech-pause-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  fs::copy(std::string(KIOSK_SOURCE_DIR) + "/config", root / "config", fs::copy_options::recursive);
  store_pin_hash((root / "config/technician.toml").string(), hash_pin("246810", {}, true));
  core::Strings strings;
  strings.load_dir((root / "config/strings").string());
  core::ManualClock clock(std::time(nullptr));
  core::EventQueue queue;
  std::vector<std::string> log;        // written on the check thread, read after wait_idle
  std::unique_ptr<hw::DeviceHub> hub;  // created after technician mode, as the app does
  auto mode = make_app_tech_mode((root / "config").string(), (root / "data").string(), false, clock, strings,
                                 [&] { return hub.get(); }, &queue);
  hub = std::make_unique<hw::DeviceHub>(queue);
  hub->add(std::make_unique<FakeWorker>(log));
  mode->long_press(5000, true);
  for (char c : std::string("246810")) mode->action(std::string("tech.key.") + c);
  mode->action("tech.key.ok");
  mode->action("tech.menu.diagnostics");
  mode->action("tech.check.system.disk");  // no worker owns the disk
  REQUIRE(mode->wait_idle(20000));
  CHECK(log.empty());
  mode->action("tech.check.printer.status");  // production, nothing bound: fails fast, worker restarted
  REQUIRE(mode->wait_idle(20000));
  CHECK(log == std::vector<std::string>{"stop", "start"});
  // The finished check woke the app's loop.
  bool woke = false;
  for (auto& ev : queue.drain())
    if (auto* c = std::get_if<core::Command>(&ev)) woke = woke || c->name == "tech.check_done";
  CHECK(woke);
  mode->tick();
  CHECK(mode->results().size() == 2);
  mode.reset();
  hub.reset();
  fs::remove_all(root);
}
