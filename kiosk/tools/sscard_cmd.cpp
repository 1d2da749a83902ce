// kioskctl sscard: read a live card (masked), decode / replay an APDU log, run the card simulator
// behind vsmartcard-vpcd.
#include <csignal>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "drivers/sscard/ccid_reader.hpp"
#include "drivers/sscard/pcsc_terminal.hpp"
#include "drivers/sscard/sim/vpcd_card.hpp"
#include "drivers/sscard/sscard_app.hpp"
#include "drivers/sscard/usb_port.hpp"
#include "kiosk/core/mask.hpp"
#include "kiosk/tools/command_registry.hpp"

namespace {

using namespace kiosk;
using namespace kiosk::sscard;
using nlohmann::json;

json card_json(const SocialSecurityCard& c, bool unmasked) {
  auto id = [&](const std::string& s) { return unmasked ? s : core::mask_id(s); };
  json j = {{"generation", c.generation},
            {"spec_version", c.spec_version},
            {"card_type", c.card_type},
            {"region_code", c.region_code},
            {"issue_date", c.issue_date},
            {"valid_until", c.valid_until},
            {"card_number", id(c.card_number)},
            {"ss_number", id(c.ss_number)},
            {"name", unmasked ? c.name : core::mask_name(c.name)},
            {"gender", c.gender},
            {"nation", c.nation},
            {"birth_place", c.birth_place},
            {"birth_date",
             unmasked ? c.birth_date
                      : c.birth_date.substr(0, std::min<std::size_t>(4, c.birth_date.size())) + "****"}};
  if (!c.needs_psam.empty()) {
    json t = json::array();
    for (auto tag : c.needs_psam) t.push_back(hex(std::span(&tag, 1)));
    j["needs_psam"] = t;
  }
  return j;
}

// Plays back a recorded exchange: each transmit must match the next "> " line; answers the "< " line.
class ReplayTerminal : public CardTerminal {
 public:
  explicit ReplayTerminal(std::vector<std::pair<Bytes, Bytes>> x) : x_(std::move(x)) {}
  SlotEvent wait_event(Millis) override { return SlotEvent::None; }
  bool card_present() override { return true; }
  Atr power_on() override { return parse_atr(from_hex("3B6D000000810088438665330100000000")); }
  void power_off() override {}
  Bytes transmit(std::span<const std::uint8_t> c) override {
    if (i_ >= x_.size()) throw SsCardError(ErrorKind::Protocol, "log ended before the app finished");
    const auto& [cmd, resp] = x_[i_++];
    if (Bytes(c.begin(), c.end()) != cmd && !(cmd.size() > 5 && cmd[1] == 0x20))
      throw SsCardError(ErrorKind::Protocol,
                        "command " + std::to_string(i_) + " differs from the log: " + hex(c));
    return resp;
  }
  bool extended_length() const override { return false; }
  int protocol() const override { return 0; }
  std::string describe() const override { return "replay"; }

