// The store: device key file, encrypted outbox (no plaintext at rest), journal masking, migrations.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "kiosk/core/identity.hpp"
#include "kiosk/store/store.hpp"

namespace fs = std::filesystem;
using namespace kiosk::store;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/kiosk_store_XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  StoreConfig config() const { return {(path / "store.db").string(), (path / "device.key").string()}; }
};

std::string slurp_all(const fs::path& dir) {
  std::string all;
  for (auto& e : fs::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), {});
  }
  return all;
}

const std::string kId = "410105195803120011";
const std::string kName = "张建国";
const std::string kPayload = R"({"body":{"id_number":"410105195803120011","name":"张建国","face":"AAAA"}})";
}  // namespace

TEST_CASE("device key is created 0600 and reused") {
  TempDir d;
  auto p = (d.path / "device.key").string();
  auto k1 = DeviceKey::load_or_create(p);
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_size == 32);
  auto k2 = DeviceKey::load_or_create(p);
  CHECK(std::equal(k1.data(), k1.data() + 32, k2.data()));
  ::chmod(p.c_str(), 0644);
  CHECK_THROWS_WITH(DeviceKey::load_or_create(p), Catch::Contains("0600"));
  ::chmod(p.c_str(), 0600);
  ::truncate(p.c_str(), 10);
  CHECK_THROWS_WITH(DeviceKey::load_or_create(p), Catch::Contains("wrong size"));
}

TEST_CASE("outbox holds no plaintext ID number or name at rest") {
  TempDir d;
  {
    Store s(d.config());
    s.enqueue("certification_submit", "idem-1", kPayload, "certification 张*国 4101**********0011");
    auto due = s.due();
    REQUIRE(due.size() == 1);
    CHECK(due[0].payload == kPayload);  // decrypts to exactly what went in
    // Delivered-then-purged rows leave no trace either (secure_delete).
    s.enqueue("certification_submit", "idem-2", kPayload, "x");
    s.mark_delivered(due[0].id, "YW1");
    auto all = slurp_all(d.path);  // db + -wal + -shm + key while open
    CHECK(all.find(kId) == std::string::npos);
    CHECK(all.find(kName) == std::string::npos);
    CHECK(all.find("face") == std::string::npos);
    CHECK(all.find("4101**********0011") != std::string::npos);  // the masked label is there
  }
  auto all = slurp_all(d.path);  // after close (WAL checkpointed)
  CHECK(all.find(kId) == std::string::npos);
  CHECK(all.find(kName) == std::string::npos);
}

TEST_CASE("outbox lifecycle: dedup by key, due, retry, deliver, fail, purge") {
  TempDir d;
  auto cfg = d.config();
  cfg.delivered_retention = std::chrono::hours(1);
  Store s(cfg);
  CHECK(s.schema_version() == Store::kSchemaVersion);
  const std::int64_t t0 = 1'700'000'000'000;
  auto a = s.enqueue("certification_submit", "k-a", "A", "a", t0);
  CHECK(s.enqueue("certification_submit", "k-a", "A", "a", t0) == a);  // same key: no duplicate
  auto b = s.enqueue("rating", "k-b", "B", "b", t0);
  CHECK(s.pending_count() == 2);
  CHECK(s.due(t0 - 1).empty());
  s.mark_retry(a, "offline: could not connect", t0 + 5000);
  auto due = s.due(t0 + 1000);
  REQUIRE(due.size() == 1);
  CHECK(due[0].id == b);
  CHECK(s.due(t0 + 5000).size() == 2);
  s.mark_delivered(a, "YW41010020261123000007", t0 + 6000);
  s.mark_failed(b, "rejected: ALREADY_RATED", t0 + 6000);
  CHECK(s.pending_count() == 0);
  auto item = s.find("k-a");
  REQUIRE(item);
  CHECK(item->state == OutboxState::Delivered);
  CHECK(item->attempts == 2);
  CHECK(item->transaction_number == "YW41010020261123000007");
  CHECK(s.list(OutboxState::Failed).size() == 1);
  CHECK(s.purge(t0 + 6000 + 1000) == 0);  // within retention
  CHECK(s.purge(t0 + 6000 + 3'600'001) == 2);
  CHECK(s.list().empty());
}

