#include "kiosk/tech/diagnostics.hpp"

#include <sys/statvfs.h>

#include <filesystem>
#include <opencv2/imgproc.hpp>

#include "drivers/camera/frame_source.hpp"
#include "drivers/camera/image_io.hpp"
#include "drivers/printer/encoder.hpp"
#include "drivers/printer/printer.hpp"
#include "drivers/printer/sim/simulator.hpp"
#include "drivers/printer/usb_printer.hpp"
#include "drivers/transport/loopback.hpp"
#include "kiosk/core/events.hpp"
#include "kiosk/core/mask.hpp"
#include "kiosk/hw/idcard_worker.hpp"
#include "kiosk/hw/scanner_worker.hpp"
#include "kiosk/hw/sscard_worker.hpp"
#include "kiosk/platform/client.hpp"
#include "kiosk/platform/curl_client.hpp"
#include "kiosk/platform/sim/platform_sim.hpp"
#include "kiosk/print/a4.hpp"
#include "kiosk/qr/payload.hpp"
#include "kiosk/tech/pin.hpp"
#include "kiosk/tech/provision.hpp"
#include "kiosk/vision/detector.hpp"
#include "kiosk/vision/quality.hpp"
#include "kiosk/vision/vision_config.hpp"

namespace kiosk::tech {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using K = core::DeviceEvent::Kind;

nlohmann::json report_json(const std::vector<CheckResult>& results) {
  nlohmann::json checks = nlohmann::json::array();
  bool ok = true;
  for (auto& r : results) {
    checks.push_back(r.to_json());
    ok = ok && r.status != CheckStatus::Fail;
  }
  return {{"ok", ok}, {"checks", checks}};
}

Diagnostics::Diagnostics(DiagOptions o, const core::Strings* strings, std::string lang)
    : o_(std::move(o)), strings_(strings), lang_(std::move(lang)) {
  if (o_.platform_toml.empty()) o_.platform_toml = o_.config_dir + "/platform.toml";
}

const std::vector<std::string>& Diagnostics::check_ids() {
  static const std::vector<std::string> ids{"idcard.read",    "sscard.read",        "scanner.qr",
                                            "camera.preview", "printer.status",     "printer.receipt",
                                            "printer.a4",     "platform.heartbeat", "system.disk",
                                            "system.clock",   "system.certificate"};
  return ids;
}

std::vector<std::string> Diagnostics::checks_for(const std::string& role) {
  std::vector<std::string> out;
  for (auto& id : check_ids())
    if (id.rfind(role + ".", 0) == 0) out.push_back(id);
  return out;
}

std::vector<CheckResult> Diagnostics::run_all() {
  std::vector<CheckResult> out;
  for (auto& id : check_ids()) out.push_back(run(id));
  return out;
}

CheckResult Diagnostics::run(const std::string& id) {
  auto t0 = Clock::now();
  CheckResult r;
  try {
    if (id == "idcard.read")
      r = idcard();
    else if (id == "sscard.read")
      r = sscard();
    else if (id == "scanner.qr")
      r = scanner();
    else if (id == "camera.preview")
      r = camera();
    else if (id == "printer.status")
      r = printer("status");
    else if (id == "printer.receipt")
      r = printer("receipt");
    else if (id == "printer.a4")
      r = printer("a4");
    else if (id == "platform.heartbeat")
      r = platform();
    else if (id == "system.disk")
      r = disk();
    else if (id == "system.clock")
      r = clock();
    else if (id == "system.certificate")
      r = certificate();
    else
      throw TechError("unknown check " + id);
  } catch (const TechError&) {
    throw;
  } catch (const std::exception& e) {
    r.status = CheckStatus::Fail;
    r.detail = core::scrub(e.what());
    r.advice_key = "tech.advice.internal";
  }
  r.id = id;
  if (r.device.empty()) r.device = id.substr(0, id.find('.'));
  r.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  finish(r);
  return r;
}

void Diagnostics::finish(CheckResult& r) const {
  if (r.advice_key.empty())
    r.advice_key = r.status == CheckStatus::Fail ? "tech.advice.internal" : "tech.advice.ok";
  if (strings_ && strings_->has("zh-CN", r.advice_key)) {
    r.advice_zh = strings_->get("zh-CN", r.advice_key);
    r.advice_en = strings_->has("en", r.advice_key) ? strings_->get("en", r.advice_key) : r.advice_zh;
  } else {
    r.advice_zh = r.advice_en = r.advice_key;
  }
  r.detail = core::scrub(r.detail);
}

namespace {

// Waits for the first event of `want` kinds (or a fault) from `device` on the queue.
std::optional<core::DeviceEvent> wait_event(core::EventQueue& q, const std::string& device, std::set<K> want,
                                            std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    q.wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    for (auto& ev : q.drain()) {
      auto* d = std::get_if<core::DeviceEvent>(&ev);
      if (!d || d->device != device) continue;
      if (want.count(d->kind) || d->kind == K::DeviceFault) return *d;
    }
  }
  return std::nullopt;
}

std::string profile_path(const DiagOptions& o, const Binding& b) {
  return o.config_dir + "/devices/" + b.profile_file;
}

CheckResult not_bound(const std::string& role) {
  CheckResult r;
  r.status = CheckStatus::Fail;
  r.detail = role + ": no device bound";
  r.advice_key = "tech.advice.not_bound";
  return r;
}

}  // namespace

