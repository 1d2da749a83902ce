// PlatformClient over libcurl's multi interface, on one network worker thread.
// TLS verification always on in production; mTLS from config; connect/total timeouts; retries with
// jittered exponential backoff only for safe or keyed requests; gzip; response size limit.
#pragma once

#include <memory>

#include "kiosk/platform/client.hpp"

namespace kiosk::platform {

class CurlPlatformClient final : public PlatformClient {
 public:
  explicit CurlPlatformClient(ClientConfig config);
  ~CurlPlatformClient() override;  // cancels outstanding requests (callbacks get Cancelled)
  CurlPlatformClient(const CurlPlatformClient&) = delete;
  CurlPlatformClient& operator=(const CurlPlatformClient&) = delete;

  void submit(Request request, Callback done) override;
  std::size_t in_flight() const override;

  // The configuration actually in force (e.g. verify_tls forced on in production).
  const ClientConfig& effective_config() const;
  // What was wrong with the given config (empty when fine).
  const std::vector<std::string>& errors() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiosk::platform
