#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kiosk/core/log.hpp"

using namespace kiosk::core;

TEST_CASE("a full ID number logged by mistake never reaches the log file") {
  auto path = std::filesystem::temp_directory_path() / "kiosk_test_log.txt";
  std::filesystem::remove(path);
  init_logging({path.string(), false, false, "debug"});
  spdlog::info("card read for 410102199001011234 by mistake");
  spdlog::warn("another {} here", "41010219900101123X");
  flush_logs();
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto text = ss.str();
  CHECK(text.find("410102199001011234") == std::string::npos);
  CHECK(text.find("41010219900101123X") == std::string::npos);
  CHECK(text.find("4101**********1234") != std::string::npos);
  init_logging({"", true, false, "info"});
}