CheckResult Diagnostics::idcard() {
  CheckResult r;
  std::unique_ptr<hw::IdCardWorker> w;
  if (o_.demo && !o_.faults.count("idcard.absent")) {
    w = hw::make_demo_idcard_worker(hw::load_idcard_settings(o_.config_dir + "/devices/idcard-demo.toml"));
  } else if (o_.demo) {
    // An unplugged reader: the real serial driver on a port that does not exist.
    auto s = hw::load_idcard_settings(o_.config_dir + "/devices/idcard.toml", "serial-ttyUSB0");
    s.profile.port = "/dev/kiosk-tech-absent-idcard";
    w = hw::make_idcard_worker(s);
  } else {
    auto* b = o_.bindings.get("idcard");
    if (!b) return not_bound("idcard");
    w = hw::make_idcard_worker(hw::load_idcard_settings(profile_path(o_, *b), b->profile_name));
  }
  core::EventQueue q;
  w->start(q);
  bool placed = o_.demo && w->place_card(o_.idcard_fixture);
  auto ev = wait_event(q, "idcard", {K::IdCardRead}, o_.device_timeout);
  auto st = w->status();
  w->stop();
  r.figures["transport"] = st.value("transport", "");
  if (ev && ev->kind == K::IdCardRead) {
    r.status = CheckStatus::Pass;
    r.detail =
        "card read: " + core::mask_name(ev->identity.name) + " " + core::mask_id(ev->identity.id_number);
    r.figures["name"] = core::mask_name(ev->identity.name);
    r.figures["id_number"] = core::mask_id(ev->identity.id_number);
    r.figures["document"] = core::to_string(ev->identity.document);
    r.advice_key = "tech.advice.ok";
    ev->identity.wipe();
  } else if (ev) {
    r.status = CheckStatus::Fail;
    r.detail = "reader fault: " + ev->detail;
    r.advice_key = "tech.advice.idcard_absent";
  } else if (!placed && st.value("state", "") == "ready") {
    r.status = CheckStatus::Warn;
    r.detail = "reader answers, no card was placed within the time";
    r.advice_key = "tech.advice.place_idcard";
  } else {
    r.status = CheckStatus::Fail;
    r.detail = "no answer from the reader (state " + st.value("state", std::string("?")) + ")";
    r.advice_key = "tech.advice.idcard_absent";
  }
  return r;
}

