// kioskctl idcard: decode captured GA 467 answers, read a live reader, run the simulator on a pty.
#include <csignal>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <thread>

#include "drivers/idcard/card_text.hpp"
#include "drivers/idcard/codec.hpp"
#include "drivers/idcard/reader.hpp"
#include "drivers/idcard/region.hpp"
#include "drivers/idcard/sim/simulator.hpp"
#include "drivers/transport/serial.hpp"
#include "drivers/transport/usb.hpp"
#include "kiosk/core/mask.hpp"
#include "kiosk/tools/command_registry.hpp"

namespace {

using namespace kiosk;
using nlohmann::json;

std::string region_name(const std::string& code) {
  if (code.empty()) return "";
  try {
    if (auto r = idcard::RegionTable::default_table().lookup(code)) return r->full_name();
  } catch (const std::exception&) {
  }
  return "";
}

json document_json(const idcard::IdentityDocument& d, bool unmasked) {
  auto id = [&](const std::string& s) { return unmasked ? s : core::mask_id(s); };
  auto name = [&](const std::string& s) { return unmasked ? s : core::mask_name(s); };
  auto text = [&](const std::string& s) { return unmasked || s.empty() ? s : std::string("(masked)"); };
  json j = {{"kind", idcard::to_string(d.kind)},
            {"name", name(d.name)},
            {"gender", d.gender},
            {"birth_date", unmasked ? d.birth_date : d.birth_date.substr(0, 4) + "****"},
            {"id_number", id(d.id_number)},
            {"valid_from", d.valid_from},
            {"valid_until", d.valid_until}};
  if (!d.name_en.empty()) j["name_en"] = name(d.name_en);
  if (!d.ethnicity.empty()) j["ethnicity"] = d.ethnicity;
  if (!d.address.empty()) j["address"] = text(d.address);
  if (!d.issuing_authority.empty()) j["issuing_authority"] = d.issuing_authority;
  if (!d.nationality.empty()) j["nationality"] = d.nationality;
  if (!d.pass_number.empty()) j["pass_number"] = id(d.pass_number);
  if (!d.issue_count.empty()) j["issue_count"] = d.issue_count;
  if (!d.card_version.empty()) j["card_version"] = d.card_version;
  if (!d.region_code.empty()) {
    j["region_code"] = d.region_code;
    j["region"] = region_name(d.region_code);
  }
  j["id_check"] = idcard::to_string(idcard::check_id_number(d.id_number));
  return j;
}

idcard::Bytes read_input(const std::string& path) {
  std::string raw;
  if (path == "-") {
    raw.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    raw.assign(std::istreambuf_iterator<char>(in), {});
  }
  bool texty = !raw.empty();
  for (unsigned char c : raw)
    if (!(std::isxdigit(c) || std::isspace(c) || c == ',' || c == 'x' || c == 'X' || c == ':')) texty = false;
  if (texty) return idcard::from_hex(raw);
  return idcard::Bytes(raw.begin(), raw.end());
}

// Decodes every frame in the input; returns the number of bad frames.
int decode(const std::string& path, bool unmasked, bool with_fp) {
  idcard::Bytes buf = read_input(path);
  json frames = json::array();
  int bad = 0, index = 0;
  std::size_t off = 0;
  while (off < buf.size()) {
    auto s = idcard::scan_frame(std::span(buf).subspan(off), 4);
    if (s.kind == idcard::Scan::Kind::NeedMore) {
      if (off + s.consumed < buf.size()) {
        std::cerr << "idcard decode: frame " << index + 1 << ": truncated (" << buf.size() - off - s.consumed
                  << " bytes left, fewer than its LEN field announces)\n";
        ++bad;
      }
      break;
    }
    off += s.consumed;
    ++index;
    if (s.kind == idcard::Scan::Kind::Error) {
      std::cerr << "idcard decode: frame " << index << ": rejected: " << s.error << "\n";
      ++bad;
      continue;
    }
    auto r = idcard::parse_response(s.body);
    json f = {{"frame", index},
              {"skipped_bytes", s.skipped},
              {"sw1", r.sw1},
              {"sw2", r.sw2},
              {"sw3", idcard::to_hex(std::span(&r.sw3, 1))},
              {"status", idcard::describe_status(r.sw3)},
              {"data_length", r.data.size()}};
    if (r.sw3 == 0x90 && r.data.size() >= 1284) {
      try {
        const bool fp = with_fp || r.data.size() != 1284;
        auto rec = idcard::parse_base_record(r.data, fp);
        f["card"] = document_json(idcard::decode_text(rec.text), unmasked);
        f["photo_bytes"] = rec.photo.size();
        f["fingerprint_bytes"] = rec.fingerprint.size();
      } catch (const std::exception& e) {
        f["error"] = e.what();
        std::cerr << "idcard decode: frame " << index << ": " << e.what() << "\n";
        ++bad;
      }
    }
    frames.push_back(f);
  }
  if (index == 0 && bad == 0) {
    std::cerr << "idcard decode: no frame preamble AA AA AA 96 69 found\n";
    return 1;
  }
  std::cout << frames.dump(2) << "\n";
  return bad;
}

std::atomic<bool> g_stop{false};

int live_read(const std::string& port, int baud, const std::string& usb, int wait_s, bool unmasked) {
  std::unique_ptr<transport::Transport> t;
  if (!port.empty()) {
    t = transport::SerialPort::open(port, {baud});
  } else {
    transport::UsbOptions o;
    std::tie(o.vid, o.pid) = transport::parse_vid_pid(usb);
    t = transport::UsbTransport::open(o);
  }
  idcard::Reader r(*t);
  json out = {{"transport", t->describe()}};
  const auto st = r.sam_status();
  out["sam_status"] = idcard::describe_status(st);
  try {
    out["sam_id"] = r.sam_id();
  } catch (const std::exception& e) {
    out["sam_id_error"] = e.what();
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  std::cerr << "请放置身份证 / place the ID card on the reader (" << wait_s << " s)\n";
  for (;;) {
    auto card = r.read_card();
    if (card) {
      out["card"] = document_json(card->document, unmasked);
      out["photo_bytes"] = card->photo_wlt.size();
      card->wipe();
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      out["card"] = nullptr;
      out["error"] = "no card within " + std::to_string(wait_s) + " s";
      std::cout << out.dump(2) << "\n";
      return 3;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  out["stats"] = {{"retries", r.stats().retries}, {"bad_frames", r.stats().bad_frames}};
  std::cout << out.dump(2) << "\n";
  return 0;
}

int run_sim(const std::string& fixture, int seconds) {
  idcard::sim::Simulator sim(idcard::sim::Simulator::Link::Pty, "kioskctl");
  auto cards = idcard::sim::load_fixtures(idcard::sim::default_fixture_path());
  if (!fixture.empty()) {
    bool found = false;
    for (auto& c : cards)
      if (c.id == fixture) {
        sim.place_card(c);
        found = true;
      }
    if (!found) throw std::runtime_error("no fixture '" + fixture + "'");
  }
  sim.start();
  std::cout << sim.pty_path() << std::endl;
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds > 0 ? seconds : 1'000'000);
  while (!g_stop && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  sim.stop();
  return 0;
}

int check_id(const std::string& id) {
  const auto& t = idcard::RegionTable::default_table();
  auto c = idcard::check_id_number(id, &t);
  json j = {{"id_number", core::mask_id(id)}, {"check", idcard::to_string(c)}};
  if (id.size() >= 6) {
    if (auto r = t.lookup(id.substr(0, 6))) {
      j["region_code"] = r->code;
      j["province"] = r->province;
      j["city"] = r->city;
      j["county"] = r->county;
      j["current_code"] = r->current;
    }
  }
  std::cout << j.dump(2) << "\n";
  return c == idcard::IdCheck::Ok ? 0 : 2;
}

struct State {
  std::string file = "-", port, usb, fixture, id;
  int baud = 115200, wait = 30, seconds = 0;
  bool unmasked = false, fingerprint = false, pty = true;
};

tools::CommandRegistrar reg("idcard", [](CLI::App& root) {
  auto st = std::make_shared<State>();
  auto* cmd = root.add_subcommand("idcard", "居民身份证 reader (GA 467): decode, live read, simulator");
  cmd->require_subcommand(1);

  auto* dec =
      cmd->add_subcommand("decode", "decode answer frames (hex or binary) to JSON, masked by default");
  dec->add_option("file", st->file, "file with answer frames, or - for stdin")->default_val("-");
  dec->add_flag("--unmasked", st->unmasked, "show full personal data (technicians only)");
  dec->add_flag("--fingerprint", st->fingerprint, "answers are 30 10 (with fingerprint length)");
  dec->callback([st] { tools::exit_code() = decode(st->file, st->unmasked, st->fingerprint) ? 2 : 0; });

  auto* rd = cmd->add_subcommand("read", "read one card from a connected reader");
  auto* port = rd->add_option("--port", st->port, "serial port, e.g. /dev/ttyUSB0");
  rd->add_option("--baud", st->baud, "baud rate")->default_val(115200);
  auto* usb = rd->add_option("--usb", st->usb, "USB reader VID:PID, e.g. 0400:C35A");
  port->excludes(usb);
  rd->add_option("--wait", st->wait, "seconds to wait for a card")->default_val(30);
  rd->add_flag("--unmasked", st->unmasked, "show full personal data (technicians only)");
  rd->callback([st] {
    if (st->port.empty() && st->usb.empty()) throw CLI::ValidationError("read", "give --port or --usb");
    tools::exit_code() = live_read(st->port, st->baud, st->usb, st->wait, st->unmasked);
  });

  auto* sim = cmd->add_subcommand("sim", "run the GA 467 simulator on a pseudo-terminal (prints its path)");
  sim->add_flag("--pty", st->pty, "serve on a pty (the only link available outside the process)");
  sim->add_option("--card", st->fixture, "fixture id to place (tests/data/idcard/cards.json)");
  sim->add_option("--seconds", st->seconds, "stop after N seconds (default: until Ctrl-C)");
  sim->callback([st] { tools::exit_code() = run_sim(st->fixture, st->seconds); });

  auto* chk =
      cmd->add_subcommand("check-id", "validate an ID number (GB 11643) and name its region (GB/T 2260)");
  chk->add_option("id", st->id, "ID number")->required();
  chk->callback([st] { tools::exit_code() = check_id(st->id); });
});

}  // namespace
