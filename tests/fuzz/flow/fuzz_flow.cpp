// First byte chooses the target: even → parse the rest as a flow document (must either load or throw
// FlowLoadError, nothing else); odd → feed it to a FlowRun waiting at each step as a platform reply, a face
// result and a print result (must never crash; the state stays consistent).
#include <cstddef>
#include <cstdint>
#include <string>

#include "kiosk/flow/run.hpp"

using namespace kiosk;

namespace {
const char* kFlow = R"([flow]
id = "f"
items = ["KS-A013"]
[[step]]
kind = "identify"
sources = ["idcard", "qr"]
[[step]]
kind = "consent"
[[step]]
kind = "face"
[[step]]
kind = "confirm"
[[step]]
kind = "submit"
operation = "certification_submit"
[[step]]
kind = "show_result"
[[step]]
kind = "print"
template = "r"
[[step]]
kind = "rate"
[[step]]
kind = "end"
)";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    try {
      flow::Flow f = flow::parse_flow(text, "fuzz.toml");
      if (f.steps.empty() || f.steps.back().kind != flow::StepKind::End) __builtin_trap();
    } catch (const flow::FlowLoadError&) {
    }
    return 0;
  }
  static const flow::Flow f = flow::parse_flow(kFlow, "seed.toml");
  flow::FlowRun run(f, "KS-A013", nullptr);
  core::SessionData d;
  std::vector<core::Effect> fx;
  run.start(d, fx);
  core::DeviceEvent qr;
  qr.kind = core::DeviceEvent::Kind::QrScanned;
  qr.identity.source = core::IdSource::QrVoucher;
  qr.identity.token = "tok";
  run.handle(qr, d, fx);  // waits for voucher_resolve
  for (int round = 0; round < 8 && !run.finished() && !run.abandoned(); ++round) {
    run.handle(core::Command{"platform.reply", text}, d, fx);
    run.handle(core::Command{"face.result", text}, d, fx);
    run.handle(core::Command{"print.result", text}, d, fx);
    for (const char* tap :
         {"consent.agree", "confirm.submit", "flow.next", "rate.3", "flow.retry", "face.retry"})
      run.handle(core::UserAction{tap}, d, fx);
    (void)run.screen_name();
    (void)run.spoken_key();
    fx.clear();
  }
  d.wipe();
  return 0;
}
