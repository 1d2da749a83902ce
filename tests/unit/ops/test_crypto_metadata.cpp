// minisign format, metadata schema, thresholds, bundle format and diff.
#include <archive.h>
#include <archive_entry.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "tests/unit/ops/ops_fixture.hpp"

using namespace ops_test;

namespace {
Reason reason_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const OpsError& e) {
    return e.reason();
  }
  FAIL("expected an OpsError");
  return Reason::io;
}
}  // namespace

TEST_CASE("minisign keys and signatures round-trip and detect tampering", "[ops][minisign]") {
  auto k = generate_key();
  auto k2 = parse_secret_key(k.file_text());
  REQUIRE(k2.id == k.id);
  REQUIRE(k2.sk == k.sk);
  auto pub = parse_public_key(k.public_key().file_text());
  REQUIRE(pub.pk == k.public_key().pk);
  REQUIRE(key_id_hex(pub.id).size() == 16);

  auto sig = sign(k, "hello bundle", "release v1");
  auto parsed = parse_signature(signature_file_text(sig));
  REQUIRE(parsed.prehashed);
  CHECK(verify(pub, parsed, "hello bundle"));
  CHECK_FALSE(verify(pub, parsed, "hello bundlE"));
  auto forged = parsed;
  forged.trusted_comment = "release v9";  // trusted comment is covered by the global signature
  CHECK_FALSE(verify(pub, forged, "hello bundle"));
  CHECK_FALSE(verify(generate_key().public_key(), parsed, "hello bundle"));

  CHECK(reason_of([] { parse_signature("untrusted comment: x\nRUQ=\ntrusted comment: y\nAAAA\n"); }) ==
        Reason::malformed);
  CHECK(reason_of([] { parse_public_key("not base64 !!"); }) == Reason::malformed);
  CHECK(reason_of([] { parse_signature("only one line"); }) == Reason::malformed);
  auto corrupt = k.file_text();
  corrupt[corrupt.size() - 10] = corrupt[corrupt.size() - 10] == 'A' ? 'B' : 'A';
  CHECK(reason_of([&] { parse_secret_key(corrupt); }) == Reason::malformed);
}

