// Outbox delivery end to end: deferred submission while offline, delivery after recovery, and the
// crash test — kill -9 the "kiosk" between enqueue and delivery, restart, the platform sees the
// certification exactly once.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "kiosk/platform/curl_client.hpp"
#include "kiosk/platform/messages.hpp"
#include "kiosk/platform/outbox_sender.hpp"
#include "kiosk/platform/sim/platform_sim.hpp"

extern char** environ;

using namespace kiosk::platform;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/kiosk_outbox_XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  kiosk::store::StoreConfig store() const {
    return {(path / "store.db").string(), (path / "device.key").string()};
  }
};

ClientConfig cfg_for(const std::string& url) {
  ClientConfig c;
  c.base_url = url;
  c.production = false;
  c.terminal_id = "T-OUTBOX-01";
  c.connect_timeout = 300ms;
  c.total_timeout = 2000ms;
  c.max_attempts = 2;
  c.backoff_base = 10ms;
  c.backoff_max = 20ms;
  return c;
}

CertificationSubmitRequest cert_zhang() {
  CertificationSubmitRequest c;
  c.item_code = "RS-001";
  c.id_number = "410105195803120011";
  c.name = "张建国";
  c.insured_region = "410100";
  c.face_image_base64 = "/9j/4AAQ";
  c.face_quality = 0.9;
  c.liveness = {true, 0.95, {"blink", "nod"}};
  return c;
}

SubmitOutcome submit_sync(Submitter& s, Request r, bool allow_deferred) {
  std::promise<SubmitOutcome> p;
  s.submit(std::move(r), allow_deferred, "certification 张*国 4101**********0011",
           [&](SubmitOutcome o) { p.set_value(std::move(o)); });
  return p.get_future().get();
}

// Runs the helper; returns its pid and the idempotency key it printed.
std::pair<pid_t, std::string> spawn_helper(const TempDir& d, const std::string& url, const char* mode) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  auto cfg = d.store();
  std::string exe = OUTBOX_CRASH_HELPER;
  std::vector<std::string> args = {exe, cfg.db_path, cfg.key_file, url, mode};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  std::string line;
  char ch;
  while (::read(fds[0], &ch, 1) == 1 && ch != '\n') line += ch;  // blocks until the helper prints
  ::close(fds[0]);
  REQUIRE(line.rfind("ENQUEUED idem-", 0) == 0);
  return {pid, line.substr(9)};
}

void kill9(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
}
}  // namespace

TEST_CASE("offline: a deferrable submission is accepted, stored encrypted and delivered once later") {
  TempDir d;
  kiosk::store::Store store(d.store());
  sim::PlatformSim platform;
  platform.start();
  // The platform is "down": every request gets 503 until cleared.
  platform.inject(std::nullopt, {sim::Fault::Kind::Status, 0, 503}, 1000);
  CurlPlatformClient client(cfg_for(platform.url()));
  Submitter submitter(client, &store);

  auto req = make_request(Endpoint::CertificationSubmit, "T-OUTBOX-01", cert_zhang());
  const auto key = req.idempotency_key;
  auto o = submit_sync(submitter, req, true);
  CHECK(o.kind == SubmitOutcome::Kind::Deferred);
  CHECK(o.message.zh == "已受理，网络恢复后自动提交");
  CHECK(store.pending_count() == 1);
  CHECK(platform.certifications_for("410105195803120011") == 0);

  // The same item without deferral allowed: a clear failure with next steps.
  auto not_deferrable = make_request(Endpoint::CertificationSubmit, "T-OUTBOX-01", cert_zhang());
  auto f = submit_sync(submitter, not_deferrable, false);
  CHECK(f.kind == SubmitOutcome::Kind::Failed);
  CHECK(f.response.error.kind == ErrorKind::Server);
  CHECK(f.message.zh.find("稍后再试") != std::string::npos);
  CHECK(store.pending_count() == 1);

  OutboxSender sender(store, client, cfg_for(platform.url()), &submitter);
  auto pass = sender.deliver_due();
  CHECK(pass.retry == 1);
  CHECK(store.pending_count() == 1);

  platform.clear_faults();
  pass = sender.deliver_due(kiosk::store::now_ms() + 3'600'000);  // past its backoff
  CHECK(pass.delivered == 1);
  CHECK(store.pending_count() == 0);
  auto item = store.find(key);
  REQUIRE(item);
  CHECK(item->state == kiosk::store::OutboxState::Delivered);
  CHECK(item->transaction_number.rfind("YW", 0) == 0);
  CHECK(platform.certifications_for("410105195803120011") == 1);
  CHECK(platform.applied_count(key) == 1);
  // A further pass has nothing to do.
  CHECK(sender.deliver_due(kiosk::store::now_ms() + 7'200'000).delivered == 0);
}

