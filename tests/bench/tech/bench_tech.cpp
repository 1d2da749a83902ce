// Technician mode figures: PIN hash/verify cost (Argon2id, interactive limits — what a wrong-PIN guess
// costs an attacker and a technician), each diagnostic's latency against the simulators, and the export.
// Prints figures only; never asserts on time.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "kiosk/core/log.hpp"
#include "kiosk/core/strings.hpp"
#include "kiosk/tech/diagnostics.hpp"
#include "kiosk/tech/export.hpp"
#include "kiosk/tech/pin.hpp"

using namespace kiosk;
using Clock = std::chrono::steady_clock;

static double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

int main(int argc, char** argv) {
  int iterations = 3;
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], "--iterations")) iterations = std::max(1, std::atoi(argv[i + 1]));
  core::init_logging({.file = "", .console = true, .journald = false, .level = "error"});
  std::string src = std::getenv("KIOSK_SOURCE_DIR") ? std::getenv("KIOSK_SOURCE_DIR") : KIOSK_SOURCE_DIR;

  double hash_ms = 0, verify_ms = 0;
  std::string h;
  for (int i = 0; i < iterations; ++i) {
    auto t0 = Clock::now();
    h = tech::hash_pin("24681357");
    hash_ms += ms_since(t0);
    t0 = Clock::now();
    (void)tech::verify_pin_hash(h, "24681358");
    verify_ms += ms_since(t0);
  }
  std::printf("pin: argon2id interactive hash %.0f ms, verify %.0f ms (mean of %d)\n", hash_ms / iterations,
              verify_ms / iterations, iterations);

  core::Strings strings;
  strings.load_dir(src + "/config/strings");
  tech::DiagOptions o;
  o.config_dir = src + "/config";
  o.data_dir =
      (std::filesystem::temp_directory_path() / ("bench-tech-" + std::to_string(::getpid()))).string();
  o.demo = true;
  tech::Diagnostics d(o, &strings);
  double total = 0;
  for (auto& id : tech::Diagnostics::check_ids()) {
    double best = 1e9;
    const char* st = "";
    for (int i = 0; i < iterations; ++i) {
      auto r = d.run(id);
      best = std::min(best, r.ms);
      st = tech::to_string(r.status);
    }
    total += best;
    std::printf("diag %-20s %-5s %8.1f ms (best of %d)\n", id.c_str(), st, best, iterations);
  }
  std::printf("diag all (demo) %.0f ms\n", total);

  auto t0 = Clock::now();
  auto res = tech::export_bundle({{src + "/config", "config"}}, o.data_dir + "/export.tar.gz");
  std::printf("export: %zu files, %ju bytes tar.gz in %.0f ms\n", res.files.size(),
              static_cast<std::uintmax_t>(std::filesystem::file_size(res.tar_path)), ms_since(t0));
  std::filesystem::remove_all(o.data_dir);
  return 0;
}