CheckResult Diagnostics::sscard() {
  CheckResult r;
  std::unique_ptr<hw::SsCardWorker> w;
  if (o_.demo && !o_.faults.count("sscard.absent")) {
    hw::SsCardSettings s;
    s.backend = "sim";
    s.event_wait = std::chrono::milliseconds(100);
    w = hw::make_demo_sscard_worker(s);
  } else {
    hw::SsCardSettings s;
    if (o_.demo) {
      s.backend = "ccid";
      s.vid = 0xFFFE;  // no such reader: the real CCID driver reports it missing
      s.pid = 0xFFFE;
    } else {
      auto* b = o_.bindings.get("sscard");
      if (!b) return not_bound("sscard");
      s = hw::load_sscard_settings(profile_path(o_, *b));
    }
    s.reconnect_backoff = std::chrono::milliseconds(200);
    w = hw::make_sscard_worker(s);
  }
  core::EventQueue q;
  w->start(q);
  bool inserted = o_.demo && w->insert_card(o_.sscard_fixture);
  auto ev = wait_event(q, "sscard", {K::SsCardInserted}, o_.device_timeout);
  auto st = w->status();
  w->stop();
  r.figures["transport"] = st.value("transport", "");
  if (ev && ev->kind == K::SsCardInserted) {
    r.status = CheckStatus::Pass;
    r.detail =
        "card read: " + core::mask_name(ev->identity.name) + " " + core::mask_id(ev->identity.id_number);
    r.figures["name"] = core::mask_name(ev->identity.name);
    r.figures["id_number"] = core::mask_id(ev->identity.id_number);
    r.figures["card_number"] = core::mask_id(ev->identity.card_number);
    r.figures["insured_region"] = ev->identity.region_code;
    r.advice_key = "tech.advice.ok";
    ev->identity.wipe();
  } else if (ev) {
    r.status = CheckStatus::Fail;
    r.detail = "reader fault: " + ev->detail;
    r.advice_key = "tech.advice.sscard_absent";
  } else if (!inserted && !st.value("faulted", false) && st.value("state", "") != "fault") {
    r.status = CheckStatus::Warn;
    r.detail = "reader answers, no card was inserted within the time";
    r.advice_key = "tech.advice.insert_sscard";
  } else {
    r.status = CheckStatus::Fail;
    r.detail = "no card read (state " + st.value("state", std::string("?")) + ")";
    r.advice_key = "tech.advice.sscard_absent";
  }
  return r;
}

CheckResult Diagnostics::scanner() {
  CheckResult r;
  qr::Rules rules = qr::default_rules();
  if (fs::exists(o_.config_dir + "/qr.toml")) rules = qr::load_rules(o_.config_dir + "/qr.toml");
  hw::ScannerProfile p;
  if (o_.demo && !o_.faults.count("scanner.absent")) {
    p.backend = hw::ScannerProfile::Backend::Demo;
    p.name = "demo";
  } else if (o_.demo) {
    p.backend = hw::ScannerProfile::Backend::Serial;
    p.name = "absent";
    p.serial.device = "/dev/kiosk-tech-absent-scanner";
  } else {
    auto* b = o_.bindings.get("scanner");
    if (!b) return not_bound("scanner");
    p = hw::load_scanner_profile(profile_path(o_, *b));
  }
  p.reconnect_min = std::chrono::milliseconds(100);
  hw::ScannerWorker w(p, rules);
  core::EventQueue q;
  w.start(q);
  // The demo "shows" a test code; a technician in production scans the code on the test page.
  const std::string payload = "KIOSK-TECH-TEST-" + std::to_string(o_.now());
  if (p.backend == hw::ScannerProfile::Backend::Demo) w.show(payload);
  auto ev = wait_event(q, "scanner", {K::QrScanned}, o_.device_timeout);
  auto st = w.status();
  w.stop();
  if (ev && ev->kind == K::QrScanned) {
    r.status = CheckStatus::Pass;
    r.detail = "code scanned: " + core::mask_token(ev->identity.token);
    r.figures["payload"] = core::mask_token(ev->identity.token);
    r.advice_key = "tech.advice.ok";
  } else if (ev) {
    r.status = CheckStatus::Fail;
    r.detail = "scanner fault: " + ev->detail;
    r.advice_key = "tech.advice.scanner_absent";
  } else {
    r.status = o_.demo ? CheckStatus::Fail : CheckStatus::Warn;
    r.detail = "no code scanned within the time";
    r.advice_key = o_.demo ? "tech.advice.scanner_absent" : "tech.advice.scan_test_code";
  }
  r.figures["state"] = st;
  return r;
}

