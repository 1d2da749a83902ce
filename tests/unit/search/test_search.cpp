#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "kiosk/core/config.hpp"
#include "kiosk/core/search.hpp"
#include "kiosk/core/utf8.hpp"

using namespace kiosk::core;

namespace {
const Catalog& shipped() {
  static Catalog cat = [] {
    Catalog c;
    c.load_dir(source_config_dir() + "/catalog");
    return c;
  }();
  return cat;
}

std::vector<std::string> codes(std::string_view q) {
  std::vector<std::string> out;
  for (auto& h : search_catalog(shipped(), q)) out.push_back(h.item->code);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A tiny catalog whose readings are given by the test (no dependency on pinyin.tsv).
Catalog tiny() {
  Catalog c;
  c.add_category({"x", "测试", "Test", false});
  c.add_item({"A", "x", "自助通办", true, "银行卡", "", "", "", ""});
  c.add_item({"B", "x", "自助通办", true, "行程卡", "", "", "", ""});
  c.add_item({"C", "x", "自助通办", true, "长期待遇", "", "", "", ""});
  c.add_readings(U'银', {"yin"});
  c.add_readings(U'行', {"xing", "hang"});
  c.add_readings(U'卡', {"ka", "qia"});
  c.add_readings(U'程', {"cheng"});
  c.add_readings(U'长', {"zhang", "chang"});
  c.add_readings(U'期', {"qi"});
  c.add_readings(U'待', {"dai"});
  c.add_readings(U'遇', {"yu"});
  return c;
}
}  // namespace

TEST_CASE("pinyin initials find items, best match first") {
  auto ylj = codes("ylj");
  REQUIRE_FALSE(ylj.empty());
  CHECK(ylj.front() == "KS-A013");  // 领取养老金人员待遇资格认证: 养老金 is contiguous
  auto sbk = codes("shbzk");        // 社会保障卡 by initials, zh/sh typed in full
  CHECK(contains(sbk, "KS-B024"));
  CHECK(contains(codes("sbk"), "KS-B021"));
  CHECK(contains(codes("SHBZKLSGS"), "KS-B024"));  // case does not matter
  CHECK(codes("qqqqzzz").empty());
  // Equal matches: the items this terminal runs itself come first (养老… before 医疗… for "yl").
  auto yl = codes("yl");
  REQUIRE(yl.size() > 3);
  CHECK(shipped().item(yl[0])->self_service);
  CHECK(shipped().item(yl[0])->name.find("养老") != std::string::npos);
}

TEST_CASE("full and partial pinyin, Chinese words and abbreviations") {
  auto yl = codes("yanglao");
  CHECK(contains(yl, "KS-A013"));
  CHECK(contains(yl, "KS-D003"));
  CHECK(contains(codes("yanglj"), "KS-A013"));
  auto word = codes("养老");
  CHECK(contains(word, "KS-A013"));
  CHECK(contains(word, "KS-A007"));
  for (auto& c : word) CHECK(shipped().item(c)->name.find("养") != std::string::npos);
  // 社保卡 is how residents say 社会保障卡: characters may be skipped inside a name.
  auto sbk = codes("社保卡");
  CHECK(contains(sbk, "KS-B024"));
  CHECK(contains(sbk, "KS-B021"));
  CHECK(contains(codes("公积金"), "KS-A025"));
  CHECK(contains(codes("医保"), "KS-A048"));
  CHECK(codes("").empty());
  CHECK(codes("  ,.、").empty());
}

TEST_CASE("polyphones match by either reading") {
  Catalog c = tiny();
  auto find = [&](std::string_view q) {
    std::vector<std::string> out;
    for (auto& h : search_catalog(c, q)) out.push_back(h.item->code);
    return out;
  };
  CHECK(find("yhk") == std::vector<std::string>{"A"});  // 银行卡: yin hang ka
  CHECK(find("xck") == std::vector<std::string>{"B"});  // 行程卡: xing cheng ka
  CHECK(contains(find("hang"), "A"));  // 行 typed as hang or xing matches both items with 行
  CHECK(contains(find("hang"), "B"));
  CHECK(contains(find("xing"), "A"));
  CHECK(contains(find("xing"), "B"));
  CHECK(find("yxk") == std::vector<std::string>{"A"});   // 银行卡 with 行 as xing
  CHECK(find("cqdy") == std::vector<std::string>{"C"});  // 长 as chang
  CHECK(find("zqdy") == std::vector<std::string>{"C"});  // 长 as zhang
  CHECK(find("qkd").empty());                            // order matters
}

TEST_CASE("the shipped readings come from Unihan and cover every catalog character") {
  // Polyphones from the generated table keep every reading.
  for (auto [ch, r] : {std::pair{U'行', "hang"},
                       {U'行', "xing"},
                       {U'长', "chang"},
                       {U'长', "zhang"},
                       {U'重', "zhong"},
                       {U'重', "chong"}}) {
    const auto* rs = shipped().readings(ch);
    REQUIRE(rs != nullptr);
    CHECK(std::find(rs->begin(), rs->end(), r) != rs->end());
  }
  for (auto& item : shipped().items())
    for (char32_t cp : utf8_decode(item.name))
      if (cp >= 0x4E00 && cp <= 0x9FFF) {
        INFO(item.code << " " << utf8_encode(cp));
        CHECK(shipped().readings(cp) != nullptr);
      }
  std::ifstream in(source_config_dir() + "/catalog/pinyin.tsv");
  std::string first;
  std::getline(in, first);
  std::getline(in, first);
  CHECK(first.find("Unihan") != std::string::npos);  // provenance is recorded in the file
}

TEST_CASE("English names: every self-service item has one, and English words find items") {
  for (auto& i : shipped().items()) {
    INFO(i.code);
    if (i.self_service) CHECK_FALSE(i.name_en.empty());
  }
  auto pension = codes("pension");
  CHECK(contains(pension, "KS-A013"));
  CHECK(contains(codes("Pension cert"), "KS-A013"));
  CHECK(contains(codes("social security card loss"), "KS-B024"));
  CHECK(codes("pension zebra").empty());
  const CatalogItem* it = shipped().item("KS-B024");
  REQUIRE(it);
  CHECK(Catalog::display_name(*it, "en") == "Social security card: temporary loss report");
  CHECK(Catalog::display_name(*it, "zh-CN") == "社会保障卡临时挂失");
}

TEST_CASE("bad English-name and pinyin files are refused with file and line") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("test_search_cat_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(source_config_dir() + "/catalog/categories.toml", dir / "categories.toml",
                fs::copy_options::overwrite_existing);
  fs::copy_file(source_config_dir() + "/catalog/items.tsv", dir / "items.tsv",
                fs::copy_options::overwrite_existing);
  // A name for an item not configured here (a province item) is unused; a malformed row is an error.
  std::ofstream(dir / "items.en.tsv")
      << "code\tname_en\nKS-A013\tPension\nPX-9999\tNothing\nKS-A014 no tab\n";
  std::ofstream(dir / "pinyin.tsv") << "# c\n养\tyǎng\n";
  Catalog c;
  try {
    c.load_dir(dir.string());
    FAIL("expected a ConfigLoadError");
  } catch (const ConfigLoadError& e) {
    std::string what = e.what();
    CHECK(what.find("items.en.tsv:4") != std::string::npos);
    CHECK(what.find("items.en.tsv:3") == std::string::npos);
    CHECK(what.find("pinyin.tsv:2") != std::string::npos);
  }
  fs::remove_all(dir);
}

TEST_CASE("guide slip fields come from the catalog and guide.toml") {
  const CatalogItem* it = shipped().item("KS-A007");
  REQUIRE(it);
  auto f = shipped().guide_slip_fields(*it);
  CHECK(f["service_name"] == it->name);
  CHECK(f["item_code"] == "KS-A007");
  CHECK(f["mode"] == it->mode);
  CHECK(f["lead_dept"] == it->lead_dept);
  CHECK(f["guide_url"] == "https://zwfw.example.gov.cn/kstb/guide?item=KS-A007");
  CHECK_FALSE(f["where"].get<std::string>().empty());
}
