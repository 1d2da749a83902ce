// Printer figures: bytes per receipt (goal ≤ 2 KB for text + native QR) and render speed.
// Prints numbers only; no timed assertions. `--iterations N` (default 20).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "drivers/printer/encoder.hpp"
#include "drivers/printer/glyphs.hpp"
#include "drivers/printer/line_raster.hpp"
#include "drivers/printer/renderer.hpp"
#include "kiosk/print/template.hpp"

using namespace kiosk;
using namespace kiosk::printer;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int iterations = 20;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--iterations") == 0) iterations = std::max(1, std::atoi(argv[i + 1]));
  print::TemplateSet set(std::string(KIOSK_SOURCE_DIR) + "/config/receipts");
  nlohmann::json f = {{"hall_name", "郑州市政务服务中心"},
                      {"service_name", "参保证明打印 Certificate printing"},
                      {"transaction_no", "ZZ20261123-000123"},
                      {"print_time", "2026-11-23 10:05"},
                      {"name", "张三丰"},
                      {"id_number", "410105199001011234"},
                      {"insured_region", "郑州市 Zhengzhou"},
                      {"result", "成功 Success"},
                      {"terminal_id", "ZZ-HALL-07"},
                      {"verify_url", "https://zwfw.example.gov.cn/v/ZZ20261123-000123?c=9f3a"}};
  auto glyphs = std::shared_ptr<GlyphSource>(make_freetype_glyphs());
  std::printf("%-44s %10s\n", "receipt", "bytes");
  std::vector<std::uint8_t> sample;
  for (auto [tpl, dialect, raster] :
       {std::tuple{"service_receipt_80", "epson", false}, std::tuple{"service_receipt_80", "gprinter", false},
        std::tuple{"service_receipt_58", "xprinter", false},
        std::tuple{"service_receipt_80", "generic", true}}) {
    auto d = builtin_dialect(dialect);
    if (std::string(tpl).ends_with("58")) d.width_dots = 384;
    d.qr = raster ? QrMode::Raster : QrMode::Native;
    const auto& t = set.get(tpl);
    Encoder e(d);
    e.set_rasterizer(glyph_line_rasterizer(glyphs));
    print::encode_receipt(t, print::prepare_fields(t, f), e);
    std::string label = std::string(tpl) + " / " + dialect + (raster ? " (raster QR)" : " (native QR)");
    std::printf("%-44s %10zu%s\n", label.c_str(), e.bytes().size(),
                !raster && e.bytes().size() <= 2048 ? "  (goal <= 2048 met)" : "");
    if (!raster && sample.empty()) sample = e.bytes();
  }

  auto time_it = [&](const char* what, auto&& fn) {
    fn();  // warm caches
    auto t0 = Clock::now();
    for (int i = 0; i < iterations; ++i) fn();
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / iterations;
    std::printf("%-44s %10.2f ms/receipt  (%d runs)\n", what, ms, iterations);
  };
  std::printf("\n");
  time_it("encode service_receipt_80 (epson)", [&] {
    Encoder e(builtin_dialect("epson"));
    print::encode_receipt(set.get("service_receipt_80"),
                          print::prepare_fields(set.get("service_receipt_80"), f), e);
  });
  time_it("render, FreeType Noto Sans CJK (cached)", [&] {
    RenderOptions o;
    o.glyphs = glyphs.get();
    auto r = render(sample, o);
    if (r.qr_payloads.empty()) std::abort();
  });
  time_it("render, box glyphs (parser + QR + layout)", [&] {
    auto r = render(sample, RenderOptions{});
    if (r.qr_payloads.empty()) std::abort();
  });
  time_it("render + PNG encode", [&] {
    RenderOptions o;
    o.glyphs = glyphs.get();
    auto png = encode_png(render(sample, o).image);
    if (png.empty()) std::abort();
  });
  return 0;
}