TEST_CASE("outbox refuses beyond its bound and detects a wrong key or tampering") {
  TempDir d;
  auto cfg = d.config();
  cfg.max_pending = 2;
  {
    Store s(cfg);
    s.enqueue("rating", "k1", "p1", "");
    s.enqueue("rating", "k2", "p2", "");
    CHECK_THROWS_AS(s.enqueue("rating", "k3", "p3", ""), OutboxFull);
  }
  // Another device's key cannot read this outbox.
  fs::remove(cfg.key_file);
  Store other(cfg);
  CHECK_THROWS_WITH(other.due(), Catch::Contains("does not decrypt"));
}

TEST_CASE("journal keeps masked identity only") {
  TempDir d;
  Store s(d.config());
  kiosk::core::Identity who;
  who.name = kName;
  who.id_number = kId;
  auto e = masked_entry(who, "RS-001");
  e.started_ms = 1000;
  e.finished_ms = 4500;
  e.outcome = "success";
  e.transaction_number = "YW41010020261123000001";
  e.terminal_id = "T-1";
  s.journal_add(e);
  // A careless caller passing a raw number is scrubbed on the way in.
  JournalEntry careless = e;
  careless.masked_id = kId;
  careless.outcome = "deferred";
  careless.started_ms = 2000;
  careless.finished_ms = 2500;
  s.journal_add(careless);
  auto recent = s.journal_recent();
  REQUIRE(recent.size() == 2);
  for (auto& r : recent) {
    CHECK(r.masked_id.find("4101") == 0);
    CHECK(r.masked_id != kId);
    CHECK(r.masked_name == "张*国");
  }
  auto found = s.journal_by_transaction("YW41010020261123000001");
  REQUIRE(found);
  CHECK(found->duration_ms() >= 500);
  auto c = s.journal_counters();
  CHECK(c.total == 2);
  CHECK(c.by_outcome["success"] == 1);
  CHECK(c.by_outcome["deferred"] == 1);
  CHECK(c.mean_duration_ms == Approx(2000.0));
  CHECK(slurp_all(d.path).find(kId) == std::string::npos);
}

TEST_CASE("migrations upgrade an old database and refuse a newer one") {
  TempDir d;
  auto cfg = d.config();
  {
    // A version-1 database as the first release wrote it.
    Db db(cfg.db_path);
    db.exec(R"(CREATE TABLE outbox(id INTEGER PRIMARY KEY AUTOINCREMENT, idempotency_key TEXT NOT NULL UNIQUE,
      endpoint TEXT NOT NULL, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, label TEXT NOT NULL DEFAULT '',
      state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL,
      next_attempt_ms INTEGER NOT NULL, delivered_ms INTEGER NOT NULL DEFAULT 0,
      transaction_number TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '');
      CREATE TABLE journal(id INTEGER PRIMARY KEY AUTOINCREMENT, started_ms INTEGER NOT NULL,
      finished_ms INTEGER NOT NULL, item_code TEXT NOT NULL, masked_name TEXT NOT NULL, masked_id TEXT NOT NULL,
      outcome TEXT NOT NULL, transaction_number TEXT NOT NULL DEFAULT '', error_kind TEXT NOT NULL DEFAULT '');
      INSERT INTO journal(started_ms,finished_ms,item_code,masked_name,masked_id,outcome)
        VALUES(1,2,'RS-010','李*英','1301**********0029','success');
      PRAGMA user_version=1;)");
  }
  {
    Store s(cfg);
    CHECK(s.schema_version() == 2);
    auto recent = s.journal_recent();
    REQUIRE(recent.size() == 1);
    CHECK(recent[0].terminal_id.empty());  // new column, default
    CHECK(recent[0].masked_name == "李*英");
  }
  {
    Db db(cfg.db_path);
    db.set_user_version(99);
  }
  CHECK_THROWS_WITH(Store(cfg), Catch::Contains("newer than this build"));
}

TEST_CASE("store config from the shipped platform.toml") {
  auto c = load_store_config(std::string(KIOSK_SOURCE_DIR) + "/config/platform.toml");
  CHECK(c.db_path == "/var/lib/kiosk/store.db");
  CHECK(c.key_file == "/var/lib/kiosk/device.key");
  CHECK(c.delivered_retention == std::chrono::hours(168));
  CHECK(c.max_pending == 10000);
  TempDir d;
  auto bad = d.path / "bad.toml";
  std::ofstream(bad) << "[outbox]\nmax_pending = -1\n";
  CHECK_THROWS_WITH(load_store_config(bad.string()), Catch::Contains("max_pending"));
}
