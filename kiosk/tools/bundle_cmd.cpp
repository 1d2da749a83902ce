// kioskctl bundle keygen|root|build|sign|verify|publish|diff — ops side of signed config bundles
// (docs/operations.md). Keys are minisign-format; metadata is signed as raw bytes.
#include <sys/stat.h>

#include <fstream>
#include <iostream>

#include "kiosk/ops/bundle.hpp"
#include "kiosk/ops/metadata.hpp"
#include "kiosk/ops/updater.hpp"
#include "kiosk/tools/command_registry.hpp"

namespace kiosk::tools {
namespace {

namespace fs = std::filesystem;
using namespace kiosk::ops;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw OpsError(Reason::io, "cannot read " + p.string());
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void write_out(const fs::path& p, std::string_view data) {
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) throw OpsError(Reason::io, "cannot write " + p.string());
}

ops::FileSet load_files(const fs::path& p) {
  if (fs::is_directory(p)) return read_dir(p);
  return read_tar(slurp(p));
}

void guarded(const std::function<void()>& f) {
  try {
    f();
  } catch (const OpsError& e) {
    std::cerr << "kioskctl bundle: REJECTED " << e.what() << "\n";
    exit_code() = 1;
  } catch (const std::exception& e) {
    std::cerr << "kioskctl bundle: " << e.what() << "\n";
    exit_code() = 1;
  }
}

std::vector<std::string> key_ids(const std::vector<std::string>& pub_files,
                                 std::map<std::string, PublicKey>& keys) {
  std::vector<std::string> ids;
  for (auto& f : pub_files) {
    auto k = parse_public_key(slurp(f));
    ids.push_back(key_id_hex(k.id));
    keys[ids.back()] = k;
  }
  return ids;
}

CommandRegistrar reg("bundle", [](CLI::App& root) {
  auto* b = root.add_subcommand(
      "bundle", "signed config bundles for the fleet (keygen, root, build, sign, verify, publish, diff)");
  b->require_subcommand(1);

  // keygen
  auto* keygen = b->add_subcommand("keygen", "create a minisign-format Ed25519 key pair NAME.key / NAME.pub");
  static std::string kg_name;
  keygen->add_option("NAME", kg_name, "output path prefix")->required();
  keygen->callback([] {
    guarded([] {
      auto k = generate_key();
      auto keyf = kg_name + ".key";
      if (fs::exists(keyf)) throw OpsError(Reason::io, keyf + " exists; refusing to overwrite a key");
      write_out(keyf, "");
      ::chmod(keyf.c_str(), 0600);  // restrict before the secret is written
      write_out(keyf, k.file_text());
      write_out(kg_name + ".pub", k.public_key().file_text());
      std::cout << "key " << key_id_hex(k.id) << ": " << keyf << " (secret, keep offline), " << kg_name
                << ".pub\n";
    });
  });

  // root
  auto* rootc = b->add_subcommand(
      "root", "write an unsigned root metadata envelope (then sign it with a threshold of root keys)");
  static std::uint64_t r_version = 1;
  static std::string r_expires, r_out;
  static std::vector<std::string> r_root_keys, r_rel_keys;
  static int r_root_t = 2, r_rel_t = 1;
  rootc->add_option("--version", r_version)->required();
  rootc->add_option("--expires", r_expires, "YYYY-MM-DDTHH:MM:SSZ")->required();
  rootc->add_option("--root-key", r_root_keys, "root role public keys (.pub)")->required();
  rootc->add_option("--root-threshold", r_root_t);
  rootc->add_option("--release-key", r_rel_keys, "release role public keys (.pub)")->required();
  rootc->add_option("--release-threshold", r_rel_t);
  rootc->add_option("-o,--out", r_out, "output file, e.g. 2.root.json")->required();
  rootc->callback([] {
    guarded([] {
      Root r;
      r.version = r_version;
      r.expires = parse_time(r_expires);
      r.root = {key_ids(r_root_keys, r.keys), r_root_t};
      r.release = {key_ids(r_rel_keys, r.keys), r_rel_t};
      auto text = root_json(r);
      parse_root(text);  // same schema checks as the terminal
      write_out(r_out, envelope_text(Envelope{text, {}}));
      std::cout << r_out << ": root v" << r.version << ", root " << r_root_t << " of " << r_root_keys.size()
                << ", release " << r_rel_t << " of " << r_rel_keys.size() << " (unsigned)\n";
    });
  });

  // build
  auto* build = b->add_subcommand(
      "build", "pack a config directory into OUT/<sha256>.tar.zst + unsigned OUT/release.json");
  static std::string bd_dir, bd_out, bd_expires, bd_channel = "stable", bd_notes;
  static std::uint64_t bd_version = 0;
  static std::vector<std::string> bd_regions, bd_groups, bd_terms;
  static double bd_percent = 100;
  build->add_option("DIR", bd_dir, "config directory (e.g. config/)")->required();
  build->add_option("--version", bd_version, "release version (must increase)")->required();
  build->add_option("--expires", bd_expires, "YYYY-MM-DDTHH:MM:SSZ")->required();
  build->add_option("--channel", bd_channel);
  build->add_option("--region", bd_regions, "GB/T 2260 prefix to target (repeatable)");
  build->add_option("--group", bd_groups, "terminal group to target (repeatable)");
  build->add_option("--terminal", bd_terms, "single terminal id to target (repeatable)");
  build->add_option("--rollout-percent", bd_percent, "share of eligible terminals (cohort hash)");
  build->add_option("--notes", bd_notes);
  build->add_option("-o,--out", bd_out, "output directory")->required();
  build->callback([] {
    guarded([] {
      auto files = read_dir(bd_dir);
      validate_content(files);
      auto tar = build_tar_zst(files);
      Release r;
      r.version = bd_version;
      r.expires = parse_time(bd_expires);
      r.channel = bd_channel;
      r.notes = bd_notes;
      r.targets = {bd_regions, bd_groups, bd_terms, static_cast<std::uint32_t>(bd_percent * 100 + 0.5)};
      r.files = manifest(files);
      r.bundle = {sha256_hex(tar), tar.size()};
      auto text = release_json(r);
      parse_release(text);
      fs::create_directories(bd_out);
      auto bundle_path = fs::path(bd_out) / (r.bundle.sha256 + ".tar.zst");
      write_out(bundle_path, tar);
      write_out(fs::path(bd_out) / "release.json", envelope_text(Envelope{text, {}}));
      std::cout << "release v" << r.version << " (" << r.channel << "): " << files.size() << " files, bundle "
                << bundle_path.string() << " (" << tar.size() << " bytes), "
                << (fs::path(bd_out) / "release.json").string() << " (unsigned)\n";
    });
  });

  // sign
  auto* signc = b->add_subcommand("sign", "add a signature to a root or release envelope (in place)");
  static std::string sg_file, sg_key, sg_comment;
  signc->add_option("FILE", sg_file)->required();
  signc->add_option("--key", sg_key, "secret key (.key)")->required();
  signc->add_option("--comment", sg_comment, "trusted comment");
  signc->callback([] {
    guarded([] {
      auto env = parse_envelope(slurp(sg_file));
      auto key = parse_secret_key(slurp(sg_key));
      std::string what = "metadata";
      try {
        what = "release v" + std::to_string(parse_release(env.signed_text).version);
      } catch (const OpsError&) {
        what = "root v" + std::to_string(parse_root(env.signed_text).version);
      }
      add_signature(env, key, sg_comment.empty() ? "kiosk " + what : sg_comment);
      write_file_durable(sg_file, envelope_text(env));
      std::cout << sg_file << ": " << what << " signed by " << key_id_hex(key.id) << " ("
                << env.signatures.size() << " signature(s))\n";
    });
  });

  // verify
  auto* verifyc = b->add_subcommand("verify", "verify a root or release as a terminal would");
  static std::string vf_file, vf_root, vf_bundle, vf_now;
  verifyc->add_option("FILE", vf_file)->required();
  verifyc->add_option("--root", vf_root, "trusted root envelope (anchor)")->required();
  verifyc->add_option("--bundle", vf_bundle, "bundle to check against the release");
  verifyc->add_option("--now", vf_now, "time for expiry checks (default: now)");
  verifyc->callback([] {
    guarded([] {
      auto now = vf_now.empty()
                     ? std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now())
                     : parse_time(vf_now);
      Root trusted = verify_root_self(parse_envelope(slurp(vf_root)));
      auto env = parse_envelope(slurp(vf_file));
      bool is_root = false;
      try {
        parse_root(env.signed_text);
        is_root = true;
      } catch (const OpsError&) {
      }
      if (is_root) {
        auto r = parse_root(env.signed_text).version == trusted.version ? verify_root_self(env)
                                                                        : verify_root_successor(trusted, env);
        if (r.expires <= now) throw OpsError(Reason::expired, "root expired at " + format_time(r.expires));
        std::cout << vf_file << ": OK root v" << r.version << " (expires " << format_time(r.expires) << ")\n";
        return;
      }
      auto rel = verify_release(trusted, env, now);
      std::cout << vf_file << ": OK release v" << rel.version << " (" << rel.channel << ", expires "
                << format_time(rel.expires) << ", " << rel.files.size() << " files)\n";
      if (!vf_bundle.empty()) {
        auto bytes = slurp(vf_bundle);
        if (bytes.size() < rel.bundle.size)
          throw OpsError(Reason::truncated, "bundle is shorter than signed");
        if (bytes.size() > rel.bundle.size) throw OpsError(Reason::too_large, "bundle is longer than signed");
        if (sha256_hex(bytes) != rel.bundle.sha256)
          throw OpsError(Reason::hash_mismatch, "bundle sha256 differs");
        auto files = read_tar(bytes);
        check_against(files, rel.files);
        validate_content(files);
        std::cout << vf_bundle << ": OK bundle matches\n";
      }
    });
  });

  // publish
  auto* pub = b->add_subcommand("publish", "lay out signed metadata and bundle for any static host");
  static std::string pb_out, pb_release, pb_bundle;
  static std::vector<std::string> pb_roots;
  pub->add_option("OUT_DIR", pb_out)->required();
  pub->add_option("--release", pb_release, "signed release.json");
  pub->add_option("--bundle", pb_bundle, "bundle .tar.zst of the release");
  pub->add_option("--root", pb_roots, "signed N.root.json to publish (repeatable)");
  pub->callback([] {
    guarded([] {
      for (auto& r : pb_roots) {
        publish_root(pb_out, slurp(r));
        std::cout << "published root " << r << "\n";
      }
      if (!pb_release.empty()) {
        if (pb_bundle.empty()) throw OpsError(Reason::schema, "--release needs --bundle");
        auto rel = publish_release(pb_out, slurp(pb_release), slurp(pb_bundle));
        std::cout << "published release v" << rel.version << " → " << pb_out << "/" << rel.channel
                  << "/release.json, " << pb_out << "/" << rel.bundle_path() << "\n";
      }
    });
  });

  // diff
  auto* d = b->add_subcommand("diff", "what changes between two bundles or config directories");
  static std::string df_a, df_b;
  d->add_option("OLD", df_a, "bundle .tar.zst or directory")->required();
  d->add_option("NEW", df_b, "bundle .tar.zst or directory")->required();
  d->callback([] {
    guarded([] {
      auto lines = diff(load_files(df_a), load_files(df_b));
      if (lines.empty()) std::cout << "no changes\n";
      for (auto& l : lines) std::cout << l << "\n";
    });
  });
});

}  // namespace
}  // namespace kiosk::tools
