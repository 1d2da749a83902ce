// First byte chooses the target: even → parse the rest as a flow document (must either load or throw
// FlowLoadError, nothing else); 1 mod 4 → feed it to a FlowRun waiting at each step as a platform reply, a
// face result and a print result; 3 mod 4 → an SS card holder in the "PIN or face" flow gets it as the
// pin.result answer (must never crash; the digits are gone after every answer).
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
const char* kPinFlow = R"([flow]
id = "p"
items = ["KS-B024"]
[[step]]
kind = "identify"
sources = ["idcard", "sscard"]
[[step]]
kind = "pin"
only_for = ["sscard"]
max_attempts = 3
[[step]]
kind = "consent"
skip_if_verified = true
[[step]]
kind = "face"
skip_if_verified = true
[[step]]
kind = "confirm"
[[step]]
kind = "submit"
operation = "sscard_loss_report"
[[step]]
kind = "end"
)";

void pin_answers(const std::string& text) {
  static const flow::Flow f = flow::parse_flow(kPinFlow, "pin.toml");
  flow::FlowRun run(f, "KS-B024", nullptr);
  core::SessionData d;
  std::vector<core::Effect> fx;
  run.start(d, fx);
  core::DeviceEvent card;
  card.kind = core::DeviceEvent::Kind::SsCardInserted;
  card.identity.source = core::IdSource::SsCard;
  card.identity.id_number = "410101199001011234";
  card.identity.region_code = "410100";
  run.handle(card, d, fx);
  for (int round = 0; round < 6 && !run.finished() && !run.abandoned(); ++round) {
    for (const char* tap : {"flow.retry", "pin.1", "pin.2", "pin.3", "pin.4", "pin.5", "pin.6", "pin.ok"})
      run.handle(core::UserAction{tap}, d, fx);
    run.handle(core::Command{"pin.result", text}, d, fx);
    if (!d.pin.empty() && !run.verifying_pin() && run.step().kind != flow::StepKind::Pin) __builtin_trap();
    if (run.step_number() < 1 || run.step_number() > run.step_count()) __builtin_trap();
    (void)run.screen_name();
    (void)run.spoken_key();
    fx.clear();
  }
  d.wipe();
}
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
  if (data[0] % 4 == 3) {
    pin_answers(text);
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