CheckResult Diagnostics::camera() {
  CheckResult r;
  std::unique_ptr<camera::FrameSource> src;
  camera::CameraSettings cs;
  if (o_.demo && !o_.faults.count("camera.absent")) {
    src =
        camera::make_source_from_spec(std::string(KIOSK_SOURCE_DIR) + "/tests/data/vision/astronaut.png", cs);
  } else {
    if (o_.demo) {
      cs.device = "/dev/kiosk-tech-absent-video";
    } else {
      auto* b = o_.bindings.get("camera");
      if (!b) return not_bound("camera");
      cs.device = b->device.rfind("/dev/", 0) == 0 ? b->device : "/dev/video0";
    }
    src = camera::make_v4l2_source(cs);
  }
  std::string err;
  if (!src->open(err)) {
    r.status = CheckStatus::Fail;
    r.detail = "camera does not open: " + err;
    r.advice_key = "tech.advice.camera_absent";
    return r;
  }
  auto rr = src->read(o_.device_timeout);
  src->close();
  if (rr.status != camera::ReadStatus::Ok || rr.frame.bgr.empty()) {
    r.status = CheckStatus::Fail;
    r.detail = std::string("no frame: ") + camera::to_string(rr.status) + " " + rr.error;
    r.advice_key = "tech.advice.camera_absent";
    return r;
  }
  cv::Mat bgr = rr.frame.bgr, gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  auto vcfg = vision::load_vision_config(o_.config_dir + "/vision.toml");
  auto det = vision::make_detector(vcfg);
  auto faces = det->detect(bgr);
  auto q = vision::assess_quality(gray, faces, vcfg);
  r.figures["width"] = bgr.cols;
  r.figures["height"] = bgr.rows;
  r.figures["brightness"] = std::round(cv::mean(gray)[0]);
  r.figures["faces"] = faces.size();
  r.figures["detector"] = det->name();
  r.figures["quality"] = q.key;
  r.figures["quality_score"] = std::round(q.score * 100) / 100;
  // Preview with the face overlay for the screen (technician mode only; never kept with a session).
  cv::Mat preview = bgr.clone();
  for (auto& f : faces)
    cv::rectangle(preview, f.box, faces.size() == 1 ? cv::Scalar(0, 200, 0) : cv::Scalar(0, 0, 255), 3);
  cv::ellipse(preview, cv::Point(preview.cols / 2, preview.rows / 2),
              cv::Size(preview.cols / 4, preview.rows * 2 / 5), 0, 0, 360, cv::Scalar(255, 255, 255), 2);
  if (!o_.data_dir.empty()) {
    fs::create_directories(o_.data_dir);
    std::string out = o_.data_dir + "/tech-camera-preview.png";
    if (camera::write_image(out, preview)) r.figures["preview"] = out;
  }
  if (faces.empty()) {
    r.status = CheckStatus::Warn;
    r.detail = "camera delivers frames, no face in view";
    r.advice_key = "tech.advice.camera_no_face";
  } else {
    r.status = CheckStatus::Pass;
    r.detail = "camera delivers frames; face found, quality " + q.key;
    r.advice_key = "tech.advice.ok";
  }
  return r;
}

