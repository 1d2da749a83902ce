#include "kiosk/ops/http_fetcher.hpp"

#include <curl/curl.h>

namespace kiosk::ops {

namespace {

struct Sink {
  std::string body;
  std::size_t max = 0;
  bool overflow = false;
  std::string etag;
};

std::size_t on_body(char* p, std::size_t size, std::size_t n, void* ud) {
  auto* s = static_cast<Sink*>(ud);
  std::size_t len = size * n;
  if (s->body.size() + len > s->max) {
    s->overflow = true;
    return 0;  // aborts the transfer: endless-data protection
  }
  s->body.append(p, len);
  return len;
}

std::size_t on_header(char* p, std::size_t size, std::size_t n, void* ud) {
  auto* s = static_cast<Sink*>(ud);
  std::string_view h(p, size * n);
  constexpr std::string_view key = "etag:";
  if (h.size() > key.size()) {
    bool match = true;
    for (std::size_t i = 0; i < key.size(); ++i)
      match = match && static_cast<char>(std::tolower(static_cast<unsigned char>(h[i]))) == key[i];
    if (match) {
      auto v = h.substr(key.size());
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
      if (v.size() < 256) s->etag = std::string(v);
    }
  }
  return size * n;
}

struct GlobalInit {
  GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

HttpFetcher::HttpFetcher(std::string base_url, HttpOptions opts)
    : base_(std::move(base_url)), opts_(std::move(opts)) {
  static GlobalInit init;
  if (!base_.empty() && base_.back() != '/') base_ += '/';
  curl_ = curl_easy_init();
  if (!curl_) throw OpsError(Reason::network, "curl_easy_init failed");
}

HttpFetcher::~HttpFetcher() {
  curl_easy_cleanup(static_cast<CURL*>(curl_));
}

FetchResult HttpFetcher::fetch(const std::string& path, const std::string& if_none_match,
                               std::size_t max_bytes) {
  std::lock_guard lk(mu_);
  auto* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  Sink sink;
  sink.max = max_bytes;
  std::string url = base_ + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(opts_.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, opts_.low_speed_bytes_per_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(opts_.low_speed_time.count()));
  curl_easy_setopt(c, CURLOPT_USERAGENT, opts_.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
  if (!opts_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, opts_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
  curl_slist* headers = nullptr;
  if (!if_none_match.empty()) {
    std::string h = "If-None-Match: " + if_none_match;
    headers = curl_slist_append(headers, h.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  if (sink.overflow || rc == CURLE_FILESIZE_EXCEEDED)
    throw OpsError(Reason::too_large, path + " exceeds " + std::to_string(max_bytes) + " bytes");
  if (rc != CURLE_OK) throw OpsError(Reason::network, path + ": " + curl_easy_strerror(rc));
  FetchResult r;
  r.etag = sink.etag;
  if (status == 304) {
    r.status = FetchResult::Status::not_modified;
    r.etag = if_none_match;
  } else if (status == 404) {
    r.status = FetchResult::Status::not_found;
  } else if (status == 200) {
    r.body = std::move(sink.body);
  } else {
    throw OpsError(Reason::network, path + ": HTTP " + std::to_string(status));
  }
  return r;
}

}  // namespace kiosk::ops
