// Headless end-to-end harness: a line-based script taps widgets by id, injects device events,
// advances the injected clock, checks what the screen shows and writes screenshots plus a JSON
// transcript. Commands:
//   tap ID                 tap a widget (the resident takes 1 s: the clock advances first)
//   tap_now ID             tap without waiting (tests ghost-tap rejection)
//   advance SECONDS        advance the clock second by second, running timers
//   expect_screen NAME     expect_text TEXT      expect_no_text TEXT
//   expect_widget ID       expect_no_widget ID    expect_no_violations
//   screenshot NAME        writes DIR/NAME.png
//   device KIND k=v ...    posts a DeviceEvent (id_card_read name= id= region= gender= birth=)
//   command NAME [ARG]     posts a Command (language en, elder on, reset)
//   press_hold ID|corner S press a widget (or the top-left corner) for S seconds, then release (technician
//   hook) face pass|fail|error [k=v ...]   answers the face step (score= quality= actions=a,b | reason=)
//   print_result printed|failed      answers a print step without the simulated printer
//   pin ok|wrong tries=N|blocked|no_card|error   answers the SS card PIN check (Effect::Kind::VerifyPin)
//   camera simulated|photo           the real vision pipeline on a simulated resident who cooperates
//                                    or holds up a photo (instead of `face pass|fail`)
//   wait_face action|done S          real time, up to S s: until an action is asked / the face step ends
//   expect_face_evidence             the passed attempt's best frame is in SessionData for the submit
//   platform down|up|fault SPEC [N]  embedded platform simulator: refuse everything (HTTP 503) / heal /
//                                    inject a fault (see platform::sim::parse_fault) into the next N calls
//   printer paper_out on|off         simulated receipt printer
//   expect_effect KIND [ARG]         an effect of that kind (and arg) happened since the previous step
//   expect_no_effect KIND [ARG]
// Platform calls and print jobs run for real against the simulators; every step waits for them.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "drivers/printer/sim/simulator.hpp"
#include "kiosk/app/app.hpp"
#include "kiosk/core/mask.hpp"
#include "kiosk/ui/ui_map.hpp"

namespace kiosk::app {

namespace {

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::string rest_after(const std::string& line, std::size_t nwords) {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < nwords; ++i) {
    pos = line.find_first_not_of(" \t", pos);
    pos = line.find_first_of(" \t", pos);
    if (pos == std::string::npos) return "";
  }
  pos = line.find_first_not_of(" \t", pos);
  return pos == std::string::npos ? "" : line.substr(pos);
}

struct Runner {
  App& app;
  core::ManualClock& clock;
  std::string out;
  nlohmann::json transcript = nlohmann::json::array();
  std::vector<std::string> failures;
  std::vector<std::string> violations;
  nlohmann::json recent_effects = nlohmann::json::array();  // of the latest step that had any

  // Waits (bounded) until the platform client and the printer have answered what was asked.
  void wait_services() {
    if (!app.services) return;
    for (int i = 0; i < 400 && app.services->in_flight() > 0; ++i) {
      app.queue.wait_for(std::chrono::milliseconds(25));
      app.pump();
    }
  }

  void settle() {
    for (int i = 0; i < 30; ++i) {
      wait_services();
      app.pump();
      app.ui->request_redraw(1);
      app.frame();
      if (!app.ui->needs_frame() && !app.ui->input().pending()) break;
    }
    app.frame();  // one more so the map reflects the final state
    for (auto& v : ui::check_frame(app.ui->map(), app.ui->theme())) {
      std::string tagged = app.ui->map().screen + ": " + v;
      if (std::find(violations.begin(), violations.end(), tagged) == violations.end())
        violations.push_back(tagged);
    }
  }

  void record(int lineno, const std::string& step) {
    const auto& m = app.ui->map();
    nlohmann::json texts = nlohmann::json::array(), widgets = nlohmann::json::array(),
                   boxes = nlohmann::json::array();
    for (auto& t : m.texts) {
      texts.push_back(t.text);
      boxes.push_back({{"text", t.text},
                       {"box", {t.box.x0, t.box.y0, t.box.x1, t.box.y1}},
                       {"em_mm", app.ui->theme().mm(t.em_px)}});
    }
    for (auto& w : m.widgets) widgets.push_back(w.id);
    transcript.push_back({{"line", lineno},
                          {"step", step},
                          {"screen", m.screen},
                          {"remaining_s", app.session->remaining_s()},
                          {"warning", app.session->warning()},
                          {"texts", texts},
                          {"widgets", widgets},
                          {"text_boxes", boxes},
                          {"effects", app.effects_log}});
    if (!app.effects_log.empty()) recent_effects = app.effects_log;
    app.effects_log = nlohmann::json::array();
  }

  void fail(int lineno, const std::string& msg) {
    failures.push_back("line " + std::to_string(lineno) + ": " + msg);
    spdlog::error("script line {}: {}", lineno, msg);
  }

