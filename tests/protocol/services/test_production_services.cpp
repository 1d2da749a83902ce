// Production Services (kiosk/app/services.cpp) as `kiosk --config` builds them: the platform client from
// platform.toml over HTTPS (certificates generated here by openssl) to the platform simulator, the
// encrypted outbox with the province's deferrable items, and printing through the printer worker whose
// print.result goes straight to the flow.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "drivers/printer/sim/simulator.hpp"
#include "kiosk/app/services.hpp"
#include "kiosk/hw/printer_worker.hpp"
#include "kiosk/platform/sim/platform_sim.hpp"

using namespace kiosk;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path dir;
  TempDir() {
    char tmpl[] = "/tmp/kiosk_prodsvc_XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(dir); }
};

void gen_cert(const fs::path& cert, const fs::path& key) {
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "
      "'/CN=127.0.0.1' "
      "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
      key.string() + "' -out '" + cert.string() + "' 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
}

// Waits for the next Command named `name` on the queue (other events are dropped).
std::optional<core::Command> next_command(core::EventQueue& q, const std::string& name,
                                          std::chrono::milliseconds timeout = 15s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    q.wait_for(200ms);
    for (auto& e : q.drain())
      if (auto* c = std::get_if<core::Command>(&e); c && c->name == name) return *c;
  }
  return std::nullopt;
}

core::SessionData resident() {
  core::SessionData d;
  d.item_code = "KS-A013";
  d.identity.source = core::IdSource::IdCard;
  d.identity.name = "张秀英";
  d.identity.id_number = "410105195803120011";
  d.region_code = "410105";
  d.region_name = "河南省郑州市金水区";
  d.face = {{"passed", true}, {"score", 0.97}, {"quality", 0.9}, {"actions", {"blink", "nod"}}};
  return d;
}

}  // namespace

TEST_CASE("production services: HTTPS platform from platform.toml, outbox deferral by item, printer worker") {
  TempDir t;
  gen_cert(t.dir / "server.pem", t.dir / "server.key");
  platform::sim::SimOptions so;
  so.tls_cert = (t.dir / "server.pem").string();
  so.tls_key = (t.dir / "server.key").string();
  so.terminal_region = "410100";
  auto sim = std::make_unique<platform::sim::PlatformSim>(so);
  sim->start();
  REQUIRE(sim->url().rfind("https://", 0) == 0);

  fs::create_directories(t.dir / "config");
  {
    std::ofstream p(t.dir / "config" / "platform.toml");
    p << "[platform]\nbase_url = \"" << sim->url() << "\"\nterminal_id = \"T-STALE\"\n"
      << "ca_file = \"" << (t.dir / "server.pem").string() << "\"\nconnect_timeout_ms = 500\n"
      << "total_timeout_ms = 2000\nmax_attempts = 1\n"
      << "[outbox]\ndeferrable_items = [\"KS-A013\"]\nretry_interval_ms = 200\n";
  }
  core::KioskConfig cfg;
  cfg.terminal_id = "ZZ-4101-0007";
  cfg.region_code = "410100";
  cfg.config_dir = (t.dir / "config").string();
  cfg.data_dir = (t.dir / "data").string();
  fs::create_directories(cfg.data_dir);

  core::EventQueue queue;
  print::PrintService::Options po;
  po.data_dir = (t.dir / "print").string();
  po.poll_interval = 100ms;
  po.max_attempts = 1;
  fs::create_directories(po.data_dir);
  auto printer = hw::PrinterWorker::demo(po);
  printer->start(queue);

  auto svc = app::Services::production(cfg, queue, printer.get());
  CHECK(svc->deferrable_certifications == std::set<std::string>{"KS-A013"});

  SECTION("a query goes over verified TLS and answers with a transaction number") {
    svc->platform_call("record_query:rights_record", resident());
    auto c = next_command(queue, "platform.reply");
    REQUIRE(c);
    auto j = nlohmann::json::parse(c->arg);
    CHECK(j["ok"] == true);
    CHECK(j["error"] == "");
    CHECK_FALSE(j["transaction_number"].get<std::string>().empty());
  }

  SECTION("a receipt goes to the printer worker; its outcome becomes the flow's print.result") {
    auto d = resident();
    d.transaction_number = "T20261123000001";
    svc->print("service_receipt_80", d, "领取养老金人员待遇资格认证");
    auto c = next_command(queue, "print.result");
    REQUIRE(c);
    CHECK(c->arg == "printed");
    CHECK(printer->simulator()->wait_for_cuts(1, 5s));
  }

  SECTION("platform down: a deferrable certification is queued, another item fails clearly") {
    sim.reset();
    svc->platform_call("certification_submit", resident());
    auto c = next_command(queue, "platform.reply");
    REQUIRE(c);
    auto j = nlohmann::json::parse(c->arg);
    CHECK(j["ok"] == true);
    CHECK(j["code"] == "DEFERRED");
    CHECK(svc->outbox_store()->pending_count() == 1);

    auto other = resident();
    other.item_code = "KS-B017";
    svc->platform_call("certification_submit", other);
    c = next_command(queue, "platform.reply");
    REQUIRE(c);
    j = nlohmann::json::parse(c->arg);
    CHECK(j["ok"] == false);
    CHECK_FALSE(j["error"].get<std::string>().empty());
  }
  svc.reset();
  printer->stop();
}

TEST_CASE("production services: print without a printer fails at once; outcome translation") {
  TempDir t;
  fs::create_directories(t.dir / "config");
  std::ofstream(t.dir / "config" / "platform.toml") << "[platform]\nbase_url = \"https://127.0.0.1:9\"\n";
  core::KioskConfig cfg;
  cfg.config_dir = (t.dir / "config").string();
  cfg.data_dir = (t.dir / "data").string();
  core::EventQueue queue;
  auto svc = app::Services::production(cfg, queue, nullptr);
  svc->print("service_receipt_80", resident(), "x");
  auto c = next_command(queue, "print.result", 2s);
  REQUIRE(c);
  CHECK(c->arg == "failed no printer");
}

TEST_CASE("production services: a malformed platform.toml is refused with its file name") {
  TempDir t;
  fs::create_directories(t.dir / "config");
  std::ofstream(t.dir / "config" / "platform.toml") << "[platform\nbase_url = 1\n";
  core::KioskConfig cfg;
  cfg.config_dir = (t.dir / "config").string();
  cfg.data_dir = (t.dir / "data").string();
  core::EventQueue queue;
  try {
    (void)app::Services::production(cfg, queue, nullptr);
    FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("platform.toml") != std::string::npos);
  }
}
