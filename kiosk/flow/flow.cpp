#include "kiosk/flow/flow.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "kiosk/core/catalog.hpp"
#include "kiosk/core/strings.hpp"

namespace kiosk::flow {

namespace {

struct KindName {
  StepKind kind;
  const char* name;
};
constexpr KindName kKinds[] = {
    {StepKind::Identify, "identify"}, {StepKind::Consent, "consent"},
    {StepKind::Pin, "pin"},           {StepKind::Face, "face"},
    {StepKind::Query, "query"},       {StepKind::Confirm, "confirm"},
    {StepKind::Submit, "submit"},     {StepKind::ShowResult, "show_result"},
    {StepKind::Print, "print"},       {StepKind::Rate, "rate"},
    {StepKind::End, "end"},           {StepKind::Choose, "choose"},
    {StepKind::Entry, "entry"},
};

// Platform operations the App knows how to run (see kiosk/app/services.cpp).
const std::set<std::string> kQueryOps = {"record_query:rights_record",
                                         "record_query:insured_certificate",
                                         "record_query:contributions",
                                         "record_query:housing_fund",
                                         "certificate_issue:insured_certificate",
                                         "certificate_issue:contributions",
                                         "certificate_issue:housing_fund",
                                         "certificate_issue:rights_record",
                                         "case_lookup",
                                         "certificate_query:employment_card",
                                         "certificate_query:technical_school",
                                         "certificate_query:skill_qualification",
                                         "certificate_query:professional_qualification",
                                         "certificate_query:skill_level",
                                         "record_query:tax_payment",
                                         "certificate_issue:tax_payment",
                                         "certificate_issue:housing_loan_clearance"};
// Queries that need no identified person: they look up by a number the resident typed or scanned.
const std::set<std::string> kAnonymousOps = {"case_lookup"};
const std::set<std::string> kSubmitOps = {"certification_submit",
                                          "sscard_loss_report",
                                          "certificate_issue:insured_certificate",
                                          "certificate_issue:contributions",
                                          "certificate_issue:housing_fund",
                                          "registration_submit:unemployment",
                                          "registration_submit:resident_pension",
                                          "registration_submit:medical_filing"};
const std::set<std::string> kSources = {"idcard", "sscard", "qr"};

int line_of(const toml::node& n) {
  return static_cast<int>(n.source().begin.line);
}

[[noreturn]] void fail(const std::string& file, int line, const std::string& msg) {
  throw FlowLoadError(file + ":" + std::to_string(line) + ": " + msg);
}

std::string get_string(const toml::table& t, std::string_view key, const std::string& file) {
  const toml::node* n = t.get(key);
  if (!n) return {};
  if (auto v = n->value<std::string>()) return *v;
  fail(file, line_of(*n), "'" + std::string(key) + "' must be a string");
}

std::vector<std::string> get_strings(const toml::table& t, std::string_view key, const std::string& file) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (!n) return out;
  const toml::array* a = n->as_array();
  if (!a) fail(file, line_of(*n), "'" + std::string(key) + "' must be an array of strings");
  for (auto& el : *a) {
    auto v = el.value<std::string>();
    if (!v) fail(file, line_of(el), "'" + std::string(key) + "' must hold strings only");
    out.push_back(*v);
  }
  return out;
}

// Keys every [[step]] may carry: the conditions under which it runs (see flow.hpp).
const std::set<std::string> kStepConditionKeys = {"only_for", "skip_if_verified"};

void check_keys(const toml::table& t, const std::set<std::string>& allowed, const std::string& file,
                const std::string& where) {
  for (auto& [k, v] : t)
    if (!allowed.count(std::string(k.str())) &&
        !(where == "[[step]]" && kStepConditionKeys.count(std::string(k.str()))))
      fail(file, line_of(v), "unknown key '" + std::string(k.str()) + "' in " + where);
}

bool is_province(const std::string& s) {
  return s.size() == 2 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void validate(const Flow& f) {
  const std::string& file = f.file;
  if (f.steps.empty()) fail(file, 1, "flow '" + f.id + "' has no [[step]]");
  if (f.steps.back().kind != StepKind::End)
    fail(file, f.steps.back().line, "the last step must be kind = \"end\"");
  bool identified = false, consented = false, confirmed = false, has_result_source = false, entered = false;
  for (std::size_t i = 0; i < f.steps.size(); ++i) {
    const Step& s = f.steps[i];
    const bool personal = s.kind == StepKind::Consent || s.kind == StepKind::Pin ||
                          s.kind == StepKind::Face || s.kind == StepKind::Query || s.kind == StepKind::Submit;
    const bool anonymous = s.kind == StepKind::Query && kAnonymousOps.count(s.operation) && entered;
    if (personal && !identified && !anonymous)
      fail(file, s.line, std::string("step '") + to_string(s.kind) + "' needs an identify step before it");
    switch (s.kind) {
      case StepKind::Identify:
        if (identified) fail(file, s.line, "only one identify step per flow");
        if (s.sources.empty())
          fail(file, s.line, "identify needs sources = [\"idcard\", \"sscard\", \"qr\"]");
        for (auto& src : s.sources)
          if (!kSources.count(src)) fail(file, s.line, "unknown identity source '" + src + "'");
        identified = true;
        break;
      case StepKind::Consent:
        consented = true;
        break;
      case StepKind::Face:
        if (!consented) fail(file, s.line, "face capture needs a consent step before it");
        break;
      case StepKind::Confirm:
        confirmed = true;
        break;
      case StepKind::Query:
        if (!kQueryOps.count(s.operation))
          fail(file, s.line, "query needs a known operation, got '" + s.operation + "'");
        has_result_source = true;
        break;
      case StepKind::Submit:
        if (!confirmed) fail(file, s.line, "submit needs a confirm (review-and-confirm) step before it");
        if (!kSubmitOps.count(s.operation))
          fail(file, s.line, "submit needs a known operation, got '" + s.operation + "'");
        has_result_source = true;
        confirmed = false;  // a second submission needs its own confirmation
        break;
      case StepKind::ShowResult:
        if (!has_result_source && s.qr_url.empty())
          fail(file, s.line, "show_result needs a query or submit before it (or a qr_url)");
        break;
      case StepKind::Print:
        if (s.template_id.empty()) fail(file, s.line, "print needs template = \"...\"");
        if (!has_result_source) fail(file, s.line, "print needs a query or submit before it");
        break;
      case StepKind::End:
        if (i + 1 != f.steps.size()) fail(file, s.line, "end must be the last step");
        break;
      case StepKind::Choose:
        if (s.field.empty()) fail(file, s.line, "choose needs field = \"...\"");
        if (s.options.size() < 2 || s.options.size() > 6)
          fail(file, s.line, "choose needs 2..6 options (one decision per screen)");
        for (auto& o : s.options)
          if (o.empty() || o == "title" ||
              o.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
            fail(file, s.line, "option ids are lower-case words, got '" + o + "'");
        break;
      case StepKind::Entry:
        if (s.field.empty()) fail(file, s.line, "entry needs field = \"...\"");
        if (s.min_length < 1 || s.max_length > 32 || s.min_length > s.max_length)
          fail(file, s.line, "entry needs 1 <= min_length <= max_length <= 32");
        entered = true;
        break;
      case StepKind::Pin:
      case StepKind::Rate:
        break;
    }
    if ((s.kind == StepKind::Face || s.kind == StepKind::Pin) && (s.max_attempts < 1 || s.max_attempts > 5))
      fail(file, s.line, "max_attempts must be 1..5");
  }
}

// only_for / skip_if_verified (see flow.hpp): they name sources the flow accepts, skip_if_verified follows
// a pin step, and a face capture never runs where its consent was skipped.
void validate_conditions(const Flow& f) {
  const std::string& file = f.file;
  std::vector<std::string> sources;
  bool has_pin = false;
  const Step* consent = nullptr;
  auto contains = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  for (const Step& s : f.steps) {
    if (!s.only_for.empty()) {
      if (s.kind == StepKind::Identify || s.kind == StepKind::End)
        fail(file, s.line, std::string("only_for does not apply to '") + to_string(s.kind) + "'");
      for (auto& src : s.only_for)
        if (!contains(sources, src))
          fail(file, s.line, "only_for names '" + src + "', which the identify step does not accept");
    }
    if (s.skip_if_verified) {
      if (s.kind != StepKind::Consent && s.kind != StepKind::Face)
        fail(file, s.line, "skip_if_verified applies to consent and face steps only");
      if (!has_pin) fail(file, s.line, "skip_if_verified needs a pin step before it");
    }
    switch (s.kind) {
      case StepKind::Identify:
        sources = s.sources;
        break;
      case StepKind::Pin:
        if (!contains(sources, "sscard"))
          fail(file, s.line, "a pin step verifies the social security card: identify must accept \"sscard\"");
        if (!s.only_for.empty() && (s.only_for.size() != 1 || s.only_for[0] != "sscard"))
          fail(file, s.line, "a pin step runs for the social security card only: only_for = [\"sscard\"]");
        has_pin = true;
        break;
      case StepKind::Consent:
        consent = &s;
        break;
      case StepKind::Face:
        if (consent) {
          bool narrower = consent->skip_if_verified && !s.skip_if_verified;
          if (!consent->only_for.empty()) {
            narrower = narrower || s.only_for.empty();
            for (auto& src : s.only_for) narrower = narrower || !contains(consent->only_for, src);
          }
          if (narrower) fail(file, s.line, "face capture could run where its consent step is skipped");
        }
        break;
      default:
        break;
    }
  }
}

}  // namespace

const char* to_string(StepKind k) {
  for (auto& kn : kKinds)
    if (kn.kind == k) return kn.name;
  return "?";
}

std::optional<StepKind> step_kind_from(std::string_view s) {
  for (auto& kn : kKinds)
    if (s == kn.name) return kn.kind;
  return std::nullopt;
}

int Flow::numbered_steps() const {
  int n = 0;
  for (auto& s : steps)
    if (s.kind != StepKind::End) ++n;
  return n;
}

bool Flow::open_for(const std::string& region_code) const {
  std::string prov = region_code.substr(0, std::min<std::size_t>(2, region_code.size()));
  if (std::find(closed_provinces.begin(), closed_provinces.end(), prov) != closed_provinces.end())
    return false;
  return open_provinces.empty() ||
         std::find(open_provinces.begin(), open_provinces.end(), prov) != open_provinces.end();
}

bool Flow::needs_identity() const {
  return std::any_of(steps.begin(), steps.end(), [](const Step& s) { return s.kind == StepKind::Identify; });
}

std::vector<std::string> string_keys(const Step& s) {
  std::vector<std::string> out = {s.title, s.instruction};
  if (!s.body.empty()) out.push_back(s.body);
  if (s.kind == StepKind::Choose) {
    out.push_back("choice." + s.field + ".title");
    for (auto& o : s.options) out.push_back("choice." + s.field + "." + o);
  }
  return out;
}

Flow parse_flow(std::string_view text, const std::string& file) {
  toml::table doc;
  try {
    doc = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    fail(file, static_cast<int>(e.source().begin.line), std::string(e.description()));
  }
  check_keys(doc, {"flow", "step"}, file, "the document");
  Flow f;
  f.file = file;
  const toml::table* head = doc["flow"].as_table();
  if (!head) fail(file, 1, "missing [flow] table");
  check_keys(*head, {"id", "items", "open_provinces", "closed_provinces"}, file, "[flow]");
  f.id = get_string(*head, "id", file);
  if (f.id.empty()) fail(file, line_of(*head), "[flow] needs id = \"...\"");
  f.items = get_strings(*head, "items", file);
  if (f.items.empty()) fail(file, line_of(*head), "[flow] needs items = [\"KS-...\"]");
  f.open_provinces = get_strings(*head, "open_provinces", file);
  f.closed_provinces = get_strings(*head, "closed_provinces", file);
  for (auto* list : {&f.open_provinces, &f.closed_provinces})
    for (auto& p : *list)
      if (!is_province(p)) fail(file, line_of(*head), "province codes are 2 digits, got '" + p + "'");
  const toml::array* steps = doc["step"].as_array();
  if (!steps) fail(file, line_of(*head), "flow '" + f.id + "' has no [[step]]");
  for (auto& node : *steps) {
    const toml::table* t = node.as_table();
    if (!t) fail(file, line_of(node), "[[step]] must be a table");
    check_keys(*t,
               {"kind", "title", "instruction", "body", "sources", "operation", "template", "qr_url",
                "max_attempts", "field", "options", "min_length", "max_length"},
               file, "[[step]]");
    Step s;
    s.line = line_of(*t);
    std::string kind = get_string(*t, "kind", file);
    auto k = step_kind_from(kind);
    if (!k) fail(file, s.line, "unknown step kind '" + kind + "'");
    s.kind = *k;
    std::string base = std::string("flow.") + to_string(s.kind);
    s.title = get_string(*t, "title", file);
    if (s.title.empty()) s.title = base + ".title";
    s.instruction = get_string(*t, "instruction", file);
    if (s.instruction.empty()) s.instruction = base + ".spoken";
    s.body = get_string(*t, "body", file);
    s.sources = get_strings(*t, "sources", file);
    s.operation = get_string(*t, "operation", file);
    s.template_id = get_string(*t, "template", file);
    s.qr_url = get_string(*t, "qr_url", file);
    if (const toml::node* m = t->get("max_attempts")) {
      auto v = m->value<int64_t>();
      if (!v) fail(file, line_of(*m), "max_attempts must be an integer");
      s.max_attempts = static_cast<int>(*v);
    }
    s.field = get_string(*t, "field", file);
    s.options = get_strings(*t, "options", file);
    for (auto [key, dst] : {std::pair{"min_length", &s.min_length}, std::pair{"max_length", &s.max_length}})
      if (const toml::node* m = t->get(key)) {
        auto v = m->value<int64_t>();
        if (!v || *v < 0 || *v > 64) fail(file, line_of(*m), std::string(key) + " must be a small integer");
        *dst = static_cast<int>(*v);
      }
    s.only_for = get_strings(*t, "only_for", file);
    for (auto& src : s.only_for)
      if (!kSources.count(src)) fail(file, s.line, "unknown identity source '" + src + "' in only_for");
    if (const toml::node* v = t->get("skip_if_verified")) {
      auto b = v->value<bool>();
      if (!b) fail(file, line_of(*v), "skip_if_verified must be true or false");
      s.skip_if_verified = *b;
    }
    f.steps.push_back(std::move(s));
  }
  validate(f);
  validate_conditions(f);
  return f;
}

Flow load_flow_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FlowLoadError(path + ":0: cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_flow(ss.str(), path);
}

void FlowSet::add(Flow f) {
  for (auto& code : f.items) {
    auto it = by_item_.find(code);
    if (it != by_item_.end())
      throw FlowLoadError(f.file + ":1: item " + code + " already has flow '" + flows_[it->second].id +
                          "' (" + flows_[it->second].file + ")");
  }
  for (auto& code : f.items) by_item_[code] = flows_.size();
  flows_.push_back(std::move(f));
}

FlowSet FlowSet::load_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".toml") files.push_back(e.path().string());
  if (ec) throw FlowLoadError(dir + ":0: cannot list flows: " + ec.message());
  std::sort(files.begin(), files.end());
  FlowSet set;
  for (auto& f : files) set.add(load_flow_file(f));
  return set;
}

const Flow* FlowSet::for_item(const std::string& code) const {
  auto it = by_item_.find(code);
  return it == by_item_.end() ? nullptr : &flows_[it->second];
}

std::vector<std::string> FlowSet::check(const core::Strings& strings, const core::Catalog& catalog) const {
  std::vector<std::string> out;
  for (auto& f : flows_) {
    for (auto& code : f.items) {
      const core::CatalogItem* it = catalog.item(code);
      if (!it)
        out.push_back(f.file + ": item " + code + " is not in the catalog");
      else if (!it->self_service)
        out.push_back(f.file + ": item " + code + " is not marked self-service in the catalog");
    }
    for (auto& s : f.steps)
      for (auto& key : string_keys(s))
        for (const char* lang : {"zh-CN", "en"})
          if (!strings.has(lang, key))
            out.push_back(f.file + ":" + std::to_string(s.line) + ": string '" + key + "' missing in " +
                          lang);
  }
  return out;
}

}  // namespace kiosk::flow