  void tap(int lineno, const std::string& id, bool wait) {
    if (wait) {
      clock.advance_ms(1000);
      settle();
    }
    const ui::UiWidget* w = app.ui->map().find(id);
    if (!w) {
      std::string have;
      for (auto& x : app.ui->map().widgets) have += " " + x.id;
      fail(lineno, "no widget '" + id + "' on screen " + app.ui->map().screen + "; visible:" + have);
      return;
    }
    app.ui->input().inject_tap(w->box.cx(), w->box.cy(), clock.now_ms());
    settle();
  }

  void platform_step(int lineno, const std::vector<std::string>& w) {
    auto* sim = app.services ? app.services->sim() : nullptr;
    if (!sim) return fail(lineno, "no embedded platform simulator");
    if (w[1] == "down") {
      platform::sim::Fault f;
      f.kind = platform::sim::Fault::Kind::Status;
      f.status = 503;
      sim->inject(std::nullopt, f, 1'000'000);
    } else if (w[1] == "up") {
      sim->clear_faults();
    } else if (w[1] == "fault" && w.size() >= 3) {
      auto f = platform::sim::parse_fault(w[2]);
      if (!f) return fail(lineno, "bad fault spec " + w[2]);
      sim->inject(std::nullopt, *f, w.size() > 3 ? std::stoi(w[3]) : 1);
    } else {
      fail(lineno, "platform wants down|up|fault SPEC [N]");
    }
  }

  void device(int lineno, const std::vector<std::string>& w) {
    core::DeviceEvent d;
    std::map<std::string, std::string> kv;
    for (std::size_t i = 2; i < w.size(); ++i) {
      auto eq = w[i].find('=');
      if (eq != std::string::npos) kv[w[i].substr(0, eq)] = w[i].substr(eq + 1);
    }
    const std::string& kind = w[1];
    using K = core::DeviceEvent::Kind;
    if (kind == "id_card_read")
      d.kind = K::IdCardRead, d.device = "idcard";
    else if (kind == "id_card_removed")
      d.kind = K::IdCardRemoved, d.device = "idcard";
    else if (kind == "ss_card_inserted")
      d.kind = K::SsCardInserted, d.device = "sscard";
    else if (kind == "ss_card_removed")
      d.kind = K::SsCardRemoved, d.device = "sscard";
    else if (kind == "qr_scanned")
      d.kind = K::QrScanned, d.device = "scanner";
    else if (kind == "fault")
      d.kind = K::DeviceFault, d.device = kv["device"];
    else
      return fail(lineno, "unknown device event " + kind);
    d.identity.source = d.device == "sscard"    ? core::IdSource::SsCard
                        : d.device == "scanner" ? core::IdSource::QrVoucher
                                                : core::IdSource::IdCard;
    d.identity.name = kv["name"];
    d.identity.id_number = kv["id"];
    d.identity.region_code = kv["region"];
    d.identity.gender = kv["gender"];
    d.identity.birth_date = kv["birth"];
    d.identity.token = kv["token"];
    d.identity.card_number = kv["card"];
    if (d.device == "scanner")
      d.identity.document = d.identity.token.rfind("ES-", 0) == 0 ? core::DocumentType::ESsCard
                                                                  : core::DocumentType::MedicalVoucher;
    if (d.device == "sscard") d.identity.document = core::DocumentType::SocialSecurityCard;
    d.detail = kv["detail"];
    app.queue.post(d);
    settle();
  }

