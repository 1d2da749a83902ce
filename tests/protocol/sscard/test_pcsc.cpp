// The PC/SC backend (libpcsclite) against a real pcscd + vsmartcard-vpcd, with the card model
// connected to vpcd by sim::VpcdCard. The test confines pcscd itself: it re-runs this binary inside
// new user + mount + network namespaces (tmpfs on /run for /run/pcscd, private loopback for vpcd's
// port 35963), starts pcscd there and stops it at the end. Skips (only this case) when that cannot run.
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "drivers/sscard/pcsc_terminal.hpp"
#include "drivers/sscard/sim/vpcd_card.hpp"
#include "drivers/sscard/sscard_app.hpp"

using namespace kiosk::sscard;
using namespace std::chrono_literals;

namespace {
const char* kPcscd = "/usr/sbin/pcscd";
const char* kVpcdDriver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
const char* kUnshare = "/usr/bin/unshare";

int run_child(const std::vector<std::string>& argv, bool quiet) {
  pid_t pid = fork();
  if (pid == 0) {
    if (quiet) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
    }
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execv(a[0], a.data());
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

bool loopback_up() {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return false;
  ifreq ifr{};
  std::snprintf(ifr.ifr_name, IFNAMSIZ, "lo");
  bool ok = ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  ok = ok && ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
  close(s);
  return ok;
}

template <class F>
bool eventually(F&& f, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}
}  // namespace

TEST_CASE("PC/SC backend: pcscd + vpcd + card model (gen-2 T=0, gen-3 T=1 + PSAM reader, card pulled)") {
  for (const char* p : {kPcscd, kVpcdDriver, kUnshare})
    if (!std::filesystem::exists(p)) {
      WARN("SKIPPED: " << p << " missing (install pcscd vsmartcard-vpcd util-linux)");
      return;
    }
  // Can this machine create the namespaces at all?
  if (run_child({kUnshare, "--user", "--map-root-user", "--mount", "--net", "/bin/true"}, true) != 0) {
    WARN("SKIPPED: cannot create user/mount/net namespaces here, so pcscd cannot run confined");
    return;
  }
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const int rc = run_child({kUnshare, "--user", "--map-root-user", "--mount", "--net", "--", self,
                            "[pcsc-inner]", "--reporter", "compact"},
                           false);
  REQUIRE(rc == 0);
}

TEST_CASE("PC/SC inside the namespaces", "[.][pcsc-inner]") {
  REQUIRE(loopback_up());
  REQUIRE(mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") == 0);
  REQUIRE(mkdir("/run/pcscd", 0755) == 0);
  pid_t pcscd = fork();
  if (pcscd == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(kPcscd, kPcscd, "-f", static_cast<char*>(nullptr));
    _exit(127);
  }
  REQUIRE(pcscd > 0);
  struct Stop {
    pid_t pid;
    bool done = false;
    void now() {
      if (done) return;
      done = true;
      kill(pid, SIGTERM);
      int st;
      waitpid(pid, &st, 0);
    }
    ~Stop() { now(); }
  } stop{pcscd};

  REQUIRE(eventually([] {
    try {
      return pcsc_list_readers().size() >= 2;
    } catch (const SsCardError&) {
      return false;
    }
  }));

  auto gen2 = std::make_shared<sim::SsCardModel>(sim::load_named_fixture("gen2"));
  {
    sim::VpcdCard vcard(gen2, "127.0.0.1", 35963);
    PcscTerminal term(PcscOptions{"Virtual PCD 00 00"});
    vcard.start(5s);
    REQUIRE(eventually([&] { return term.card_present(); }));
    CHECK(term.wait_event(2s) == SlotEvent::CardInserted);
    const Atr atr = term.power_on();
    CHECK(atr.t0);
    CHECK(term.protocol() == 0);  // pcscd chose T=0 from the ATR
    SsCardApp app(term);
    auto c = app.read();
    CHECK(c.name == "张三丰");
    CHECK(c.ss_number == "410101199001011234");
    CHECK(c.region_code == "410100");
    CHECK(c.generation == 2);
    CHECK(app.channel().apdus() == 5);  // 61xx and 6Cxx came through pcscd untouched and were handled
    std::string pin = "123450";
    auto wrong = app.verify_pin(pin);
    CHECK(wrong.kind == PinResult::Kind::Wrong);
    CHECK(wrong.tries_left == 2);
    pin = "123456";
    CHECK(app.verify_pin(pin).kind == PinResult::Kind::Ok);
    // Card pulled: vpcd loses its card.
    vcard.stop();
    CHECK(eventually([&] { return !term.card_present(); }));
    try {
      app.read();
      FAIL("read after the card was pulled");
    } catch (const SsCardError& e) {
      CHECK((e.kind() == ErrorKind::NoCard || e.kind() == ErrorKind::Mute || e.kind() == ErrorKind::Io));
    }
  }
  {
    auto fx = sim::load_named_fixture("gen3");
    sim::VpcdCard vcard(std::make_shared<sim::SsCardModel>(fx), "127.0.0.1", 35963);
    sim::VpcdCard vpsam(std::make_shared<sim::PsamModel>(fx.psam_key), "127.0.0.1", 35964);
    vcard.start(5s);
    vpsam.start(5s);
    PcscTerminal term(PcscOptions{"Virtual PCD 00 00"});
    PcscTerminal psam_term(PcscOptions{"Virtual PCD 00 01"});
    REQUIRE(eventually([&] { return term.card_present() && psam_term.card_present(); }));
    const Atr atr = term.power_on();
    CHECK(atr.t1);
    CHECK(term.protocol() == 1);
    PsamOnTerminal psam(psam_term);
    SsCardApp app(term, &psam);
    auto c = app.read();
    CHECK(c.generation == 3);
    CHECK(c.name == "欧阳娜娜");
    CHECK(c.gender == "女");
    CHECK(c.needs_psam.empty());
    // The same card without a PSAM reports what it could not read.
    SsCardApp bare(term);
    CHECK(bare.read().needs_psam == std::vector<std::uint8_t>{0x0A, 0x0B, 0x0C});
    // 6A82: a card without SSSE.
    vcard.stop();
    auto nf = sim::load_named_fixture("gen2");
    nf.ssse = false;
    sim::VpcdCard other(std::make_shared<sim::SsCardModel>(nf), "127.0.0.1", 35963);
    REQUIRE(eventually([&] { return !term.card_present(); }));
    other.start(5s);
    REQUIRE(eventually([&] { return term.card_present(); }));
    term.power_on();
    SsCardApp app2(term);
    try {
      app2.read();
      FAIL("read a card without SSSE");
    } catch (const SsCardError& e) {
      CHECK(e.kind() == ErrorKind::NotSsCard);
    }
  }
  {
    // A mute card (no ATR): pcscd never reports it present, so power-on says "no card".
    // A bad ATR: pcscd passes it on and our ATR parser rejects it, typed.
    auto mute = sim::load_named_fixture("gen2");
    mute.atr.clear();
    auto bad = sim::load_named_fixture("gen2");
    bad.atr = from_hex("3B6D0000008100");  // historical bytes cut short
    PcscTerminal term(PcscOptions{"Virtual PCD 00 00"});
    REQUIRE(eventually([&] { return !term.card_present(); }));
    {
      sim::VpcdCard vcard(std::make_shared<sim::SsCardModel>(mute), "127.0.0.1", 35963);
      vcard.start(5s);
      CHECK_FALSE(eventually([&] { return term.card_present(); }, 1s));
      try {
        term.power_on();
        FAIL("powered a card without an ATR");
      } catch (const SsCardError& e) {
        INFO(e.what());
        CHECK((e.kind() == ErrorKind::NoCard || e.kind() == ErrorKind::Mute));
      }
    }
    {
      sim::VpcdCard vcard(std::make_shared<sim::SsCardModel>(bad), "127.0.0.1", 35963);
      vcard.start(5s);
      REQUIRE(eventually([&] { return term.card_present(); }));
      try {
        term.power_on();
        FAIL("accepted a bad ATR");
      } catch (const SsCardError& e) {
        INFO(e.what());
        CHECK(e.kind() == ErrorKind::BadAtr);
      }
      vcard.stop();
      REQUIRE(eventually([&] { return !term.card_present(); }));
    }
    // The PC/SC service (and with it every reader) goes away: ReaderGone, not a hang or a crash.
    stop.now();
    try {
      term.card_present();
      term.power_on();
      FAIL("terminal still answers without pcscd");
    } catch (const SsCardError& e) {
      INFO(e.what());
      CHECK(e.kind() == ErrorKind::ReaderGone);
    }
  }
}
