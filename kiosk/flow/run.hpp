// FlowRun: one resident going through one item's flow, as a pure state machine behind
// core::ActiveFlow. Device and platform work is requested with effects (Platform, StartFace, Print)
// and its outcome comes back as Commands:
//   platform.reply  {"op","ok","error","code","message","message_en","transaction_number","data"}
//   face.result     "pass score=0.97 quality=0.9 actions=blink,nod" | "fail reason=spoof" | "error"
//   print.result    "printed" | "failed <log-safe reason>"
//   pin.result      "ok" | "wrong tries=N" | "blocked" | "no_card" | "error [reason=..]"  (after
//                   Effect::Kind::VerifyPin; SessionData::pin is wiped when it arrives)
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "drivers/idcard/region.hpp"
#include "kiosk/core/session.hpp"
#include "kiosk/flow/flow.hpp"

namespace kiosk::flow {

class FlowRun final : public core::ActiveFlow {
 public:
  enum class Phase {
    Step,        // the step's own screen
    Waiting,     // device work or a platform call in progress
    Error,       // something failed: message_key(), maybe retry
    FaceFailed,  // liveness not passed: retry while attempts remain
    NotOpen,     // item not open for the resident's region
    PinBlocked,  // SS card PIN locked (or this visit's attempts used up): no further attempts
  };

  FlowRun(const Flow& flow, std::string item_code, const idcard::RegionTable* regions);

  void start(core::SessionData& data, std::vector<core::Effect>& fx) override;
  bool handle(const core::Event& e, core::SessionData& data, std::vector<core::Effect>& fx) override;
  std::string screen_name() const override;
  std::string spoken_key() const override;
  bool busy() const override { return phase_ == Phase::Waiting; }
  bool reading() const override;
  bool finished() const override { return finished_; }
  bool abandoned() const override { return abandoned_; }
  std::string abort_notice() const override { return notice_; }

  // View for the UI.
  const Flow& flow() const { return flow_; }
  const std::string& item_code() const { return item_; }
  const Step& step() const { return flow_.steps[index_]; }
  int step_number() const;  // 1-based among the steps that apply to this resident, for "第n步/共m步"
  int step_count() const;
  Phase phase() const { return phase_; }
  const std::string& message_key() const { return message_key_; }  // Error / NotOpen / hints
  bool can_retry() const { return can_retry_; }
  bool can_skip() const { return can_skip_; }
  int attempts() const { return attempts_; }
  const std::string& hint_key() const { return hint_key_; }  // identify: wrong card type etc.
  std::size_t pin_length() const { return pin_len_; }
  bool pin_verified() const { return pin_verified_; }
  bool verifying_pin() const { return phase_ == Phase::Waiting && waiting_for_ == "pin"; }
  // Whether a step runs for this resident (only_for, skip_if_verified; pin only for the SS card).
  bool applies(const Step& s) const;

 private:
  void enter(core::SessionData& d, std::vector<core::Effect>& fx);
  void next(core::SessionData& d, std::vector<core::Effect>& fx);
  void show(std::vector<core::Effect>& fx);
  void error(std::vector<core::Effect>& fx, std::string key, bool retry, bool skip = false);
  void identified(core::SessionData& d, std::vector<core::Effect>& fx);
  void route(core::SessionData& d, std::vector<core::Effect>& fx);
  bool on_action(const std::string& id, core::SessionData& d, std::vector<core::Effect>& fx);
  bool on_device(const core::DeviceEvent& ev, core::SessionData& d, std::vector<core::Effect>& fx);
  bool on_command(const core::Command& c, core::SessionData& d, std::vector<core::Effect>& fx);
  void on_platform(const nlohmann::json& reply, core::SessionData& d, std::vector<core::Effect>& fx);
  void back(core::SessionData& d, std::vector<core::Effect>& fx);
  void wait_for(std::vector<core::Effect>& fx, std::string what);
  void on_pin_result(const std::string& arg, core::SessionData& d, std::vector<core::Effect>& fx);
  bool counted(const Step& s) const;  // in "第n步/共m步": applies, and not about to be replaced by the PIN

  const Flow& flow_;
  std::string item_;
  const idcard::RegionTable* regions_;
  int index_ = 0;
  Phase phase_ = Phase::Step;
  std::string waiting_for_;  // "platform:<op>", "face", "print"
  std::string message_key_;
  std::string hint_key_;
  bool can_retry_ = false, can_skip_ = false;
  int attempts_ = 0;
  std::size_t pin_len_ = 0;
  int pin_attempts_ = 0;       // wrong PINs this visit (capped by the step's max_attempts)
  bool pin_verified_ = false;  // the SS card accepted the PIN in this flow
  bool source_known_ = false;  // identified: source_ decides only_for
  core::IdSource source_ = core::IdSource::IdCard;
  bool results_in_ = false;  // a query/submit answered: back now finishes the visit
  bool finished_ = false, abandoned_ = false;
  std::string notice_;
};

// The FlowFactory the session uses: flows from config/flows and the region table.
class FlowLibrary final : public core::FlowFactory {
 public:
  FlowLibrary(FlowSet flows, const idcard::RegionTable* regions)
      : flows_(std::move(flows)), regions_(regions) {}
  bool has_flow(const std::string& item_code) const override { return flows_.for_item(item_code); }
  std::unique_ptr<core::ActiveFlow> create(const std::string& item_code) const override;
  const FlowSet& flows() const { return flows_; }

 private:
  FlowSet flows_;
  const idcard::RegionTable* regions_;
};

// A widget id safe for the log: PIN keypad digits ("pin.7") become "pin.#" so a debug trace of taps never
// spells the PIN. Every other id is returned unchanged.
std::string loggable_action(const std::string& id);

// "score=0.97 quality=0.9" → {"score": "0.97", ...}; words without '=' are skipped.
std::map<std::string, std::string> parse_kv(const std::string& s);

}  // namespace kiosk::flow
