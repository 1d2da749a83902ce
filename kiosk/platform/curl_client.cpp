#include "kiosk/platform/curl_client.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <list>
#include <mutex>
#include <random>
#include <thread>

namespace kiosk::platform {

namespace {
using Clock = std::chrono::steady_clock;

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct Job {
  Request request;
  PlatformClient::Callback done;
  std::string body;
  int attempts = 0;
  Clock::time_point started;
  Clock::time_point not_before;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string response;
  bool too_large = false;
  std::size_t limit = 0;
  char curl_error[CURL_ERROR_SIZE] = {};
};

std::size_t on_write(char* ptr, std::size_t size, std::size_t nmemb, void* user) {
  auto* job = static_cast<Job*>(user);
  std::size_t n = size * nmemb;
  if (job->response.size() + n > job->limit) {
    job->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  job->response.append(ptr, n);
  return n;
}

ErrorKind classify(CURLcode rc, bool too_large) {
  switch (rc) {
    case CURLE_OK:
      return ErrorKind::None;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return ErrorKind::Offline;
    case CURLE_OPERATION_TIMEDOUT:
      return ErrorKind::Timeout;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
      return ErrorKind::Tls;
    case CURLE_FILESIZE_EXCEEDED:
      return ErrorKind::TooLarge;
    case CURLE_WRITE_ERROR:
      return too_large ? ErrorKind::TooLarge : ErrorKind::Dropped;
    case CURLE_BAD_CONTENT_ENCODING:
      return ErrorKind::Malformed;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return ErrorKind::Dropped;
    default:
      return ErrorKind::Offline;
  }
}
}  // namespace

struct CurlPlatformClient::Impl {
  ClientConfig cfg;
  std::vector<std::string> errors;
  bool refuse_all = false;  // config is unusable: every request fails with ErrorKind::Config
  CURLM* multi = nullptr;
  std::thread worker;
  mutable std::mutex mu;
  std::deque<std::unique_ptr<Job>> incoming;  // guarded by mu
  bool stopping = false;                      // guarded by mu
  std::atomic<std::size_t> in_flight{0};
  // Worker-thread only:
  std::list<std::unique_ptr<Job>> waiting;  // queued or backing off
  std::list<std::unique_ptr<Job>> active;   // attached to the multi handle
  std::mt19937_64 rng{std::random_device{}()};

  void run();
  void start(Job& job);
  void finish(std::unique_ptr<Job> job, CURLcode rc);
  void complete(Job& job, Response r);
};

CurlPlatformClient::CurlPlatformClient(ClientConfig config) : impl_(std::make_unique<Impl>()) {
  static CurlGlobal global;
  impl_->errors = config_errors(config);
  if (config.production && !config.verify_tls) {
    spdlog::error("platform: TLS verification cannot be disabled in production mode; setting ignored");
    config.verify_tls = true;
  }
  for (auto& e : impl_->errors) {
    if (e.find("ignored") == std::string::npos) impl_->refuse_all = true;
    spdlog::error("platform: config: {}", e);
  }
  impl_->cfg = std::move(config);
  impl_->multi = curl_multi_init();
  // A terminal needs few parallel connections; more requests queue inside libcurl.
  curl_multi_setopt(impl_->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 6L);
  curl_multi_setopt(impl_->multi, CURLMOPT_MAXCONNECTS, 8L);
  impl_->worker = std::thread([this] { impl_->run(); });
}

CurlPlatformClient::~CurlPlatformClient() {
  {
    std::lock_guard lk(impl_->mu);
    impl_->stopping = true;
  }
  curl_multi_wakeup(impl_->multi);
  impl_->worker.join();
  curl_multi_cleanup(impl_->multi);
}

const ClientConfig& CurlPlatformClient::effective_config() const {
  return impl_->cfg;
}
const std::vector<std::string>& CurlPlatformClient::errors() const {
  return impl_->errors;
}
std::size_t CurlPlatformClient::in_flight() const {
  return impl_->in_flight.load();
}

void CurlPlatformClient::submit(Request request, Callback done) {
  auto job = std::make_unique<Job>();
  if (request.terminal_id.empty()) request.terminal_id = impl_->cfg.terminal_id;
  if (request.request_id.empty()) request.request_id = new_request_id();
  job->request = std::move(request);
  job->done = std::move(done);
  job->body = encode_request(job->request);
  job->limit = impl_->cfg.max_response_bytes;
  job->started = Clock::now();
  job->not_before = job->started;
  impl_->in_flight++;
  {
    std::lock_guard lk(impl_->mu);
    impl_->incoming.push_back(std::move(job));
  }
  curl_multi_wakeup(impl_->multi);
}

void CurlPlatformClient::Impl::complete(Job& job, Response r) {
  r.attempts = job.attempts;
  r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - job.started);
  spdlog::info("platform: {} request {} -> {} http={} code={} attempts={} {}ms",
               info(job.request.endpoint).name, job.request.request_id, to_string(r.error.kind),
               r.http_status, r.reply.code, r.attempts, r.elapsed.count());
  in_flight--;
  try {
    if (job.done) job.done(std::move(r));
  } catch (const std::exception& e) {
    spdlog::error("platform: callback threw: {}", e.what());
  }
}

void CurlPlatformClient::Impl::start(Job& job) {
  job.attempts++;
  job.response.clear();
  job.too_large = false;
  job.curl_error[0] = '\0';
  CURL* h = curl_easy_init();
  job.easy = h;
  std::string url = cfg.base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += path_of(job.request.endpoint);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, job.body.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(job.body.size()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(cfg.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(cfg.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate/br as libcurl supports
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(cfg.max_response_bytes));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &job);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, job.curl_error);
  curl_easy_setopt(h, CURLOPT_PRIVATE, &job);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  const bool verify = cfg.production || cfg.verify_tls;
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
  if (!cfg.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, cfg.ca_file.c_str());
  if (!cfg.client_cert.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, cfg.client_cert.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, cfg.client_key.c_str());
  }
  curl_slist* hs = nullptr;
  hs = curl_slist_append(hs, "Content-Type: application/json; charset=utf-8");
  hs = curl_slist_append(hs, "Accept: application/json");
  hs = curl_slist_append(hs, "Expect:");
  hs = curl_slist_append(hs, ("X-Terminal-Id: " + job.request.terminal_id).c_str());
  hs = curl_slist_append(hs, ("X-Request-Id: " + job.request.request_id).c_str());
  if (!job.request.idempotency_key.empty())
    hs = curl_slist_append(hs, ("Idempotency-Key: " + job.request.idempotency_key).c_str());
  if (!cfg.terminal_region.empty())
    hs = curl_slist_append(hs, ("X-Terminal-Region: " + cfg.terminal_region).c_str());
  job.headers = hs;
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
  curl_multi_add_handle(multi, h);
}

