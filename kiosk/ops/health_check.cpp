#include "kiosk/ops/health_check.hpp"

#include "drivers/idcard/region.hpp"
#include "kiosk/core/catalog.hpp"
#include "kiosk/core/config.hpp"
#include "kiosk/core/strings.hpp"
#include "kiosk/flow/flow.hpp"
#include "kiosk/ops/settings.hpp"
#include "kiosk/qr/payload.hpp"

namespace kiosk::ops {

namespace fs = std::filesystem;

HealthResult default_health_check(const fs::path& dir) {
  std::error_code ec;
  std::string step;
  try {
    if (!fs::is_directory(dir, ec)) return {false, dir.string() + " is not a directory"};
    if (fs::is_regular_file(dir / "kiosk.toml", ec)) {
      step = "kiosk.toml";
      (void)core::load_config((dir / "kiosk.toml").string());
    }
    if (fs::is_regular_file(dir / "ops.toml", ec)) {
      step = "ops.toml";
      (void)load_ops_settings((dir / "ops.toml").string());
    }
    step = "strings";
    core::Strings strings;
    strings.load_dir((dir / "strings").string());
    step = "catalog";
    core::Catalog catalog;
    catalog.load_dir((dir / "catalog").string());
    if (catalog.items().empty()) return {false, "catalog: no items"};
    step = "regions";
    auto regions = idcard::RegionTable::load((dir / "regions" / "gb2260.tsv").string());
    step = "flows";
    auto flows = flow::FlowSet::load_dir((dir / "flows").string());
    auto problems = flows.check(strings, catalog);
    if (!problems.empty()) {
      std::string d = "flows: " + problems.front();
      if (problems.size() > 1) d += " (+" + std::to_string(problems.size() - 1) + " more)";
      return {false, d};
    }
    if (fs::is_regular_file(dir / "qr.toml", ec)) {
      step = "qr.toml";
      (void)qr::load_rules((dir / "qr.toml").string());
    }
  } catch (const std::exception& e) {
    return {false, step + ": " + e.what()};
  }
  return {true, "config loads"};
}

}  // namespace kiosk::ops