TEST_CASE("metadata schema is explicit and errors are clear", "[ops][metadata]") {
  TestRepo repo;
  auto b = repo.build(3, config_v(1));
  auto rel = parse_release(b.env.signed_text);
  CHECK(rel.version == 3);
  CHECK(rel.files.size() == 5);
  CHECK(parse_release(release_json(rel)).bundle == rel.bundle);

  auto bad = [](std::string text) {
    try {
      parse_release(text);
    } catch (const OpsError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK_THAT(bad("{\"type\":\"release\"}"), Catch::Contains("missing field 'version'"));
  CHECK_THAT(bad("[1,2]"), Catch::Contains("top level must be an object"));
  CHECK_THAT(bad("{"), Catch::Contains("not valid JSON"));
  auto j = release_json(rel);
  auto replace = [&](std::string from, std::string to) {
    auto s = j;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  CHECK_THAT(bad(replace("\"version\": 3", "\"version\": \"3\"")),
             Catch::Contains("'version' has the wrong type"));
  CHECK_THAT(bad(replace("2027-01-01T00:00:00Z", "2027-13-01T00:00:00Z")), Catch::Contains("out of range"));
  CHECK_THAT(bad(replace("\"stable\"", "\"Stable!\"")), Catch::Contains("channel"));
  CHECK_THAT(bad(std::string(300, '[')), Catch::Contains("nested too deeply"));
  CHECK(format_time(parse_time("2026-02-28T23:59:59Z")) == "2026-02-28T23:59:59Z");
}

TEST_CASE("thresholds count distinct trusted keys", "[ops][metadata]") {
  TestRepo repo;
  auto text = release_json(repo.build(2, config_v(1)).rel);
  auto now = fixed_now();
  auto one = TestRepo::sign_env(text, {&repo.rel_keys[0]});
  CHECK(reason_of([&] { verify_release(repo.root, one, now); }) == Reason::below_threshold);
  auto dup = one;
  dup.signatures.push_back(dup.signatures[0]);  // same key twice counts once
  CHECK(reason_of([&] { verify_release(repo.root, dup, now); }) == Reason::below_threshold);
  Envelope none{text, {}};
  CHECK(reason_of([&] { verify_release(repo.root, none, now); }) == Reason::unsigned_metadata);
  auto stranger = generate_key(), stranger2 = generate_key();
  auto foreign = TestRepo::sign_env(text, {&stranger, &stranger2});
  CHECK(reason_of([&] { verify_release(repo.root, foreign, now); }) == Reason::unknown_key);
  auto wrong_role = TestRepo::sign_env(text, {&repo.root_keys[0], &repo.root_keys[1]});
  CHECK(reason_of([&] { verify_release(repo.root, wrong_role, now); }) == Reason::unknown_key);
  auto good = TestRepo::sign_env(text, {&repo.rel_keys[0], &repo.rel_keys[2]});
  CHECK(verify_release(repo.root, good, now).version == 2);
  good.signed_text += " ";
  CHECK(reason_of([&] { verify_release(repo.root, good, now); }) == Reason::bad_signature);
}

TEST_CASE("root rotation needs the old and the new threshold", "[ops][metadata]") {
  TestRepo repo;
  SecretKey nk[3] = {generate_key(), generate_key(), generate_key()};
  SecretKey nrel[3] = {generate_key(), generate_key(), generate_key()};
  auto r2 = TestRepo::make_root(2, nk, nrel);
  auto text = root_json(r2);
  auto both = TestRepo::sign_env(text, {&repo.root_keys[0], &repo.root_keys[2], &nk[0], &nk[1]});
  CHECK(verify_root_successor(repo.root, both).version == 2);
  auto only_new = TestRepo::sign_env(text, {&nk[0], &nk[1], &nk[2]});
  CHECK(reason_of([&] { verify_root_successor(repo.root, only_new); }) == Reason::unknown_key);
  auto one_old = TestRepo::sign_env(text, {&repo.root_keys[0], &nk[0], &nk[1]});
  CHECK(reason_of([&] { verify_root_successor(repo.root, one_old); }) == Reason::below_threshold);
  auto r3 = TestRepo::make_root(3, nk, nrel);
  auto skip = TestRepo::sign_env(root_json(r3), {&repo.root_keys[0], &repo.root_keys[1], &nk[0], &nk[1]});
  CHECK(reason_of([&] { verify_root_successor(repo.root, skip); }) == Reason::older_version);
}

TEST_CASE("bundles are deterministic, validated and diffed in human terms", "[ops][bundle]") {
  auto a = config_v(1), b = config_v(2);
  REQUIRE(build_tar_zst(a) == build_tar_zst(a));
  CHECK(read_tar(build_tar_zst(a)) == a);
  validate_content(a);

  auto bad_toml = a;
  bad_toml["settings.toml"] = "[session\nx=1\n";
  CHECK(reason_of([&] { validate_content(bad_toml); }) == Reason::schema);
  auto bad_tsv = a;
  bad_tsv["catalog/items.tsv"] += "KS-B\tx\ty\n";
  CHECK(reason_of([&] { validate_content(bad_tsv); }) == Reason::schema);
  auto bad_utf8 = a;
  bad_utf8["strings/en.toml"] = "x = \"\xff\"\n";
  CHECK(reason_of([&] { validate_content(bad_utf8); }) == Reason::schema);

  for (auto p : {"../etc/passwd", "/abs", "a/../b", ".hidden", "a//b", "sp ace"})
    CHECK(reason_of([&] { check_bundle_path(p); }) == Reason::bad_path);

  // A hand-made tar with a traversal entry is refused by the reader.
  std::string buf(1 << 16, '\0');
  std::size_t used = 0;
  archive* w = archive_write_new();
  archive_write_set_format_pax_restricted(w);
  archive_write_open_memory(w, buf.data(), buf.size(), &used);
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "../evil.toml");
  archive_entry_set_size(e, 2);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_write_header(w, e);
  archive_write_data(w, "x\n", 2);
  archive_entry_free(e);
  archive_write_close(w);
  archive_write_free(w);
  buf.resize(used);
  CHECK(reason_of([&] { read_tar(buf); }) == Reason::bad_path);

  auto tar = build_tar_zst(a);
  try {
    read_tar(tar.substr(0, tar.size() / 2));
    FAIL("half a bundle was accepted");
  } catch (const OpsError& err) {
    INFO(err.what());
    CHECK((err.reason() == Reason::truncated || err.reason() == Reason::malformed));
  }

  auto d = diff(a, b);
  std::string all;
  for (auto& l : d) all += l + "\n";
  CHECK_THAT(all, Catch::Contains("~ file catalog/items.tsv"));
  CHECK_THAT(all, Catch::Contains("+ item KS-X101 事项1"));
  auto renamed = a;
  renamed["catalog/items.tsv"] = "code\tname\nKS-A001\t学位公证\n";
  auto rd = diff(a, renamed);
  CHECK(std::find(rd.begin(), rd.end(), "    ~ item KS-A001: name \"学历公证\" → \"学位公证\"") != rd.end());
  CHECK_THAT(all, Catch::Contains("~ home.prompt: \"请选择要办理的事项 v1\" → \"请选择要办理的事项 v2\""));
  CHECK_THAT(all, Catch::Contains("~ file receipt/default.tmpl (content changed)"));
  auto c = b;
  c.erase("receipt/default.tmpl");
  c["flows/new.toml"] = "x = 1\n";
  d = diff(b, c);
  CHECK(std::find(d.begin(), d.end(), "- file receipt/default.tmpl") != d.end());
  CHECK(std::find(d.begin(), d.end(), "+ file flows/new.toml (6 bytes)") != d.end());
}

TEST_CASE("eligibility by region prefix, group, terminal and rollout cohort", "[ops][metadata]") {
  Release r;
  r.version = 5;
  TerminalIdentity t{"T-1", "410100", "hall-a"};
  CHECK_FALSE(ineligible_reason(r, t));
  r.targets.regions = {"44"};
  CHECK(ineligible_reason(r, t).value() == "region 410100 not targeted");
  r.targets.regions = {"41"};
  CHECK_FALSE(ineligible_reason(r, t));
  r.targets.groups = {"hall-b"};
  CHECK(ineligible_reason(r, t));
  r.targets.groups = {};
  r.targets.rollout_bp = 1000;  // 10 %
  int in = 0;
  for (int i = 0; i < 2000; ++i) in += !ineligible_reason(r, {"T-" + std::to_string(i), "410100", ""});
  CHECK(in > 120);
  CHECK(in < 280);
}
