// Real servers on loopback for the ops integration tests, started by the test itself: nginx serving a
// published static layout (access log "<status> <uri>") and mosquitto as the broker; an ops-side
// MQTT observer keeping the newest message per topic.
#pragma once

#include <fcntl.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "tests/unit/ops/ops_fixture.hpp"

namespace ops_test {

using namespace std::chrono_literals;
using nlohmann::json;

int free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

bool port_open(int port) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(s);
  return ok;
}

struct Server {
  pid_t pid = -1;
  Server(std::vector<std::string> argv, const fs::path& log) {
    pid = ::fork();
    if (pid == 0) {
      auto out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, 1);
      ::dup2(out, 2);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Server() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

bool wait_until(std::chrono::milliseconds limit, const std::function<bool()>& cond) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(25ms);
  }
  return cond();
}

// What ops sees: the newest message per topic.
struct Observer {
  mosquitto* m = nullptr;
  std::mutex mu;
  std::map<std::string, std::string> last;
  int staff_calls = 0;
  int metrics = 0;
  explicit Observer(int port) {
    m = mosquitto_new("ops-observer", true, this);
    mosquitto_message_callback_set(m, [](mosquitto*, void* self, const mosquitto_message* msg) {
      auto* o = static_cast<Observer*>(self);
      std::string topic = msg->topic,
                  payload(static_cast<const char*>(msg->payload), static_cast<std::size_t>(msg->payloadlen));
      std::lock_guard lk(o->mu);
      o->last[topic] = payload;
      if (topic.ends_with("/event") && payload.find("staff_call") != std::string::npos) ++o->staff_calls;
      if (topic.ends_with("/metrics")) ++o->metrics;
    });
    mosquitto_connect_callback_set(
        m, [](mosquitto* mm, void*, int) { mosquitto_subscribe(mm, nullptr, "kiosk/#", 1); });
    REQUIRE(mosquitto_connect(m, "127.0.0.1", port, 30) == MOSQ_ERR_SUCCESS);
    mosquitto_loop_start(m);
  }
  ~Observer() {
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    mosquitto_destroy(m);
  }
  std::optional<json> get(const std::string& topic) {
    std::lock_guard lk(mu);
    auto it = last.find(topic);
    if (it == last.end()) return std::nullopt;
    return json::parse(it->second);
  }
};

struct LoopbackServers {
  fs::path run;
  int http_port = free_port(), mqtt_port = free_port();
  std::unique_ptr<Server> broker, web;
  LoopbackServers(const fs::path& pub, fs::path run_dir) : run(std::move(run_dir)) {
    fs::create_directories(run);
    fs::create_directories(pub);
    const auto& repo_pub = pub;
    spit(run / "mosquitto.conf", "listener " + std::to_string(mqtt_port) +
                                     " 127.0.0.1\nallow_anonymous true\n"
                                     "persistence false\nmax_keepalive 60\n");
    spit(run / "nginx.conf", "daemon off;\nmaster_process off;\nworker_processes 1;\nuser root;\npid " +
                                 (run / "nginx.pid").string() + ";\nerror_log " +
                                 (run / "nginx-error.log").string() +
                                 " warn;\nevents { worker_connections 512; }\n"
                                 "http {\n  log_format st '$status $uri';\n  access_log " +
                                 (run / "access.log").string() +
                                 " st;\n"
                                 "  client_body_temp_path " +
                                 run.string() + "/cb;\n  proxy_temp_path " + run.string() +
                                 "/px;\n"
                                 "  fastcgi_temp_path " +
                                 run.string() + "/fc;\n  uwsgi_temp_path " + run.string() +
                                 "/uw;\n"
                                 "  scgi_temp_path " +
                                 run.string() +
                                 "/sc;\n"
                                 "  server {\n    listen 127.0.0.1:" +
                                 std::to_string(http_port) + ";\n    root " + repo_pub.string() +
                                 ";\n    location /bundles/ { add_header Cache-Control \"public, "
                                 "max-age=31536000, immutable\"; }\n"
                                 "    location / { add_header Cache-Control \"max-age=60\"; }\n  }\n}\n");
    broker = std::make_unique<Server>(
        std::vector<std::string>{"/usr/sbin/mosquitto", "-c", (run / "mosquitto.conf").string()},
        run / "mosquitto.log");
    web = std::make_unique<Server>(
        std::vector<std::string>{"/usr/sbin/nginx", "-p", run.string(), "-e",
                                 (run / "nginx-error.log").string(), "-c", (run / "nginx.conf").string()},
        run / "nginx.out");
    REQUIRE(wait_until(5s, [&] { return port_open(mqtt_port) && port_open(http_port); }));
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(http_port) + "/"; }
  std::size_t count_in_access_log(const std::string& needle) const {
    auto log = slurp(run / "access.log");
    std::size_t c = 0;
    for (auto p = log.find(needle); p != std::string::npos; p = log.find(needle, p + 1)) ++c;
    return c;
  }
};

}  // namespace ops_test