  int run(const std::string& script) {
    std::ifstream in(script);
    if (!in) {
      spdlog::error("cannot open script {}", script);
      return 2;
    }
    std::filesystem::create_directories(out);
    settle();
    record(0, "start");
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      auto w = words(line);
      if (w.empty() || w[0][0] == '#') continue;
      const std::string& cmd = w[0];
      std::string arg = rest_after(line, 1);
      if (cmd == "tap" && w.size() == 2)
        tap(lineno, w[1], true);
      else if (cmd == "tap_now" && w.size() == 2)
        tap(lineno, w[1], false);
      else if (cmd == "advance" && w.size() == 2) {
        int secs = std::stoi(w[1]);
        for (int i = 0; i < secs; ++i) {
          clock.advance_ms(1000);
          settle();
        }
      } else if (cmd == "expect_screen") {
        settle();
        if (app.ui->map().screen != arg)
          fail(lineno, "expected screen " + arg + ", showing " + app.ui->map().screen);
      } else if (cmd == "expect_text") {
        if (!app.ui->map().has_text(arg)) fail(lineno, "text not on screen: " + arg);
      } else if (cmd == "expect_no_text") {
        if (app.ui->map().has_text(arg)) fail(lineno, "text unexpectedly on screen: " + arg);
      } else if (cmd == "expect_widget") {
        if (!app.ui->map().find(arg)) fail(lineno, "widget not on screen: " + arg);
      } else if (cmd == "expect_no_widget") {
        if (app.ui->map().find(arg)) fail(lineno, "widget unexpectedly on screen: " + arg);
      } else if (cmd == "expect_no_violations") {
        for (auto& v : violations) fail(lineno, "accessibility: " + v);
      } else if (cmd == "screenshot" && w.size() == 2) {
        settle();
        if (!app.ui->save_png(out + "/" + w[1] + ".png")) fail(lineno, "screenshot failed");
      } else if (cmd == "device" && w.size() >= 2) {
        device(lineno, w);
      } else if (cmd == "face" && w.size() >= 2) {
        app.queue.post(core::Command{"face.result", arg});
        settle();
      } else if (cmd == "camera" && w.size() == 2 && (w[1] == "simulated" || w[1] == "photo")) {
        // wiring: the real vision pipeline on a simulated resident (cooperating, or holding up a photo).
        if (!app.camera) app.start_camera(true, true);
        if (!app.camera || !app.camera->simulated()) {
          fail(lineno, "no simulated camera");
        } else {
          app.camera->simulated()->set_mode(w[1] == "photo"
                                                ? vision::sim::SimulatedResident::Mode::Photo
                                                : vision::sim::SimulatedResident::Mode::Cooperative);
        }
        settle();
      } else if (cmd == "wait_face" && w.size() == 3 && (w[1] == "action" || w[1] == "done")) {
        // Runs in real time until the worker asks for an action / the face step is answered.
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(std::stoi(w[2]));
        bool reached = false;
        while (!reached && std::chrono::steady_clock::now() < until) {
          // Pump only (no frames): rendering 1080p in software would starve the vision threads.
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          wait_services();
          app.pump();
          if (w[1] == "action") {
            const auto fp = app.camera ? app.camera->face_preview(-1) : ui::FacePreview{};
            reached = fp.action_total > 0 && !fp.rgb.empty();
          } else {
            reached = app.session->screen_name() != "flow.face";
          }
        }
        settle();
        if (!reached) fail(lineno, "timed out: " + line);
      } else if (cmd == "expect_face_evidence") {
        const auto& f = app.session->data().face;
        if (!f.is_object() || f.value("image_base64", "").size() < 1000)
          fail(lineno, "no face evidence in the session data");
      } else if (cmd == "pin" && w.size() >= 2) {
        app.queue.post(core::Command{"pin.result", arg});
        settle();
      } else if (cmd == "print_result" && w.size() >= 2) {
        app.queue.post(core::Command{"print.result", arg});
        settle();
      } else if (cmd == "platform" && w.size() >= 2) {
        platform_step(lineno, w);
      } else if (cmd == "printer" && w.size() == 3 && w[1] == "paper_out") {
        if (!app.services || !app.services->printer()->sim)
          fail(lineno, "no simulated printer");
        else
          app.services->printer()->sim->set_paper_out(w[2] == "on");
      } else if ((cmd == "expect_effect" || cmd == "expect_no_effect") && w.size() >= 2) {
        bool seen = false;
        for (auto& e : app.effects_log.empty() ? recent_effects : app.effects_log)
          if (e["kind"] == w[1] && (w.size() < 3 || e["arg"] == w[2])) seen = true;
        if (seen != (cmd == "expect_effect"))
          fail(lineno, (seen ? "unexpected effect " : "missing effect ") + arg);
      } else if (cmd == "press_hold" && w.size() == 3) {  // technician hook
        float x = 4, y = 4;
        if (w[1] != "corner") {
          const ui::UiWidget* wd = app.ui->map().find(w[1]);
          if (!wd) {
            fail(lineno, "no widget '" + w[1] + "' to hold");
            record(lineno, line);
            continue;
          }
          x = wd->box.cx(), y = wd->box.cy();
        }
        clock.advance_ms(1000);
        settle();
        app.ui->input().inject_press(x, y, clock.now_ms());
        settle();
        for (int i = 0, n = std::stoi(w[2]); i < n; ++i) {
          clock.advance_ms(1000);
          settle();
        }
        app.ui->input().inject_release(x, y, clock.now_ms());
        settle();
      } else if (cmd == "command" && w.size() >= 2) {
        app.queue.post(core::Command{w[1], w.size() > 2 ? w[2] : ""});
        settle();
      } else {
        fail(lineno, "unknown step: " + line);
      }
      record(lineno, line);
    }
    nlohmann::json doc = {{"script", script},
                          {"ok", failures.empty()},
                          {"failures", failures},
                          {"violations", violations},
                          {"steps", transcript}};
    std::ofstream(out + "/transcript.json") << doc.dump(2) << "\n";
    for (auto& f : failures) std::fprintf(stderr, "FAIL %s\n", f.c_str());
    std::printf(
        "script %s: %d steps, %zu failures, %zu accessibility findings, transcript %s/transcript.json\n",
        script.c_str(), lineno, failures.size(), violations.size(), out.c_str());
    return failures.empty() ? 0 : 1;
  }
};

}  // namespace

int run_script(App& app, core::ManualClock& clock, const std::string& script, const std::string& out_dir) {
  app.scripted = true;
  Runner r{app, clock, out_dir, {}, {}, {}, nlohmann::json::array()};
  return r.run(script);
}

}  // namespace kiosk::app