CheckResult Diagnostics::printer(const std::string& what) {
  CheckResult r;
  r.device = "printer";
  printer::Dialect d = printer::builtin_dialect(o_.printer_dialect);
  std::shared_ptr<transport::Transport> t;
  std::shared_ptr<printer::PrinterSimulator> sim;
  if (what == "a4") {
    // A4 goes through CUPS in production; here the PDF is produced and (demo) dropped in a folder.
    print::A4Document doc;
    doc.issuer = "自助终端 Self-service terminal";
    doc.title = "打印测试页 Test page";
    doc.rows = {{"终端 Terminal", "TEST"}, {"日期 Date", std::to_string(o_.now())}};
    doc.paragraphs = {"中文测试：社会保障卡 医保电子凭证 参保证明"};
    doc.verify_url = "https://example.gov.cn/kiosk/test";
    doc.seal_text = "测试专用";
    std::string dir = o_.data_dir.empty() ? fs::temp_directory_path().string() : o_.data_dir;
    fs::create_directories(dir);
    std::string pdf = dir + "/tech-test-a4.pdf";
    print::write_a4_pdf(doc, pdf);
    auto size = fs::file_size(pdf);
    r.figures["pdf"] = pdf;
    r.figures["bytes"] = size;
    r.status = size > 1000 ? CheckStatus::Pass : CheckStatus::Fail;
    r.detail = "A4 test page rendered (" + std::to_string(size) + " bytes PDF)";
    r.advice_key = r.status == CheckStatus::Pass ? "tech.advice.ok" : "tech.advice.a4_failed";
    return r;
  }
  if (o_.demo && !o_.faults.count("printer.absent")) {
    auto pair = transport::make_loopback("tech-printer");
    t = pair.host;
    sim = std::make_shared<printer::PrinterSimulator>(pair.device, d.width_dots);
    if (o_.faults.count("printer.paper_out")) sim->set_paper_out(true);
    if (o_.faults.count("printer.cover_open")) sim->set_cover_open(true);
    sim->start();
  } else if (o_.demo) {
    // Unplugged: the loopback's device end is gone, so DLE EOT times out like a dead printer.
    auto pair = transport::make_loopback("tech-printer-absent");
    t = pair.host;
  } else {
    auto* b = o_.bindings.get("printer");
    if (!b) return not_bound("printer");
    printer::UsbPrinterSelector sel;
    if (auto c = b->device.find(':'); c != std::string::npos && b->device.size() >= 9) {
      sel.vendor_id = static_cast<std::uint16_t>(std::stoul(b->device.substr(0, 4), nullptr, 16));
      sel.product_id = static_cast<std::uint16_t>(std::stoul(b->device.substr(5, 4), nullptr, 16));
    }
    if (!b->profile_file.empty() && fs::exists(o_.config_dir + "/printers/" + b->profile_file))
      d = printer::load_dialect(o_.config_dir + "/printers/" + b->profile_file);
    try {
      t = std::make_shared<printer::UsbPrinter>(sel);
    } catch (const std::exception& e) {
      r.status = CheckStatus::Fail;
      r.detail = std::string("printer does not open: ") + e.what();
      r.advice_key = "tech.advice.printer_absent";
      return r;
    }
  }
  printer::ReceiptPrinter p(*t, d, std::chrono::milliseconds(800));
  r.figures["dialect"] = d.name;
  auto advice_for = [](printer::PrinterState s) -> std::string {
    switch (s) {
      case printer::PrinterState::Ready:
        return "tech.advice.ok";
      case printer::PrinterState::PaperNearEnd:
        return "tech.advice.printer_paper_low";
      case printer::PrinterState::PaperEnd:
        return "tech.advice.printer_paper_out";
      case printer::PrinterState::CoverOpen:
        return "tech.advice.printer_cover_open";
      case printer::PrinterState::CutterError:
        return "tech.advice.printer_cutter";
      case printer::PrinterState::Offline:
      case printer::PrinterState::Error:
        return "tech.advice.printer_error";
    }
    return "tech.advice.printer_error";
  };
  try {
    auto s = p.query_status();
    auto state = printer::classify(s);
    r.figures["state"] = printer::to_string(state);
    r.figures["status"] = printer::describe(s);
    if (what == "status" || !s.can_print()) {
      r.status = state == printer::PrinterState::Ready          ? CheckStatus::Pass
                 : state == printer::PrinterState::PaperNearEnd ? CheckStatus::Warn
                                                                : CheckStatus::Fail;
      r.detail = "printer " + std::string(printer::to_string(state)) + " (" + printer::describe(s) + ")";
      r.advice_key = advice_for(state);
      if (sim) sim->stop();
      return r;
    }
    printer::Encoder e(d);
    e.init()
        .align(printer::Align::Center)
        .size(2, 2)
        .bold(true)
        .line("打印测试 Test page")
        .size(1, 1)
        .bold(false);
    e.line(d.name);
    e.align(printer::Align::Left).line("中文: 社会保障卡 医保电子凭证 回执");
    e.align(printer::Align::Center).qr("https://example.gov.cn/kiosk/test", 6).cut();
    auto rep = p.print(e.bytes());
    r.figures["bytes"] = rep.bytes;
    r.figures["status_after"] = printer::describe(rep.status_after);
    if (sim && !sim->wait_for_cuts(1, o_.device_timeout)) {
      r.status = CheckStatus::Fail;
      r.detail = "test page sent but no cut seen";
      r.advice_key = "tech.advice.printer_error";
    } else {
      r.status = CheckStatus::Pass;
      r.detail = "receipt test page printed (" + std::to_string(rep.bytes) + " bytes)";
      r.advice_key = "tech.advice.ok";
    }
  } catch (const printer::PrintError& e) {
    r.status = CheckStatus::Fail;
    r.detail = e.what();
    using PK = printer::PrintErrorKind;
    r.advice_key = e.kind() == PK::PaperOut    ? "tech.advice.printer_paper_out"
                   : e.kind() == PK::CoverOpen ? "tech.advice.printer_cover_open"
                   : e.kind() == PK::Timeout || e.kind() == PK::Disconnected ? "tech.advice.printer_absent"
                                                                             : "tech.advice.printer_error";
  }
  if (sim) sim->stop();
  return r;
}

