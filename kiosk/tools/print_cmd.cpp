// kioskctl print: render ESC/POS to PNG, encode receipt templates, test page, printer status.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "drivers/printer/encoder.hpp"
#include "drivers/printer/glyphs.hpp"
#include "drivers/printer/line_raster.hpp"
#include "drivers/printer/printer.hpp"
#include "drivers/printer/renderer.hpp"
#include "drivers/printer/sim/simulator.hpp"
#include "drivers/printer/tcp9100.hpp"
#include "drivers/printer/usb_printer.hpp"
#include "drivers/transport/loopback.hpp"
#include "kiosk/print/template.hpp"
#include "kiosk/tools/command_registry.hpp"

namespace kiosk::tools {
namespace {

using namespace kiosk::printer;

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_all(const std::string& path, const std::vector<std::uint8_t>& b) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

Dialect dialect_arg(const std::string& d) {
  if (d.find('/') != std::string::npos || d.ends_with(".toml")) return load_dialect(d);
  return builtin_dialect(d);
}

struct Target {
  std::string tcp;  // host[:port]
  std::string usb;  // vid:pid (hex) or "any"
  bool demo = false;
};

// Opens the printer named on the command line; the demo target is the simulator over loopback.
struct Opened {
  std::shared_ptr<transport::Transport> t;
  std::shared_ptr<PrinterSimulator> sim;
  UsbPrinter* usb = nullptr;
};

Opened open_target(const Target& tg, int width) {
  Opened o;
  if (tg.demo) {
    auto pair = transport::make_loopback("printer");
    o.t = pair.host;
    o.sim = std::make_shared<PrinterSimulator>(pair.device, width);
    o.sim->start();
  } else if (!tg.tcp.empty()) {
    auto colon = tg.tcp.rfind(':');
    std::string host = colon == std::string::npos ? tg.tcp : tg.tcp.substr(0, colon);
    auto port = colon == std::string::npos ? 9100 : std::stoi(tg.tcp.substr(colon + 1));
    o.t = std::make_shared<TcpTransport>(host, static_cast<std::uint16_t>(port));
  } else if (!tg.usb.empty()) {
    UsbPrinterSelector sel;
    if (tg.usb != "any") {
      auto colon = tg.usb.find(':');
      if (colon == std::string::npos) throw std::runtime_error("--usb wants VID:PID in hex or 'any'");
      sel.vendor_id = static_cast<std::uint16_t>(std::stoi(tg.usb.substr(0, colon), nullptr, 16));
      sel.product_id = static_cast<std::uint16_t>(std::stoi(tg.usb.substr(colon + 1), nullptr, 16));
    }
    auto u = std::make_shared<UsbPrinter>(sel);
    o.usb = u.get();
    o.t = u;
  } else {
    throw std::runtime_error("name a printer: --tcp HOST[:PORT], --usb VID:PID|any or --demo");
  }
  return o;
}

void add_target_opts(CLI::App* c, Target& t) {
  c->add_option("--tcp", t.tcp, "raw TCP printer HOST[:PORT] (port 9100 by default)");
  c->add_option("--usb", t.usb, "USB printer-class device VID:PID (hex) or 'any'");
  c->add_flag("--demo", t.demo, "the simulated printer over loopback");
}

CommandRegistrar reg("print", [](CLI::App& root) {
  auto* cmd = root.add_subcommand("print", "receipt printer and print templates");
  cmd->require_subcommand(1);

  // render
  static std::string in, out, font;
  static int width = 576;
  auto* r = cmd->add_subcommand("render", "ESC/POS bytes → PNG (8 dots/mm); lists unknown commands");
  r->add_option("IN", in, "ESC/POS file")->required();
  r->add_option("OUT", out, "PNG file")->required();
  r->add_option("--width", width, "paper width in dots (384 or 576)");
  r->add_option("--font", font, "font file (default Noto Sans CJK SC)");
  r->callback([] {
    auto bytes = read_all(in);
    auto glyphs = font.empty() ? make_freetype_glyphs() : make_freetype_glyphs(font);
    RenderOptions o;
    o.width_dots = width;
    o.glyphs = glyphs.get();
    auto res = render(bytes, o);
    write_png(res.image, out);
    nlohmann::json j = {{"png", out},
                        {"width", res.image.width},
                        {"height", res.image.height},
                        {"cuts", res.cuts},
                        {"images", res.images},
                        {"qr", res.qr_payloads},
                        {"barcodes", res.barcodes},
                        {"unknown", res.unknown},
                        {"truncated", res.truncated}};
    std::cout << j.dump(2) << "\n";
  });

  // receipt
  static std::string tpl, data, rout, dialect = "epson", png,
                                      tdir = std::string(KIOSK_SOURCE_DIR) + "/config/receipts";
  auto* rc = cmd->add_subcommand("receipt", "encode a receipt template with fields from JSON");
  rc->add_option("--template", tpl, "template id (config/receipts)")->required();
  rc->add_option("--data", data, "fields JSON file")->required();
  rc->add_option("--out", rout, "ESC/POS output file")->required();
  rc->add_option("--dialect", dialect, "epson|gprinter|xprinter|snbc|generic or a profile .toml");
  rc->add_option("--templates", tdir, "template directory");
  rc->add_option("--png", png, "also render a preview PNG");
  rc->callback([] {
    print::TemplateSet set(tdir);
    const auto& t = set.get(tpl);
    auto fields = nlohmann::json::parse(read_all(data));
    Encoder e(dialect_arg(dialect));
    std::shared_ptr<GlyphSource> g = make_freetype_glyphs();
    e.set_rasterizer(glyph_line_rasterizer(g));
    print::encode_receipt(t, print::prepare_fields(t, fields), e);
    write_all(rout, e.bytes());
    std::cout << rout << ": " << e.bytes().size() << " bytes\n";
    if (!png.empty()) {
      RenderOptions o;
      o.width_dots = e.dialect().width_dots;
      o.glyphs = g.get();
      write_png(render(e.bytes(), o).image, png);
    }
  });

  // test-page
  static Target tp;
  static std::string tp_out, tp_dialect = "epson";
  auto* t =
      cmd->add_subcommand("test-page", "print (or write) a test page: Chinese text, sizes, QR, barcode");
  add_target_opts(t, tp);
  t->add_option("--out", tp_out, "write the bytes to a file instead of printing");
  t->add_option("--dialect", tp_dialect, "dialect id or profile .toml");
  t->callback([] {
    auto d = dialect_arg(tp_dialect);
    Encoder e(d);
    e.init().align(Align::Center).size(2, 2).bold(true).line("打印测试 Test page").size(1, 1).bold(false);
    e.line(d.name + " / " + std::to_string(d.width_dots) + " dots");
    e.align(Align::Left).line("中文 GBK: 社会保障卡 医保电子凭证 回执");
    e.size(2, 1)
        .line("宽 Wide")
        .size(1, 2)
        .line("高 Tall")
        .size(1, 1)
        .bold(true)
        .line("粗体 Bold")
        .bold(false);
    e.align(Align::Center).qr("https://example.gov.cn/kiosk/test", 6).barcode128("KIOSK-TEST-1").cut();
    if (!tp_out.empty()) {
      write_all(tp_out, e.bytes());
      std::cout << tp_out << ": " << e.bytes().size() << " bytes\n";
      return;
    }
    auto o = open_target(tp, d.width_dots);
    ReceiptPrinter p(*o.t, d);
    auto rep = p.print(e.bytes());
    std::cout << "printed " << rep.bytes << " bytes; " << describe(rep.status_after) << "\n";
  });

  // status
  static Target st;
  static std::string st_dialect = "epson";
  auto* s = cmd->add_subcommand("status", "printer status (DLE EOT; USB: device ID and port status)");
  add_target_opts(s, st);
  s->add_option("--dialect", st_dialect, "dialect id or profile .toml");
  s->callback([] {
    auto d = dialect_arg(st_dialect);
    auto o = open_target(st, d.width_dots);
    nlohmann::json j = {{"transport", o.t->describe()}};
    if (o.usb) {
      try {
        auto id = o.usb->device_id();
        j["device_id"] = {
            {"manufacturer", id.manufacturer()}, {"model", id.model()}, {"command_set", id.command_set()}};
      } catch (const std::exception& e) {
        j["device_id_error"] = e.what();
      }
      j["port_status"] = describe(o.usb->port_status());
      j["bidirectional"] = o.usb->bidirectional();
    }
    try {
      ReceiptPrinter p(*o.t, d, std::chrono::milliseconds(800));
      auto s2 = p.query_status();
      j["state"] = to_string(classify(s2));
      j["detail"] = describe(s2);
    } catch (const PrintError& e) {
      j["state"] = "unknown";
      j["error"] = e.what();
      exit_code() = 2;
    }
    std::cout << j.dump(2) << "\n";
  });
});

}  // namespace
}  // namespace kiosk::tools
