// The guide slip template rendered through kiosk/print and the ESC/POS renderer: text and the QR to the
// online service survive, and the fields come from the catalog only.
#include <catch2/catch.hpp>

#include "drivers/printer/encoder.hpp"
#include "drivers/printer/renderer.hpp"
#include "kiosk/core/catalog.hpp"
#include "kiosk/core/config.hpp"
#include "kiosk/print/template.hpp"

using namespace kiosk;

TEST_CASE("guide_slip_80 renders item, mode, department, where to go and the QR to the online service") {
  core::Catalog cat;
  cat.load_dir(core::source_config_dir() + "/catalog");
  print::TemplateSet set(core::source_config_dir() + "/receipts");
  REQUIRE(set.has("guide_slip_80"));
  const auto& t = set.get("guide_slip_80");
  const core::CatalogItem* item = cat.item("KS-A007");
  REQUIRE(item);
  // What the App adds to the catalog's fields (see the report): hall, time, terminal.
  nlohmann::json f = cat.guide_slip_fields(*item);
  f["hall_name"] = "郑州市政务服务中心";
  f["print_time"] = "2026-11-23 10:00";
  f["terminal_id"] = "ZZ-0001";
  auto prepared = print::prepare_fields(t, f);
  auto glyphs = printer::make_freetype_glyphs();
  printer::Encoder e(printer::builtin_dialect("epson"));
  print::encode_receipt(t, prepared, e);
  printer::RenderOptions o;
  o.glyphs = glyphs.get();
  auto r = printer::render(e.bytes(), o);
  CHECK(r.unknown.empty());
  CHECK(r.cuts == 1);
  REQUIRE(r.qr_payloads.size() == 1);
  CHECK(r.qr_payloads[0] == "https://zwfw.example.gov.cn/kstb/guide?item=KS-A007");
  for (const std::string& s : {std::string("办事指南"), item->name, item->lead_dept, std::string("KS-A007"),
                               item->mode, std::string("Where to go")})
    CHECK(r.text.find(s) != std::string::npos);
  // A slip without the online-service URL is refused, not printed without its QR.
  f.erase("guide_url");
  CHECK_THROWS_AS(print::prepare_fields(t, f), print::TemplateError);
}