CheckResult Diagnostics::platform() {
  CheckResult r;
  r.device = "network";
  platform::ClientConfig cc = platform::load_client_config(o_.platform_toml);
  std::unique_ptr<platform::sim::PlatformSim> sim;
  if (o_.demo) {
    sim = platform::sim::start_demo_platform(cc.terminal_region.empty() ? "410100" : cc.terminal_region);
    cc.base_url = sim->url();
    cc.production = false;
    cc.client_cert.clear();
    cc.client_key.clear();
    cc.ca_file.clear();
    if (o_.faults.count("platform.down"))
      sim->inject(std::nullopt, {platform::sim::Fault::Kind::Status, 0, 503}, 100);
  }
  cc.max_attempts = 2;
  cc.connect_timeout = std::chrono::milliseconds(2000);
  cc.total_timeout = std::chrono::milliseconds(4000);
  cc.backoff_base = std::chrono::milliseconds(50);
  platform::CurlPlatformClient client(cc);
  platform::Request req;
  req.endpoint = platform::Endpoint::Heartbeat;
  req.terminal_id = cc.terminal_id;
  req.body = {{"status", "diagnostics"}};
  auto t0 = Clock::now();
  auto resp = platform::call(client, req);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  r.figures["url"] = o_.demo ? "demo simulator" : cc.base_url;
  r.figures["latency_ms"] = std::round(ms);
  if (resp.ok()) {
    r.status = ms > 2000 ? CheckStatus::Warn : CheckStatus::Pass;
    r.detail = "platform heartbeat answered in " + std::to_string(static_cast<int>(ms)) + " ms";
    r.advice_key = ms > 2000 ? "tech.advice.platform_slow" : "tech.advice.ok";
  } else {
    r.status = CheckStatus::Fail;
    r.detail = "platform heartbeat failed: " + std::string(resp.error ? resp.error.detail : resp.reply.code);
    r.advice_key = "tech.advice.platform_down";
  }
  return r;
}

