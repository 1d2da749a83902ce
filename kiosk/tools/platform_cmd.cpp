// kioskctl platform ping | endpoints; kioskctl outbox list | purge; kioskctl journal list.
// Output carries masked identity only (the outbox payload is never decrypted here).
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "kiosk/platform/curl_client.hpp"
#include "kiosk/platform/messages.hpp"
#include "kiosk/store/store.hpp"
#include "kiosk/tools/command_registry.hpp"

namespace kiosk::tools {
namespace {

std::string when(std::int64_t ms) {
  if (ms <= 0) return "-";
  std::time_t t = ms / 1000;
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

struct StoreArgs {
  std::string config = "/etc/kiosk/platform.toml";
  std::string db, key;
};

void add_store_options(CLI::App* app, StoreArgs& a) {
  app->add_option("--config", a.config, "platform.toml with an [outbox] table")->capture_default_str();
  app->add_option("--db", a.db, "store database (overrides the config)");
  app->add_option("--key", a.key, "device key file (overrides the config)");
}

// Opens an existing store only: a wrong path must not create a fresh database or device key.
std::unique_ptr<store::Store> open_store(const StoreArgs& a) {
  store::StoreConfig c;
  if (std::filesystem::exists(a.config)) c = store::load_store_config(a.config);
  if (!a.db.empty()) c.db_path = a.db;
  if (!a.key.empty()) c.key_file = a.key;
  if (c.db_path.empty() || !std::filesystem::exists(c.db_path))
    throw std::runtime_error("no store database at '" + c.db_path + "' (use --db/--key or --config)");
  if (c.key_file.empty() || !std::filesystem::exists(c.key_file))
    throw std::runtime_error("no device key at '" + c.key_file + "'");
  return std::make_unique<store::Store>(c);
}

CommandRegistrar platform_reg("platform", [](CLI::App& root) {
  auto* platform = root.add_subcommand("platform", "talk to the 一体化政务服务平台 (or its simulator)");
  platform->require_subcommand(1);

  auto* ping =
      platform->add_subcommand("ping", "send a heartbeat; prints status, transaction number and time");
  static std::string config_file, url;
  static bool demo = false;
  ping->add_option("--config", config_file, "platform.toml (default: built-in defaults)");
  ping->add_option("--url", url, "base URL (overrides the config)");
  ping->add_flag("--demo", demo, "non-production mode (plain http to a local simulator allowed)");
  ping->callback([] {
    try {
      platform::ClientConfig cfg =
          config_file.empty() ? platform::ClientConfig{} : platform::load_client_config(config_file);
      if (!url.empty()) cfg.base_url = url;
      if (demo) cfg.production = false;
      platform::CurlPlatformClient client(cfg);
      for (auto& e : client.errors()) std::cerr << "config: " << e << "\n";
      auto r =
          platform::call(client, platform::make_request(platform::Endpoint::Heartbeat, cfg.terminal_id,
                                                        platform::HeartbeatRequest{"maintenance", 0, 0}));
      if (r.ok()) {
        std::cout << "OK " << cfg.base_url << " http=" << r.http_status
                  << " txn=" << r.reply.transaction_number << " " << r.elapsed.count() << " ms, "
                  << r.attempts << " attempt(s)\n";
      } else {
        auto ex = platform::explain(r.error.kind);
        std::cout << "FAIL " << cfg.base_url << " " << platform::to_string(r.error.kind) << ": "
                  << r.error.detail << " (http=" << r.http_status << ", " << r.attempts << " attempt(s))\n  "
                  << ex.zh << "\n  " << ex.en << "\n";
        exit_code() = 1;
      }
    } catch (const std::exception& e) {
      std::cerr << "kioskctl platform ping: " << e.what() << "\n";
      exit_code() = 2;
    }
  });

  auto* eps = platform->add_subcommand("endpoints", "list the platform API endpoints and their retry policy");
  eps->callback([] {
    for (auto& e : platform::all_endpoints())
      std::cout << std::left << std::setw(24) << platform::path_of(e.endpoint)
                << (e.safe ? " safe" : " keyed") << (e.deferrable ? " deferrable" : "") << "\n";
  });
});

CommandRegistrar outbox_reg("outbox", [](CLI::App& root) {
  auto* outbox =
      root.add_subcommand("outbox", "inspect the encrypted outbox (masked; payloads are never shown)");
  outbox->require_subcommand(1);
  static StoreArgs args;
  static std::string state;
  auto* list = outbox->add_subcommand("list", "list outbox items");
  add_store_options(list, args);
  list->add_option("--state", state, "pending | delivered | failed")
      ->check(CLI::IsMember({"pending", "delivered", "failed"}));
  list->callback([] {
    try {
      auto s = open_store(args);
      std::optional<store::OutboxState> st;
      if (state == "pending") st = store::OutboxState::Pending;
      if (state == "delivered") st = store::OutboxState::Delivered;
      if (state == "failed") st = store::OutboxState::Failed;
      auto items = s->list(st);
      std::cout << items.size() << " item(s), " << s->pending_count() << " pending\n";
      for (auto& i : items)
        std::cout << "#" << i.id << " " << store::to_string(i.state) << " " << i.endpoint << " [" << i.label
                  << "] attempts=" << i.attempts << " created=" << when(i.created_ms)
                  << (i.state == store::OutboxState::Pending ? " next=" + when(i.next_attempt_ms) : "")
                  << (i.transaction_number.empty() ? "" : " txn=" + i.transaction_number)
                  << (i.last_error.empty() ? "" : " error=\"" + i.last_error + "\"") << "\n";
    } catch (const std::exception& e) {
      std::cerr << "kioskctl outbox list: " << e.what() << "\n";
      exit_code() = 1;
    }
  });
  auto* purge =
      outbox->add_subcommand("purge", "delete delivered/failed items and journal rows past retention");
  add_store_options(purge, args);
  purge->callback([] {
    try {
      std::cout << "purged " << open_store(args)->purge() << " row(s)\n";
    } catch (const std::exception& e) {
      std::cerr << "kioskctl outbox purge: " << e.what() << "\n";
      exit_code() = 1;
    }
  });
});

CommandRegistrar journal_reg("journal", [](CLI::App& root) {
  auto* journal = root.add_subcommand("journal", "transactions handled by this terminal (masked identity)");
  journal->require_subcommand(1);
  static StoreArgs args;
  static int limit = 20;
  auto* list = journal->add_subcommand("list", "recent transactions and counters");
  add_store_options(list, args);
  list->add_option("-n,--limit", limit, "rows")->capture_default_str();
  list->callback([] {
    try {
      auto s = open_store(args);
      for (auto& e : s->journal_recent(limit))
        std::cout << when(e.started_ms) << " " << e.item_code << " " << e.masked_name << " " << e.masked_id
                  << " " << e.outcome << " " << e.duration_ms() << "ms"
                  << (e.transaction_number.empty() ? "" : " " + e.transaction_number)
                  << (e.error_kind.empty() ? "" : " (" + e.error_kind + ")") << "\n";
      auto c = s->journal_counters();
      std::cout << "total " << c.total << ", mean " << static_cast<long>(c.mean_duration_ms) << " ms";
      for (auto& [k, v] : c.by_outcome) std::cout << ", " << k << " " << v;
      std::cout << "\n";
    } catch (const std::exception& e) {
      std::cerr << "kioskctl journal list: " << e.what() << "\n";
      exit_code() = 1;
    }
  });
});

}  // namespace
}  // namespace kiosk::tools
