// A4 certificate through a real CUPS queue: a private cupsd (cups_queue.sh) with a raw queue whose
// backend stores the job; the stored PDF is rasterised (poppler) and its QR decoded. Skipped with a
// message only if cupsd cannot run here.
#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "drivers/printer/bitmap.hpp"
#include "drivers/printer/sim/simulator.hpp"
#include "kiosk/print/service.hpp"
#include "tests/unit/printer/qr_decode.hpp"

using namespace kiosk;
using namespace kiosk::print;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct Cupsd {
  fs::path dir;
  std::string socket;
  Cupsd() {
    dir = fs::temp_directory_path() / ("kiosk-cups-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::remove_all(dir, ec);
    std::string cmd = std::string(KIOSK_SOURCE_DIR) + "/tests/protocol/printer/cups_queue.sh start '" +
                      dir.string() + "' 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::array<char, 512> buf{};
    std::string out;
    while (p && std::fgets(buf.data(), buf.size(), p)) out += buf.data();
    int rc = p ? ::pclose(p) : -1;
    if (rc == 0) {
      while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
      socket = out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
    } else {
      error = out;
    }
  }
  ~Cupsd() {
    std::string cmd =
        std::string(KIOSK_SOURCE_DIR) + "/tests/protocol/printer/cups_queue.sh stop '" + dir.string() + "'";
    if (std::system(cmd.c_str()) != 0) WARN("could not stop private cupsd");
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string error;
};

}  // namespace

TEST_CASE("A4 certificate printed through a real CUPS queue") {
  Cupsd cupsd;
  if (cupsd.socket.empty()) {
    WARN("SKIPPED: private cupsd could not start here: " << cupsd.error);
    return;
  }
  CupsSubmitter probe("kiosk-a4", cupsd.socket);
  REQUIRE(probe.queue_exists());

  auto data = cupsd.dir / "data";
  PrintService::Options o;
  o.data_dir = data.string();
  o.poll_interval = 50ms;
  auto pair = transport::make_loopback("printer");
  auto sim = std::make_shared<printer::PrinterSimulator>(pair.device, 576);
  sim->start();
  PrintService svc(o, std::make_unique<TransportReceiptSink>(pair.host, printer::builtin_dialect("epson")),
                   std::make_unique<CupsA4Sink>("kiosk-a4", cupsd.socket, 20s));
  svc.start();
  nlohmann::json f = {{"issuer", "郑州市社会保险中心 Zhengzhou Social Insurance Center"},
                      {"name", "欧阳娜娜"},
                      {"id_number", "410105199001011234"},
                      {"insured_region", "郑州市 Zhengzhou"},
                      {"insurance_types", "职工养老、医疗 Pension, medical"},
                      {"insured_status", "正常参保 Active"},
                      {"months_paid", "156"},
                      {"transaction_no", "ZZ20261123-000777"},
                      {"print_time", "2026-11-23 10:20"},
                      {"verify_url", "https://zwfw.example.gov.cn/v/ZZ20261123-000777?c=77aa"}};
  auto id = svc.submit("insurance_certificate_a4", f);
  auto j = svc.wait_settled(id, 30s);
  REQUIRE(j);
  INFO(j->error);
  REQUIRE(j->state == JobState::Done);
  svc.stop();
  sim->stop();

  // The queue's backend stored the job as it reached the "printer".
  fs::path out;
  for (auto& e : fs::directory_iterator(cupsd.dir / "out"))
    if (e.path().extension() == ".pdf") out = e.path();
  REQUIRE(!out.empty());
  std::ifstream in(out, std::ios::binary);
  std::string pdf((std::istreambuf_iterator<char>(in)), {});
  CHECK(pdf.rfind("%PDF", 0) == 0);
  auto png = (cupsd.dir / "cert").string();
  std::string cmd = "pdftoppm -r 100 -gray -png -singlefile '" + out.string() + "' '" + png + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  auto g = printer::load_png_gray(png + ".png");
  CHECK(g.width == 827);  // A4 at 100 dpi
  printer::Bitmap b(g.width, g.height);
  for (std::size_t i = 0; i < g.px.size(); ++i) b.px[i] = g.px[i] < 128;
  CHECK(printer::test::decode_qr(b) == std::vector<std::string>{f["verify_url"]});
  if (const char* keep = std::getenv("KIOSK_PRINTER_PNG_DIR"))
    fs::copy_file(png + ".png", std::string(keep) + "/certificate_cups.png",
                  fs::copy_options::overwrite_existing);
}
