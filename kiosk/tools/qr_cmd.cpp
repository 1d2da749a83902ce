// kioskctl qr: decode QR codes in image files, classify a payload, render a simulated phone frame.
//   kioskctl qr decode IMAGE... [--reveal] [--no-precheck] [--rules FILE]
//   kioskctl qr classify PAYLOAD [--rules FILE]
//   kioskctl qr render PAYLOAD OUT.png [--dark] [--tilt DEG] [--blur S] [--glare G] [--size PX]
// National e-voucher tokens are printed masked unless --reveal (they are personal data).
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "drivers/camera/image_io.hpp"
#include "kiosk/core/mask.hpp"
#include "kiosk/qr/decoder.hpp"
#include "kiosk/qr/image_io.hpp"
#include "kiosk/qr/payload.hpp"
#include "kiosk/qr/sim/phone_screen.hpp"
#include "kiosk/tools/command_registry.hpp"

namespace kiosk::tools {
namespace {

qr::Rules rules_from(const std::string& file) {
  if (!file.empty()) return qr::load_rules(file);
  // Installed config first, then the source tree's (build-tree runs), then the built-in defaults.
  for (std::string path :
       {std::string("/etc/kiosk/qr.toml"), std::string(KIOSK_SOURCE_DIR) + "/config/qr.toml"})
    if (std::filesystem::exists(path)) return qr::load_rules(path);
  return qr::default_rules();
}

bool national(qr::PayloadKind k) {
  return k == qr::PayloadKind::MedicalVoucher || k == qr::PayloadKind::ESsCard;
}

struct Opts {
  std::vector<std::string> images;
  std::string rules_file;
  bool reveal = false;
  bool no_precheck = false;
  std::string payload, out;
  bool dark = false;
  double tilt = 0, blur = 0, glare = 0;
  int size = 260;
};

const CommandRegistrar reg("qr", [](CLI::App& root) {
  auto o = std::make_shared<Opts>();
  auto* qr = root.add_subcommand("qr", "QR e-vouchers: decode images, classify payloads, render test frames");
  qr->require_subcommand(1);

  auto* dec =
      qr->add_subcommand("decode", "decode QR codes in image files → JSON (text, format, position, time)");
  dec->add_option("images", o->images, "image files")->required()->check(CLI::ExistingFile);
  dec->add_option("--rules", o->rules_file, "qr.toml with classification rules");
  dec->add_flag("--reveal", o->reveal, "print national e-voucher tokens unmasked");
  dec->add_flag("--no-precheck", o->no_precheck, "skip the cheap no-code pre-check");
  dec->callback([o] {
    auto rules = rules_from(o->rules_file);
    qr::DecodeOptions dopt;
    dopt.precheck = !o->no_precheck;
    qr::QrDecoder decoder(dopt);
    nlohmann::json out = nlohmann::json::array();
    int failures = 0;
    for (const auto& path : o->images) {
      nlohmann::json j{{"file", path}};
      try {
        cv::Mat img = qr::read_grey(path);
        auto r = decoder.decode(img);
        j["time_ms"] = r.elapsed_ms;
        j["precheck"] = r.precheck_passed;
        j["attempts"] = r.attempts;
        j["codes"] = nlohmann::json::array();
        for (auto& c : r.codes) {
          std::string text = c.text;
          auto cls = qr::classify(rules, text);
          nlohmann::json pos = nlohmann::json::array();
          for (auto& p : c.corners) pos.push_back({p.x, p.y});
          j["codes"].push_back({{"text", national(cls.kind) && !o->reveal ? core::mask_token(text) : text},
                                {"format", c.format},
                                {"kind", qr::to_string(cls.kind)},
                                {"position", pos},
                                {"inverted", c.inverted},
                                {"stage", c.stage}});
        }
      } catch (const std::exception& e) {
        j["error"] = e.what();
        ++failures;
      }
      out.push_back(j);
    }
    std::cout << out.dump(2) << "\n";
    exit_code() = failures ? 1 : 0;
  });

  auto* cls =
      qr->add_subcommand("classify", "classify one payload by the rules (prints kind, never the token)");
  cls->add_option("payload", o->payload, "payload text")->required();
  cls->add_option("--rules", o->rules_file, "qr.toml with classification rules");
  cls->callback([o] {
    auto rules = rules_from(o->rules_file);
    std::string p = o->payload;
    auto c = qr::classify(rules, p);
    std::cout << nlohmann::json{{"kind", qr::to_string(c.kind)},
                                {"rule", c.rule},
                                {"reason", c.reason},
                                {"token", core::mask_token(p)}}
                     .dump(2)
              << "\n";
    exit_code() = c.accepted() ? 0 : 2;
  });

  auto* ren = qr->add_subcommand("render", "render a simulated phone-screen camera frame (1280x720 PNG)");
  ren->add_option("payload", o->payload, "payload text")->required();
  ren->add_option("out", o->out, "output image file")->required();
  ren->add_flag("--dark", o->dark, "dark-mode screen (inverted code)");
  ren->add_option("--tilt", o->tilt, "tilt in degrees (perspective)");
  ren->add_option("--blur", o->blur, "Gaussian blur sigma");
  ren->add_option("--glare", o->glare, "glare strength 0..1");
  ren->add_option("--size", o->size, "code side in pixels");
  ren->callback([o] {
    qr::sim::PhoneScreenOptions p;
    p.dark_mode = o->dark;
    p.tilt_deg = o->tilt;
    p.blur_sigma = o->blur;
    p.glare = o->glare;
    p.code_px = o->size;
    std::string err;
    if (!camera::write_image(o->out, qr::sim::render_phone_frame(o->payload, p), &err)) {
      std::cerr << "kioskctl qr render: " << err << "\n";
      exit_code() = 1;
    }
  });
});

}  // namespace
}  // namespace kiosk::tools
