// libcurl fetcher for the updater: conditional GET with If-None-Match, size caps, timeouts on
// connect/total/low speed, http(s) only, no redirects.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "kiosk/ops/updater.hpp"

namespace kiosk::ops {

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds total_timeout{120'000};
  long low_speed_bytes_per_s = 1024;  // abort if slower than this for low_speed_time
  std::chrono::seconds low_speed_time{30};
  std::string ca_file;  // empty: system store
  std::string user_agent = "kiosk-updater/1";
};

class HttpFetcher : public Fetcher {
 public:
  explicit HttpFetcher(std::string base_url, HttpOptions opts = {});
  ~HttpFetcher() override;
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;
  FetchResult fetch(const std::string& path, const std::string& if_none_match,
                    std::size_t max_bytes) override;

 private:
  std::string base_;
  HttpOptions opts_;
  std::mutex mu_;
  void* curl_ = nullptr;  // CURL*, reused for keep-alive
};

}  // namespace kiosk::ops
