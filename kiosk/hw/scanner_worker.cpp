#include "kiosk/hw/scanner_worker.hpp"

#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <fstream>
#include <sstream>

#include "kiosk/core/mask.hpp"
#include "kiosk/qr/repeat_filter.hpp"

namespace kiosk::hw {
namespace {

using Backend = ScannerProfile::Backend;

template <class T>
T get(const toml::table& t, std::string_view key, T dflt, std::string_view src) {
  const toml::node* n = t.get(key);
  if (!n) return dflt;
  auto v = n->value<T>();
  if (!v) throw ProfileError(std::string(src) + ": '" + std::string(key) + "' has the wrong type");
  return *v;
}

}  // namespace

const char* to_string(Backend b) {
  switch (b) {
    case Backend::UsbHid:
      return "usb_hid";
    case Backend::Evdev:
      return "evdev";
    case Backend::Serial:
      return "serial";
    case Backend::Demo:
      return "demo";
  }
  return "?";
}

ScannerProfile parse_scanner_profile(std::string_view text, std::string_view src) {
  toml::table root;
  try {
    root = toml::parse(text, src);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << src << ":" << e.source().begin.line << ": " << e.description();
    throw ProfileError(os.str());
  }
  const toml::table* s = root["scanner"].as_table();
  if (!s) throw ProfileError(std::string(src) + ": missing [scanner] table");
  ScannerProfile p;
  p.name = get<std::string>(*s, "name", "scanner", src);
  const std::string backend = get<std::string>(*s, "backend", "", src);
  if (backend == "usb_hid")
    p.backend = Backend::UsbHid;
  else if (backend == "evdev")
    p.backend = Backend::Evdev;
  else if (backend == "serial")
    p.backend = Backend::Serial;
  else if (backend == "demo")
    p.backend = Backend::Demo;
  else
    throw ProfileError(std::string(src) + ": backend must be usb_hid, evdev, serial or demo");

  scanner::AssemblerConfig a;
  auto term = scanner::parse_terminator(get<std::string>(*s, "terminator", "enter", src));
  if (!term) throw ProfileError(std::string(src) + ": terminator must be enter, tab, enter_or_tab or none");
  a.terminator = *term;
  a.prefix = get<std::string>(*s, "prefix", "", src);
  a.suffix = get<std::string>(*s, "suffix", "", src);
  const auto max_len = get<std::int64_t>(*s, "max_length", 4096, src);
  if (max_len < 1 || max_len > 65536) throw ProfileError(std::string(src) + ": max_length must be 1..65536");
  a.max_length = static_cast<std::size_t>(max_len);
  a.idle_gap = std::chrono::milliseconds(get<std::int64_t>(*s, "idle_gap_ms", 60, src));
  auto layout = scanner::parse_layout(get<std::string>(*s, "layout", "us", src));
  if (!layout) throw ProfileError(std::string(src) + ": layout must be us, de or fr");
  p.repeat_hold = std::chrono::milliseconds(get<std::int64_t>(*s, "repeat_hold_ms", 1500, src));

  if (const toml::table* u = (*s)["usb"].as_table()) {
    const auto vid = get<std::int64_t>(*u, "vid", 0, src), pid = get<std::int64_t>(*u, "pid", 0, src);
    if (vid <= 0 || vid > 0xFFFF || pid <= 0 || pid > 0xFFFF)
      throw ProfileError(std::string(src) + ": [scanner.usb] vid and pid must be 0x0001..0xFFFF");
    p.usb.vid = static_cast<std::uint16_t>(vid);
    p.usb.pid = static_cast<std::uint16_t>(pid);
    p.usb.interface = static_cast<int>(get<std::int64_t>(*u, "interface", -1, src));
    p.usb.report_id = static_cast<int>(get<std::int64_t>(*u, "report_id", -1, src));
  } else if (p.backend == Backend::UsbHid) {
    throw ProfileError(std::string(src) + ": backend usb_hid needs [scanner.usb] vid and pid");
  }
  p.usb.layout = *layout;
  p.usb.assembler = a;
  if (const toml::table* e = (*s)["evdev"].as_table()) {
    p.evdev.path = get<std::string>(*e, "path", "", src);
    p.evdev.name_match = get<std::string>(*e, "name_match", "", src);
  }
  if (p.backend == Backend::Evdev && p.evdev.path.empty() && p.evdev.name_match.empty())
    throw ProfileError(std::string(src) + ": backend evdev needs [scanner.evdev] path or name_match");
  p.evdev.grab = true;  // never configurable: without the grab scans leak into the UI as keystrokes
  p.evdev.layout = *layout;
  p.evdev.assembler = a;
  if (const toml::table* r = (*s)["serial"].as_table()) {
    p.serial.device = get<std::string>(*r, "device", "", src);
    p.serial.baud = static_cast<int>(get<std::int64_t>(*r, "baud", 9600, src));
    p.serial.encoding = get<std::string>(*r, "encoding", "utf-8", src);
    if (p.serial.encoding != "utf-8" && p.serial.encoding != "gbk")
      throw ProfileError(std::string(src) + ": [scanner.serial] encoding must be utf-8 or gbk");
  }
  if (p.backend == Backend::Serial && p.serial.device.empty())
    throw ProfileError(std::string(src) + ": backend serial needs [scanner.serial] device");
  p.serial.assembler = a;
  return p;
}

ScannerProfile load_scanner_profile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ProfileError(path + ": cannot read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_scanner_profile(ss.str(), path);
}

ScannerWorker::ScannerWorker(ScannerProfile profile, qr::Rules rules, Factory factory)
    : profile_(std::move(profile)), rules_(std::move(rules)), factory_(std::move(factory)) {
  if (!factory_) {
    factory_ = [](const ScannerProfile& p) -> std::unique_ptr<scanner::Scanner> {
      switch (p.backend) {
        case Backend::UsbHid:
          return std::make_unique<scanner::UsbHidScanner>(p.usb);
        case Backend::Evdev:
          return std::make_unique<scanner::EvdevScanner>(p.evdev);
        case Backend::Serial:
          return std::make_unique<scanner::SerialScanner>(
              std::make_unique<scanner::TermiosPort>(p.serial.device, p.serial.baud), p.serial);
        case Backend::Demo:
          break;
      }
      return nullptr;
    };
  }
}

ScannerWorker::~ScannerWorker() {
  stop();
}

void ScannerWorker::start(core::EventQueue& queue) {
  std::lock_guard lk(mu_);
  if (thread_.joinable()) return;
  queue_ = &queue;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void ScannerWorker::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lk(mu_);
  state_ = "stopped";
}

void ScannerWorker::show(std::string payload) {
  {
    std::lock_guard lk(mu_);
    injected_.push_back(std::move(payload));
  }
  cv_.notify_all();
}

void ScannerWorker::reset_repeat() {
  std::lock_guard lk(mu_);
  reset_requested_ = true;
}

nlohmann::json ScannerWorker::status() const {
  std::lock_guard lk(mu_);
  return {
      {"role", role()},           {"profile", profile_.name},     {"backend", to_string(profile_.backend)},
      {"state", state_},          {"last_error", last_error_},    {"scans", scans_.load()},
      {"posted", posted_.load()}, {"rejected", rejected_.load()}, {"faults", faults_.load()}};
}

bool ScannerWorker::wait_or_stop(std::chrono::milliseconds d) {
  std::unique_lock lk(mu_);
  cv_.wait_for(lk, d, [&] { return stopping_ || !injected_.empty(); });
  return stopping_;
}

void ScannerWorker::run() {
  qr::RepeatFilter repeat(profile_.repeat_hold);
  std::unique_ptr<scanner::Scanner> dev;
  auto backoff = profile_.reconnect_min;
  bool faulted = false;
  const bool demo = profile_.backend == Backend::Demo;
  auto post_fault = [&](const std::string& what) {
    ++faults_;
    {
      std::lock_guard lk(mu_);
      state_ = "fault";
      last_error_ = core::scrub(what);
    }
    spdlog::warn("scanner {}: {}", profile_.name, core::scrub(what));
    if (!faulted) {
      core::DeviceEvent e;
      e.kind = core::DeviceEvent::Kind::DeviceFault;
      e.device = "scanner";
      e.detail = core::scrub(what);
      queue_->post(std::move(e));
    }
    faulted = true;
  };
  auto drain_injected = [&] {
    std::deque<std::string> batch;
    {
      std::lock_guard lk(mu_);
      batch.swap(injected_);
      if (reset_requested_) {
        repeat.reset();
        reset_requested_ = false;
      }
    }
    for (auto& p : batch) {
      if (repeat.accept(p, qr::RepeatFilter::Clock::now())) handle(std::move(p));
    }
  };
  {
    std::lock_guard lk(mu_);
    state_ = demo ? "demo" : "opening";
  }
  for (;;) {
    {
      std::lock_guard lk(mu_);
      if (stopping_) return;
    }
    drain_injected();
    if (demo) {
      if (wait_or_stop(std::chrono::milliseconds(1000))) return;
      continue;
    }
    if (!dev) {
      try {
        dev = factory_(profile_);
        if (!dev)
          throw transport::TransportError(transport::ErrorKind::Invalid, "no device for this backend");
        backoff = profile_.reconnect_min;
        {
          std::lock_guard lk(mu_);
          state_ = "ready";
          last_error_.clear();
        }
        spdlog::info("scanner {}: ready on {}", profile_.name, dev->describe());
        if (faulted) {
          core::DeviceEvent e;
          e.kind = core::DeviceEvent::Kind::DeviceRecovered;
          e.device = "scanner";
          queue_->post(std::move(e));
          faulted = false;
        }
      } catch (const std::exception& e) {
        post_fault(e.what());
        if (wait_or_stop(backoff)) return;
        backoff = std::min(backoff * 2, profile_.reconnect_max);
        continue;
      }
    }
    try {
      auto scan = dev->read_scan(std::chrono::milliseconds(250));
      if (scan) {
        ++scans_;
        if (repeat.accept(*scan, qr::RepeatFilter::Clock::now())) handle(std::move(*scan));
      }
      {
        std::lock_guard lk(mu_);
        if (reset_requested_) {
          repeat.reset();
          reset_requested_ = false;
        }
      }
    } catch (const std::exception& e) {
      dev.reset();
      post_fault(e.what());
      if (wait_or_stop(backoff)) return;
    }
  }
}

void ScannerWorker::handle(std::string payload) {
  auto cls = qr::classify(rules_, payload);
  spdlog::info("scanner {}: read {}", profile_.name, qr::describe_for_log(cls, payload));
  if (!cls.accepted()) {
    ++rejected_;
    return;
  }
  ++posted_;
  queue_->post(qr::make_event(cls, std::move(payload), "scanner"));
}

std::unique_ptr<ScannerWorker> make_demo_scanner_worker(qr::Rules rules) {
  ScannerProfile p;
  p.name = "demo";
  p.backend = ScannerProfile::Backend::Demo;
  return std::make_unique<ScannerWorker>(std::move(p), std::move(rules));
}

}  // namespace kiosk::hw
