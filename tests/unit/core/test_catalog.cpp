#include <catch2/catch.hpp>
#include <set>

#include "kiosk/core/catalog.hpp"
#include "kiosk/core/config.hpp"

using namespace kiosk::core;

TEST_CASE("the catalog holds all 162 national items and the province's own items, with categories") {
  Catalog c;
  c.load_dir(source_config_dir() + "/catalog");
  std::set<std::string> codes, national, province;
  for (auto& i : c.items()) {
    codes.insert(i.code);
    (i.code.rfind("KS-", 0) == 0 ? national : province).insert(i.code);
    CHECK(c.category(i.category) != nullptr);
    CHECK_FALSE(i.lead_dept.empty());
    CHECK_FALSE(i.mode.empty());
  }
  CHECK(national.size() == 162);
  // henan.items.tsv adds the province's 办件查询; codes stay unique across files.
  CHECK(province == std::set<std::string>{"PX-0001"});
  CHECK(codes.size() == c.items().size());
  auto* pension = c.item("KS-A013");
  REQUIRE(pension);
  CHECK(pension->name == "领取养老金人员待遇资格认证");
  CHECK(pension->self_service);
  CHECK(pension->mode == "自助通办");
  // The self-service category gathers items from several departments.
  auto self = c.items_in("self_service");
  CHECK(self.size() >= 20);
  std::set<std::string> cats;
  for (auto* i : self) cats.insert(i->category);
  CHECK(cats.size() >= 4);
}
