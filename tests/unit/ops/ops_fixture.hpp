// Test repository for the ops tests: keys, a 2-of-3 root, releases signed 2-of-3, a published
// static layout on disk, and a fixed clock.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "kiosk/ops/bundle.hpp"
#include "kiosk/ops/metadata.hpp"
#include "kiosk/ops/updater.hpp"

namespace ops_test {

namespace fs = std::filesystem;
using namespace kiosk::ops;

inline TimePoint fixed_now() {
  return parse_time("2026-06-01T12:00:00Z");
}

inline fs::path temp_dir(const std::string& tag) {
  std::random_device rd;
  auto d = fs::temp_directory_path() /
           ("kiosk-ops-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  fs::create_directories(d);
  return d;
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

inline void spit(const fs::path& p, std::string_view data) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// A small but realistic config set: settings, texts, catalog rows.
inline FileSet config_v(int n) {
  FileSet f;
  f["settings.toml"] = "[session]\nstep_timeout_s = " + std::to_string(60 + n) + "\n";
  f["strings/zh-CN.toml"] = "[home]\nprompt = \"请选择要办理的事项 v" + std::to_string(n) + "\"\n";
  f["strings/en.toml"] = "[home]\nprompt = \"Please choose a service v" + std::to_string(n) + "\"\n";
  std::string items = "code\tname\nKS-A001\t学历公证\n";
  for (int i = 0; i < n; ++i) items += "KS-X" + std::to_string(100 + i) + "\t事项" + std::to_string(i) + "\n";
  f["catalog/items.tsv"] = items;
  f["receipt/default.tmpl"] = "回执 receipt v" + std::to_string(n) + "\n";
  return f;
}

struct TestRepo {
  fs::path dir = temp_dir("repo");
  fs::path pub = dir / "pub";
  fs::path anchor = dir / "anchor" / "root.json";
  SecretKey root_keys[3] = {generate_key(), generate_key(), generate_key()};
  SecretKey rel_keys[3] = {generate_key(), generate_key(), generate_key()};
  Root root;

  TestRepo() {
    root = make_root(1, root_keys, rel_keys);
    spit(anchor, envelope_text(sign_env(root_json(root), {&root_keys[0], &root_keys[1]})));
  }
  ~TestRepo() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  static Root make_root(std::uint64_t version, const SecretKey (&rk)[3], const SecretKey (&rel)[3]) {
    Root r;
    r.version = version;
    r.expires = parse_time("2030-01-01T00:00:00Z");
    for (auto* set : {&rk, &rel})
      for (auto& k : *set) r.keys[key_id_hex(k.id)] = k.public_key();
    for (auto& k : rk) r.root.keyids.push_back(key_id_hex(k.id));
    for (auto& k : rel) r.release.keyids.push_back(key_id_hex(k.id));
    r.root.threshold = 2;
    r.release.threshold = 2;
    return r;
  }

  static Envelope sign_env(const std::string& text, std::vector<const SecretKey*> signers) {
    Envelope e;
    e.signed_text = text;
    for (auto* k : signers) add_signature(e, *k, "kiosk test");
    return e;
  }

  struct Built {
    Release rel;
    Envelope env;
    std::string bundle;
  };

  Built build(std::uint64_t version, const FileSet& files, std::vector<const SecretKey*> signers = {},
              std::string expires = "2027-01-01T00:00:00Z") {
    Built b;
    b.bundle = build_tar_zst(files);
    b.rel.version = version;
    b.rel.expires = parse_time(expires);
    b.rel.files = manifest(files);
    b.rel.bundle = {sha256_hex(b.bundle), b.bundle.size()};
    if (signers.empty()) signers = {&rel_keys[0], &rel_keys[1]};
    b.env = sign_env(release_json(b.rel), signers);
    return b;
  }

  Built publish(std::uint64_t version, const FileSet& files, std::vector<const SecretKey*> signers = {},
                std::string expires = "2027-01-01T00:00:00Z") {
    auto b = build(version, files, std::move(signers), std::move(expires));
    publish_release(pub, envelope_text(b.env), b.bundle);
    return b;
  }
  // Publishes raw bytes as release.json / bundle without the publish-time checks (attack cases).
  void publish_raw(const Built& b) {
    spit(pub / "stable" / "release.json", envelope_text(b.env));
    spit(pub / b.rel.bundle_path(), b.bundle);
  }

  UpdaterConfig updater_config(const fs::path& state_dir, const std::string& terminal = "T-0001",
                               const std::string& region = "410100") const {
    UpdaterConfig c;
    c.state_dir = state_dir;
    c.anchor_root = anchor;
    c.factory_config = dir / "factory";
    c.terminal = {terminal, region, "hall-a"};
    return c;
  }
};

inline UpdaterHooks fixed_clock_hooks() {
  UpdaterHooks h;
  h.now = fixed_now;
  return h;
}

}  // namespace ops_test