void CurlPlatformClient::Impl::finish(std::unique_ptr<Job> job, CURLcode rc) {
  long status = 0;
  curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &status);
  curl_multi_remove_handle(multi, job->easy);
  curl_easy_cleanup(job->easy);
  job->easy = nullptr;
  curl_slist_free_all(job->headers);
  job->headers = nullptr;

  Response r;
  r.http_status = static_cast<int>(status);
  r.error.kind = classify(rc, job->too_large);
  if (r.error) {
    r.error.detail = job->curl_error[0] ? job->curl_error : curl_easy_strerror(rc);
  } else if (status >= 500 || status == 429) {
    r.error = {ErrorKind::Server, "HTTP " + std::to_string(status)};
  } else {
    auto parsed = decode_reply(job->response);
    if (parsed.reply) {
      r.reply = std::move(*parsed.reply);
      if (!r.reply.ok())
        r.error = {ErrorKind::Rejected, "platform code " + r.reply.code};
      else if (status < 200 || status >= 300)
        r.error = {ErrorKind::Malformed, "HTTP " + std::to_string(status) + " with an OK reply"};
    } else if (status >= 400) {
      r.reply.code = "HTTP_" + std::to_string(status);
      r.error = {ErrorKind::Rejected, "HTTP " + std::to_string(status)};
    } else {
      r.error = {ErrorKind::Malformed, parsed.error};
    }
  }

  const auto& ep = info(job->request.endpoint);
  const bool retry_allowed = ep.safe || !job->request.idempotency_key.empty();
  if (r.error && is_transient(r.error.kind) && retry_allowed && job->attempts < cfg.max_attempts) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    auto delay = backoff_delay(cfg, job->attempts - 1, unit(rng));
    spdlog::warn("platform: {} request {} attempt {} failed ({}: {}), retry in {}ms", ep.name,
                 job->request.request_id, job->attempts, to_string(r.error.kind), r.error.detail,
                 delay.count());
    job->not_before = Clock::now() + delay;
    waiting.push_back(std::move(job));
    return;
  }
  complete(*job, std::move(r));
}

void CurlPlatformClient::Impl::run() {
  for (;;) {
    {
      std::lock_guard lk(mu);
      if (stopping) break;
      while (!incoming.empty()) {
        waiting.push_back(std::move(incoming.front()));
        incoming.pop_front();
      }
    }
    auto now = Clock::now();
    for (auto it = waiting.begin(); it != waiting.end();) {
      if ((*it)->not_before <= now) {
        if (refuse_all) {
          Response r;
          r.error = {ErrorKind::Config, errors.empty() ? "invalid configuration" : errors.front()};
          complete(**it, std::move(r));
        } else {
          start(**it);
          active.push_back(std::move(*it));
        }
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      Job* raw = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &raw);
      CURLcode rc = m->data.result;
      auto it = std::find_if(active.begin(), active.end(), [&](auto& j) { return j.get() == raw; });
      if (it == active.end()) continue;
      auto job = std::move(*it);
      active.erase(it);
      finish(std::move(job), rc);
    }
    // Sleep in the kernel until socket activity, a wakeup (submit/stop) or the next backoff expiry.
    int timeout_ms = 1000;
    now = Clock::now();
    for (auto& j : waiting) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(j->not_before - now).count();
      timeout_ms = std::clamp(static_cast<int>(ms), 0, timeout_ms);
    }
    curl_multi_poll(multi, nullptr, 0, timeout_ms, nullptr);
  }
  // Shutdown: every outstanding request completes with Cancelled.
  std::list<std::unique_ptr<Job>> rest;
  {
    std::lock_guard lk(mu);
    for (auto& j : incoming) rest.push_back(std::move(j));
    incoming.clear();
  }
  for (auto& j : active) {
    curl_multi_remove_handle(multi, j->easy);
    curl_easy_cleanup(j->easy);
    curl_slist_free_all(j->headers);
    rest.push_back(std::move(j));
  }
  active.clear();
  for (auto& j : waiting) rest.push_back(std::move(j));
  waiting.clear();
  for (auto& j : rest) {
    Response r;
    r.error = {ErrorKind::Cancelled, "client shut down"};
    complete(*j, std::move(r));
  }
}

}  // namespace kiosk::platform
