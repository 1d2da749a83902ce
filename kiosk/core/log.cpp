#include "kiosk/core/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#ifdef KIOSK_HAVE_SYSTEMD
#include <spdlog/sinks/systemd_sink.h>
#endif

#include <mutex>

#include "kiosk/core/mask.hpp"

namespace kiosk::core {

namespace {

// Forwards every message to the inner sinks with its payload scrubbed.
class ScrubbingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ScrubbingSink(std::vector<spdlog::sink_ptr> inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string clean = scrub(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(clean.data(), clean.size());
    for (auto& s : inner_)
      if (s->should_log(copy.level)) s->log(copy);
  }
  void flush_() override {
    for (auto& s : inner_) s->flush();
  }

 private:
  std::vector<spdlog::sink_ptr> inner_;
};

}  // namespace

void init_logging(const LogOptions& opts) {
  std::vector<spdlog::sink_ptr> inner;
  if (opts.console) inner.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!opts.file.empty()) inner.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(opts.file));
#ifdef KIOSK_HAVE_SYSTEMD
  if (opts.journald) inner.push_back(std::make_shared<spdlog::sinks::systemd_sink_mt>("kiosk"));
#endif
  auto sink = std::make_shared<ScrubbingSink>(std::move(inner));
  auto logger = std::make_shared<spdlog::logger>("kiosk", sink);
  logger->set_level(spdlog::level::from_str(opts.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void flush_logs() {
  spdlog::default_logger()->flush();
}

}  // namespace kiosk::core