TEST_CASE("online: a deferrable submission goes live and the outbox row is closed") {
  TempDir d;
  kiosk::store::Store store(d.store());
  sim::PlatformSim platform;
  platform.start();
  CurlPlatformClient client(cfg_for(platform.url()));
  Submitter submitter(client, &store);
  auto o = submit_sync(submitter, make_request(Endpoint::CertificationSubmit, "T", cert_zhang()), true);
  REQUIRE(o.kind == SubmitOutcome::Kind::Done);
  CHECK(o.response.reply.transaction_number.rfind("YW", 0) == 0);
  CHECK(store.pending_count() == 0);
  CHECK(store.list(kiosk::store::OutboxState::Delivered).size() == 1);
  // A business rejection is final: no redelivery.
  auto bad = cert_zhang();
  bad.insured_region = "130100";
  auto r = submit_sync(submitter, make_request(Endpoint::CertificationSubmit, "T", bad), true);
  CHECK(r.kind == SubmitOutcome::Kind::Failed);
  CHECK(r.response.reply.code == "REGION_MISMATCH");
  CHECK(r.message.zh == "参保地不符，请选择正确的参保地");
  CHECK(store.pending_count() == 0);
  CHECK(store.list(kiosk::store::OutboxState::Failed).size() == 1);
}

TEST_CASE("crash: kill -9 after the platform committed but before the reply; restart delivers exactly once") {
  TempDir d;
  sim::PlatformSim platform;
  platform.start();
  // The platform applies the certification, then holds the reply long enough for the kill.
  platform.inject(Endpoint::CertificationSubmit, {sim::Fault::Kind::DelayAfter, 3000, 0}, 1);
  auto [pid, key] = spawn_helper(d, platform.url(), "send");
  // Wait (bounded) until the platform has committed the certification.
  for (int i = 0; i < 200 && platform.applied_count(key) == 0; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(platform.applied_count(key) == 1);
  kill9(pid);

  // "Restart": a new process image would open the same files; here a fresh Store + client.
  kiosk::store::Store store(d.store());
  REQUIRE(store.pending_count() == 1);
  CurlPlatformClient client(cfg_for(platform.url()));
  OutboxSender sender(store, client, cfg_for(platform.url()));
  auto pass = sender.deliver_due();
  CHECK(pass.delivered == 1);
  CHECK(store.pending_count() == 0);
  CHECK(platform.applied_count(key) == 1);
  CHECK(platform.certifications_for("440305195906300070") == 1);
  CHECK(platform.stats().replays == 1);  // the redelivery was answered from the first commit
  CHECK(platform.stats().requests["certification_submit"] == 2);
}

TEST_CASE("crash: kill -9 right after the durable enqueue, before any send; restart delivers once") {
  TempDir d;
  sim::PlatformSim platform;
  platform.start();
  auto [pid, key] = spawn_helper(d, platform.url(), "hold");
  kill9(pid);
  CHECK(platform.stats().requests["certification_submit"] == 0);

  kiosk::store::Store store(d.store());
  CurlPlatformClient client(cfg_for(platform.url()));
  OutboxSender sender(store, client, cfg_for(platform.url()));
  CHECK(sender.deliver_due().delivered == 1);
  CHECK(sender.deliver_due().delivered == 0);
  CHECK(platform.applied_count(key) == 1);
  CHECK(platform.certifications_for("440305195906300070") == 1);
  CHECK(platform.stats().replays == 0);
  // The outbox file never held the resident's ID number or name in clear.
  std::string all;
  for (auto& e : fs::directory_iterator(d.path)) {
    std::ifstream in(e.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), {});
  }
  CHECK(all.find("440305195906300070") == std::string::npos);
  CHECK(all.find("孙国华") == std::string::npos);
}

TEST_CASE("background sender delivers on start and closes rejected items") {
  TempDir d;
  kiosk::store::Store store(d.store());
  sim::PlatformSim platform;
  platform.start();
  auto req = make_request(Endpoint::Rating, "T", RatingRequest{"YW-unknown", 5, ""});
  store.enqueue("rating", req.idempotency_key, encode_request(req), "rating");
  CurlPlatformClient client(cfg_for(platform.url()));
  OutboxSender sender(store, client, cfg_for(platform.url()));
  sender.start(10s);
  for (int i = 0; i < 300 && store.pending_count() > 0; ++i) std::this_thread::sleep_for(10ms);
  sender.stop();
  CHECK(store.pending_count() == 0);
  // Unknown transaction number: the platform rejects it; the row is closed as failed, not retried forever.
  auto item = store.find(req.idempotency_key);
  REQUIRE(item);
  CHECK(item->state == kiosk::store::OutboxState::Failed);
  CHECK(item->last_error == "rejected: NOT_FOUND");
}
