// Prints ops figures: signature verification rate, bundle build/read of the real config/, full apply
// time (download from a published dir, verify, stage, switch, commit), and the idle poll cost.
// Usage: bench_ops [iterations]   (default 20; CTest runs 3)
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "tests/unit/ops/ops_fixture.hpp"

using namespace ops_test;
using Clock = std::chrono::steady_clock;

static double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 20;
  if (n < 1) n = 1;
  TestRepo repo;
  const char* src = std::getenv("KIOSK_SOURCE_DIR");
  fs::path cfg_dir = fs::path(src ? src : KIOSK_SOURCE_DIR) / "config";
  FileSet files = fs::is_directory(cfg_dir) ? read_dir(cfg_dir) : config_v(50);
  std::size_t raw = 0;
  for (auto& [p, d] : files) raw += d.size();

  auto t = Clock::now();
  std::string tar;
  for (int i = 0; i < n; ++i) tar = build_tar_zst(files);
  double build_ms = ms_since(t) / n;
  t = Clock::now();
  for (int i = 0; i < n; ++i) read_tar(tar);
  double read_ms = ms_since(t) / n;
  std::printf("bundle of %s: %zu files, %zu bytes raw -> %zu bytes tar.zst; build %.2f ms, read %.2f ms\n",
              cfg_dir.string().c_str(), files.size(), raw, tar.size(), build_ms, read_ms);

  auto b = repo.build(1, files);
  int verifies = n * 50;
  t = Clock::now();
  for (int i = 0; i < verifies; ++i) verify_release(repo.root, b.env, fixed_now());
  double v_us = ms_since(t) * 1000.0 / verifies;
  std::printf("verify release (2-of-3 signatures, %zu-byte metadata): %.1f us each, %.0f/s\n",
              b.env.signed_text.size(), v_us, 1e6 / v_us);

  Updater up(repo.updater_config(repo.dir / "bench-state"), std::make_shared<DirFetcher>(repo.pub),
             fixed_clock_hooks());
  up.recover();
  double apply_total = 0;
  for (int i = 1; i <= n; ++i) {
    auto f = files;
    f["settings.toml"] = "[bench]\nround = " + std::to_string(i) + "\n";
    repo.publish(static_cast<std::uint64_t>(i), f);
    t = Clock::now();
    auto r = up.poll_once();
    apply_total += ms_since(t);
    if (r.outcome != Outcome::committed) {
      std::printf("apply %d failed: %s\n", i, r.detail.c_str());
      return 1;
    }
  }
  std::printf(
      "full apply (verify, hash, extract %zu files with fsync, switch, commit): %.1f ms average over %d\n",
      files.size(), apply_total / n, n);
  t = Clock::now();
  for (int i = 0; i < n * 5; ++i) up.poll_once();
  std::printf("idle poll (root probe + release verify, no change): %.2f ms\n", ms_since(t) / (n * 5));
  return 0;
}