 private:
  std::vector<std::pair<Bytes, Bytes>> x_;
  std::size_t i_ = 0;
};

std::string describe_command(const Command& c) {
  auto p = [](std::uint8_t b) { return hex(std::span(&b, 1)); };
  switch (c.ins) {
    case 0xA4:
      if (c.p1 == 0x04) return c.data == kSsseName ? "SELECT SSSE by name" : "SELECT by DF name";
      return "SELECT " + hex(c.data);
    case 0xB2: {
      const int sfi = c.p2 >> 3, mode = c.p2 & 7;
      std::string s = "READ RECORD " + p(c.p1) + (sfi ? " SFI " + std::to_string(sfi) : " current EF");
      s += mode == 0 ? " by identifier" : mode == 4 ? " by number" : mode == 5 ? " all from P1" : " mode ?";
      return s;
    }
    case 0xC0:
      return "GET RESPONSE";
    case 0x20:
      return "VERIFY (PIN redacted)";
    case 0x84:
      return "GET CHALLENGE";
    case 0x82:
      return "EXTERNAL AUTHENTICATE";
    default:
      return "INS " + p(c.ins);
  }
}

int apdu_log(const std::string& path, bool replay, bool unmasked) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot open " << path << "\n";
    return 2;
  }
  std::vector<std::pair<Bytes, Bytes>> x;
  std::string line;
  int n = 0;
  try {
    Bytes pending;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty() || line[0] == '#') continue;
      if (line.size() < 2 || (line[0] != '>' && line[0] != '<'))
        throw SsCardError(ErrorKind::Parse, "line " + std::to_string(n) + ": expected '> hex' or '< hex'");
      Bytes b = from_hex(line.substr(1));
      if (line[0] == '>') {
        Command c = parse_command(b);
        std::cout << "> " << describe_command(c) << "\n";
        pending = std::move(b);
      } else {
        Response r = parse_response(b);
        std::cout << "<   " << describe_sw(r.sw) << ", " << r.data.size() << " data bytes";
        if (r.ok() && !pending.empty() && pending[1] == 0xB2 && !r.data.empty()) {
          try {
            for (auto& rec : parse_simple_tlv(r.data)) {
              std::cout << " [tag " << hex(std::span(&rec.tag, 1)) << " len " << rec.value.size() << "]";
            }
          } catch (const SsCardError& e) {
            std::cout << " [not TLV: " << e.what() << "]";
          }
        }
        std::cout << "\n";
        x.emplace_back(std::move(pending), std::move(b));
        pending.clear();
      }
    }
  } catch (const SsCardError& e) {
    std::cerr << path << ": " << e.what() << "\n";
    return 2;
  }
  std::cout << x.size() << " exchanges\n";
  if (!replay) return 0;
  try {
    ReplayTerminal t(std::move(x));
    SsCardApp app(t);
    auto c = app.read();
    std::cout << card_json(c, unmasked).dump(2) << "\n";
    c.wipe();
  } catch (const SsCardError& e) {
    std::cerr << "replay: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

int live_read(const std::string& backend, const std::string& reader, int slot, int wait_s, bool unmasked,
              const std::string& log_path) {
  try {
    std::unique_ptr<CardTerminal> term;
    if (backend == "pcsc") {
      term = std::make_unique<PcscTerminal>(PcscOptions{reader});
    } else {
      auto r = std::make_shared<CcidReader>(open_usb_ccid({}));
      std::cerr << "reader: " << ccid::to_string(r->descriptor().exchange_level()) << ", "
                << r->descriptor().slots() << " slot(s), max message " << r->descriptor().max_message_length
                << "\n";
      term = std::make_unique<CcidTerminal>(r, static_cast<std::uint8_t>(slot));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
    while (!term->card_present()) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::cerr << "no card (请插入社会保障卡 / insert the social security card)\n";
        return 3;
      }
      term->wait_event(std::chrono::milliseconds(500));
    }
    const Atr atr = term->power_on();
    std::cerr << "ATR " << hex(atr.raw, true) << " (T=" << term->protocol() << ")\n";
    SsCardApp app(*term);
    std::ofstream log;
    if (!log_path.empty()) {
      log.open(log_path);  // contains personal data: for the technician's bench only
      app.channel().set_trace(
          [&](bool out, std::span<const std::uint8_t> b) { log << (out ? "> " : "< ") << hex(b) << "\n"; });
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto c = app.read();
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    json j = card_json(c, unmasked);
    j["apdus"] = app.channel().apdus();
    j["read_mode"] = to_string(app.mode_used());
    j["read_ms"] = ms;
    std::cout << j.dump(2) << "\n";
    c.wipe();
    return 0;
  } catch (const SsCardError& e) {
    std::cerr << "sscard: " << core::scrub(e.what()) << "\n";
    return 1;
  }
}

volatile std::sig_atomic_t g_stop = 0;

int run_sim(const std::string& fixture, int port, int seconds) {
  try {
    auto card = std::make_shared<sim::SsCardModel>(fixture.find('/') != std::string::npos
                                                       ? sim::load_fixture(fixture)
                                                       : sim::load_named_fixture(fixture));
    sim::VpcdCard v(card, "127.0.0.1", port);
    v.start(std::chrono::seconds(5));
    std::cerr << "card '" << fixture << "' connected to vpcd on 127.0.0.1:" << port
              << " (Ctrl-C to remove)\n";
    std::signal(SIGINT, [](int) { g_stop = 1; });
    std::signal(SIGTERM, [](int) { g_stop = 1; });
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!g_stop && (seconds <= 0 || std::chrono::steady_clock::now() < end))
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::cerr << v.apdus() << " APDUs served\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "sscard sim: " << e.what() << "\n";
    return 1;
  }
}

tools::CommandRegistrar reg("sscard", [](CLI::App& root) {
  struct State {
    std::string backend = "ccid", reader, file, fixture = "gen2", log;
    int slot = 0, wait = 10, port = 35963, seconds = 0;
    bool unmasked = false, replay = false;
  };
  auto st = std::make_shared<State>();
  auto* cmd =
      root.add_subcommand("sscard", "社会保障卡 reader: live read, APDU log decode/replay, simulator");
  cmd->require_subcommand(1);

  auto* rd = cmd->add_subcommand("read", "read SSSE EF05/EF06 from a card in a reader (masked output)");
  rd->add_option("--backend", st->backend, "ccid (libusb) or pcsc")->check(CLI::IsMember({"ccid", "pcsc"}));
  rd->add_option("--reader", st->reader, "PC/SC reader name substring");
  rd->add_option("--slot", st->slot, "CCID slot");
  rd->add_option("--wait", st->wait, "seconds to wait for a card");
  rd->add_option("--apdu-log", st->log,
                 "write the APDU exchange to FILE (contains personal data; PIN redacted)");
  rd->add_flag("--unmasked", st->unmasked, "print personal data unmasked (technician bench only)");
  rd->callback([st] {
    tools::exit_code() = live_read(st->backend, st->reader, st->slot, st->wait, st->unmasked, st->log);
  });

  auto* ap = cmd->add_subcommand(
      "apdu", "decode an APDU log ('> C-APDU' / '< R-APDU' hex lines); --replay runs the app on it");
  ap->add_option("file", st->file, "log file")->required();
  ap->add_flag("--replay", st->replay,
               "feed the recorded answers to the 社保卡 app and print the (masked) card");
  ap->add_flag("--unmasked", st->unmasked, "with --replay: unmasked output");
  ap->callback([st] { tools::exit_code() = apdu_log(st->file, st->replay, st->unmasked); });

  auto* sm = cmd->add_subcommand("sim", "serve a card model to vsmartcard-vpcd (pcscd) as a virtual 社保卡");
  sm->add_option("--fixture", st->fixture, "fixture name (tests/data/sscard) or path");
  sm->add_option("--port", st->port, "vpcd port (35963 reader 0, 35964 reader 1)");
  sm->add_option("--seconds", st->seconds, "stop after N seconds (0 = until Ctrl-C)");
  sm->callback([st] { tools::exit_code() = run_sim(st->fixture, st->port, st->seconds); });
});

}  // namespace