CheckResult Diagnostics::disk() {
  CheckResult r;
  std::string dir = o_.data_dir.empty() ? "/" : o_.data_dir;
  while (!fs::exists(dir) && fs::path(dir).has_parent_path() && dir != "/")
    dir = fs::path(dir).parent_path().string();
  struct statvfs sv {};
  if (::statvfs(dir.c_str(), &sv) != 0) {
    r.status = CheckStatus::Fail;
    r.detail = "cannot stat " + dir;
    r.advice_key = "tech.advice.disk_full";
    return r;
  }
  auto free_mb = static_cast<std::int64_t>(sv.f_bavail * sv.f_frsize / (1024 * 1024));
  auto total_mb = static_cast<std::int64_t>(sv.f_blocks * sv.f_frsize / (1024 * 1024));
  r.figures["path"] = dir;
  r.figures["free_mb"] = free_mb;
  r.figures["total_mb"] = total_mb;
  if (free_mb < o_.min_free_mb) {
    r.status = CheckStatus::Fail;
    r.advice_key = "tech.advice.disk_full";
  } else if (free_mb < 4 * o_.min_free_mb) {
    r.status = CheckStatus::Warn;
    r.advice_key = "tech.advice.disk_low";
  } else {
    r.status = CheckStatus::Pass;
    r.advice_key = "tech.advice.ok";
  }
  r.detail = std::to_string(free_mb) + " MB free of " + std::to_string(total_mb) + " MB on " + dir;
  return r;
}

CheckResult Diagnostics::clock() {
  CheckResult r;
  std::time_t now = o_.now();
  std::tm tm{};
  std::time_t cst = now + 8 * 3600;
  gmtime_r(&cst, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  r.figures["time_cst"] = buf;
  bool synced = fs::exists(o_.ntp_flag);
  r.figures["ntp_synchronized"] = synced;
  if (tm.tm_year + 1900 < 2025) {
    r.status = CheckStatus::Fail;
    r.detail = std::string("clock is wrong: ") + buf;
    r.advice_key = "tech.advice.clock_wrong";
  } else if (!synced) {
    r.status = CheckStatus::Warn;
    r.detail = std::string("time ") + buf + " CST, NTP synchronisation not confirmed";
    r.advice_key = "tech.advice.ntp";
  } else {
    r.status = CheckStatus::Pass;
    r.detail = std::string("time ") + buf + " CST, NTP synchronised";
    r.advice_key = "tech.advice.ok";
  }
  return r;
}

CheckResult Diagnostics::certificate() {
  CheckResult r;
  r.device = "system";
  auto cc = platform::load_client_config(o_.platform_toml);
  if (cc.client_cert.empty()) {
    r.status = o_.demo ? CheckStatus::Skip : CheckStatus::Fail;
    r.detail = "no client certificate configured";
    r.advice_key = o_.demo ? "tech.advice.cert_demo" : "tech.advice.cert_missing";
    return r;
  }
  auto info = read_certificate(cc.client_cert, cc.client_key);
  auto days = static_cast<long>((info.not_after - o_.now()) / 86400);
  r.figures["days_left"] = days;
  r.figures["subject"] = info.subject;
  r.figures["matches_key"] = info.matches_key;
  if (!info.matches_key) {
    r.status = CheckStatus::Fail;
    r.detail = "client certificate does not match the key";
    r.advice_key = "tech.advice.cert_mismatch";
  } else if (days < 0) {
    r.status = CheckStatus::Fail;
    r.detail = "client certificate expired";
    r.advice_key = "tech.advice.cert_expired";
  } else if (days < o_.cert_warn_days) {
    r.status = CheckStatus::Warn;
    r.detail = "client certificate expires in " + std::to_string(days) + " days";
    r.advice_key = "tech.advice.cert_expiring";
  } else {
    r.status = CheckStatus::Pass;
    r.detail = "client certificate valid for " + std::to_string(days) + " days";
    r.advice_key = "tech.advice.ok";
  }
  return r;
}

}  // namespace kiosk::tech
