// Declarative service flows (config/flows/*.toml): which steps an item runs, in which order, with which
// texts. Pure: parsing and validation only. Ops change a flow or a text without a build.
//
//   [flow]
//   id = "certification"
//   items = ["KS-A013", "KS-A014"]
//   closed_provinces = ["51"]          # optional: 2-digit province codes where the item is not open
//   [[step]]
//   kind = "identify"                  # identify consent pin face query confirm submit show_result
//   sources = ["idcard", "sscard", "qr"]  #   print rate end choose entry
//   ...
//   [[step]]
//   kind = "choose"                    # one large-button choice, stored in SessionData::inputs[field]
//   field = "filing_type"              #   labels: strings "choice.<field>.title" and
//   "choice.<field>.<option>" options = ["long_term_residence", "work_elsewhere", "referral"]
//   [[step]]
//   kind = "entry"                     # digits on an on-screen keypad (or a scanned QR code) into
//   field = "case_no"                  #   SessionData::inputs[field]; min_length/max_length digits
//   min_length = 8
//
// Conditional steps (decided once the resident is identified; a skipped step is not counted in
// "第n步/共m步" and `back` passes over it):
//   only_for = ["sscard"]     # run the step only for residents identified by one of these sources
//   skip_if_verified = true   # consent/face: skip when the resident already proved who they are in this
//                             # flow (the SS card PIN verified)
// A `pin` step verifies the PIN on the inserted social security card (the card counts the tries), so it
// always behaves as only_for = ["sscard"]; max_attempts caps the wrong PINs per visit. "PIN or face"
// (社会保障卡临时挂失): card holders verify by PIN, everyone else by face:
//   [[step]]  kind = "identify"  sources = ["sscard", "idcard", "qr"]
//   [[step]]  kind = "pin"       only_for = ["sscard"]
//   [[step]]  kind = "consent"   skip_if_verified = true
//   [[step]]  kind = "face"      skip_if_verified = true
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::core {
class Strings;
class Catalog;
}  // namespace kiosk::core

namespace kiosk::flow {

enum class StepKind {
  Identify,
  Consent,
  Pin,
  Face,
  Query,
  Confirm,
  Submit,
  ShowResult,
  Print,
  Rate,
  End,
  Choose,  // one large-button choice (备案类型, 参保档次 ...)
  Entry,   // a number typed on the keypad or scanned as a QR code (办件编号 ...)
};
const char* to_string(StepKind k);
std::optional<StepKind> step_kind_from(std::string_view s);

struct Step {
  StepKind kind = StepKind::End;
  int line = 0;             // where it was declared (for messages)
  std::string title;        // string key of the screen title ("flow.consent.title" by default)
  std::string instruction;  // string key shown and spoken on entry ("flow.consent.spoken" by default)
  std::string body;         // string key of a body text (consent text, confirm notice ...)
  std::vector<std::string> sources;     // identify: "idcard", "sscard", "qr"
  std::string operation;                // query/submit: platform operation, e.g. "record_query:rights_record"
  std::string template_id;              // print: receipt or A4 template
  std::string qr_url;                   // show_result: URL shown as a QR code (finish on the phone)
  int max_attempts = 3;                 // face / pin
  std::string field;                    // choose / entry: key in SessionData::inputs
  std::vector<std::string> options;     // choose: option ids (labels "choice.<field>.<option>")
  int min_length = 1, max_length = 20;  // entry: digits
  std::vector<std::string> only_for;    // run only for these identity sources (empty: everyone)
  bool skip_if_verified = false;        // consent / face: skipped after a verified PIN
};

struct Flow {
  std::string id;
  std::string file;
  std::vector<std::string> items;           // catalog codes this flow serves
  std::vector<std::string> open_provinces;  // empty: every province
  std::vector<std::string> closed_provinces;
  std::vector<Step> steps;

  // Steps shown in the indicator ("第2步/共5步"): every step but the final `end`.
  int numbered_steps() const;
  bool open_for(const std::string& region_code) const;
  bool needs_identity() const;
};

// "config/flows/certification.toml:12: unknown step kind 'selfie'".
class FlowLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses one flow document; `file` names it in errors. Throws FlowLoadError.
Flow parse_flow(std::string_view toml_text, const std::string& file);
Flow load_flow_file(const std::string& path);

class FlowSet {
 public:
  // Loads every *.toml in dir (sorted). Throws FlowLoadError (an item in two flows is an error too).
  static FlowSet load_dir(const std::string& dir);
  void add(Flow f);  // throws FlowLoadError on a duplicate item
  const Flow* for_item(const std::string& code) const;
  const std::vector<Flow>& flows() const { return flows_; }

  // Cross-checks against the texts and the catalog: missing string keys (per language), unknown or
  // non-self-service items. Empty when all is well.
  std::vector<std::string> check(const core::Strings& strings, const core::Catalog& catalog) const;

 private:
  std::vector<Flow> flows_;
  std::map<std::string, std::size_t> by_item_;
};

// Every string key a step displays or speaks.
std::vector<std::string> string_keys(const Step& s);

}  // namespace kiosk::flow
