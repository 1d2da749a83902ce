// kioskctl face check through the real binary: JSON of faces, points, pose, quality and verdict.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fs = std::filesystem;

namespace {
struct Out {
  int rc;
  nlohmann::json j;
};
Out face_check(const std::string& args) {
  const auto out = fs::temp_directory_path() / ("face-cli-" + std::to_string(::getpid()) + ".json");
  const std::string cmd = "'" KIOSKCTL_EXE "' face check " + args + " > '" + out.string() + "' 2>/dev/null";
  const int rc = std::system(cmd.c_str());
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  fs::remove(out);
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, nlohmann::json::parse(ss.str(), nullptr, false)};
}
const std::string data = std::string(KIOSK_SOURCE_DIR) + "/tests/data/vision/";
}  // namespace

TEST_CASE("kioskctl face check: one frontal face, five points, ok verdict, annotated PNG") {
  const auto png = fs::temp_directory_path() / ("face-cli-" + std::to_string(::getpid()) + ".png");
  const auto r = face_check(data + "astronaut.png --annotate " + png.string());
  REQUIRE_FALSE(r.j.is_discarded());
  CHECK(r.j["detector"] == "yunet-2022mar");
  REQUIRE(r.j["faces"].size() == 1);
  CHECK(r.j["faces"][0]["points"].size() == 5);
  CHECK(std::abs(r.j["faces"][0]["pose"]["yaw_deg"].get<double>()) < 15.0);
  CHECK(r.j["passive_score"].get<double>() > 0.6);
  CHECK(r.j.contains("verdict"));
  CHECK(fs::file_size(png) > 10000);
  fs::remove(png);
}

TEST_CASE("kioskctl face check: a group photo is refused with the two-faces guidance; no face on a cat") {
  const auto group = face_check(data + "voc/2008_002506.jpg");
  CHECK(group.rc == 2);
  CHECK(group.j["verdict"] == "vision.guide.multiple_faces");
  CHECK(group.j["faces"].size() >= 2);
  const auto cat = face_check(data + "nonface/chelsea.png");
  CHECK(cat.rc == 2);
  CHECK(cat.j["faces"].empty());
  CHECK(cat.j["verdict"] == "vision.guide.no_face");
}
