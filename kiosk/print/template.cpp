#include "kiosk/print/template.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "drivers/printer/text_codec.hpp"
#include "kiosk/core/mask.hpp"

namespace kiosk::print {

bool is_personal_field(const std::string& n) {
  static const char* personal[] = {"name",  "id_number", "sscard_number", "card_number", "phone",
                                   "token", "qr_token",  "address",       "pin",         "medical_voucher"};
  for (const char* p : personal)
    if (n == p) return true;
  return false;
}

namespace {

std::string str_or(const toml::table& t, const char* k, std::string def = {}) {
  return t[k].value_or(std::move(def));
}

Mask parse_mask(const std::string& s, const std::string& where) {
  if (s.empty() || s == "none") return Mask::None;
  if (s == "name") return Mask::Name;
  if (s == "id") return Mask::Id;
  if (s == "token") return Mask::Token;
  throw TemplateError(where + ": mask must be name, id, token or none");
}

printer::Align parse_align(const std::string& s, const std::string& where) {
  if (s.empty() || s == "left") return printer::Align::Left;
  if (s == "center") return printer::Align::Center;
  if (s == "right") return printer::Align::Right;
  throw TemplateError(where + ": align must be left, center or right");
}

// Placeholders used in free text must not be personal fields.
void check_placeholders(const std::string& text, const std::string& where) {
  for (std::size_t p = text.find('{'); p != std::string::npos; p = text.find('{', p + 1)) {
    auto e = text.find('}', p);
    if (e == std::string::npos) throw TemplateError(where + ": unclosed placeholder");
    std::string f = text.substr(p + 1, e - p - 1);
    if (is_personal_field(f))
      throw TemplateError(where + ": personal field {" + f + "} in free text; use a masked field line");
  }
}

std::string value_string(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  return v.dump();
}

}  // namespace

Template parse_template(const std::string& text, const std::string& source) {
  toml::table t;
  try {
    t = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << source << ":" << e.source().begin.line << ": " << e.description();
    throw TemplateError(os.str());
  }
  Template r;
  r.id = str_or(t, "id");
  r.kind = str_or(t, "kind", "receipt");
  r.name = str_or(t, "name");
  if (r.id.empty()) throw TemplateError(source + ": missing id");
  if (r.kind != "receipt" && r.kind != "a4") throw TemplateError(source + ": kind must be receipt or a4");
  r.width_dots = t["width_dots"].value_or(576);
  if (r.kind == "receipt" && r.width_dots != 384 && r.width_dots != 576)
    throw TemplateError(source + ": width_dots must be 384 or 576");
  if (auto* req = t["required"].as_array())
    for (auto& v : *req) r.required.push_back(v.value_or(std::string()));
  r.title = str_or(t, "title");
  r.subtitle = str_or(t, "subtitle");
  r.issuer = str_or(t, "issuer");
  r.seal_text = str_or(t, "seal_text");
  r.qr_field = str_or(t, "qr_field");
  if (auto* ps = t["paragraph"].as_array())
    for (auto& v : *ps) {
      std::string p = v.value_or(std::string());
      check_placeholders(p, source + ": paragraph");
      r.paragraphs.push_back(p);
    }
  check_placeholders(r.title, source + ": title");
  auto* lines = t["line"].as_array();
  if (!lines || lines->empty()) throw TemplateError(source + ": no [[line]] entries");
  int n = 0;
  for (auto& node : *lines) {
    ++n;
    std::string where = source + ": line " + std::to_string(n);
    auto* lt = node.as_table();
    if (!lt) throw TemplateError(where + ": not a table");
    TemplateLine l;
    l.type = str_or(*lt, "type");
    l.text = str_or(*lt, "text");
    l.label = str_or(*lt, "label");
    l.field = str_or(*lt, "field");
    l.mask = parse_mask(str_or(*lt, "mask"), where);
    l.align = parse_align(str_or(*lt, "align"), where);
    l.bold = (*lt)["bold"].value_or(false);
    l.optional = (*lt)["optional"].value_or(false);
    l.count = (*lt)["count"].value_or(l.type == "qr" ? 6 : 1);
    if (auto* sz = (*lt)["size"].as_array(); sz && sz->size() == 2) {
      l.width_mag = (*sz)[0].value_or(1);
      l.height_mag = (*sz)[1].value_or(1);
      if (l.width_mag < 1 || l.width_mag > 8 || l.height_mag < 1 || l.height_mag > 8)
        throw TemplateError(where + ": size must be [1..8, 1..8]");
    }
    static const char* types[] = {"text", "field", "pair", "rule", "qr", "barcode", "feed", "cut"};
    if (std::find(std::begin(types), std::end(types), l.type) == std::end(types))
      throw TemplateError(where + ": unknown type '" + l.type + "'");
    if ((l.type == "field" || l.type == "pair" || l.type == "qr" || l.type == "barcode") && l.field.empty())
      throw TemplateError(where + ": '" + l.type + "' needs a field");
    if (is_personal_field(l.field) && l.mask == Mask::None)
      throw TemplateError(where + ": personal field '" + l.field + "' printed without a mask");
    check_placeholders(l.text, where);
    r.lines.push_back(std::move(l));
  }
  return r;
}

Template load_template(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw TemplateError("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_template(ss.str(), path);
}

TemplateSet::TemplateSet(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto& f : files) add(load_template(f.string()));
}

void TemplateSet::add(Template t) {
  std::string id = t.id;
  if (!by_id_.emplace(id, std::move(t)).second) throw TemplateError("duplicate template id " + id);
}

const Template& TemplateSet::get(const std::string& id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) throw TemplateError("unknown template '" + id + "'");
  return it->second;
}

std::vector<std::string> TemplateSet::ids() const {
  std::vector<std::string> r;
  for (auto& [k, v] : by_id_) r.push_back(k);
  return r;
}

nlohmann::json prepare_fields(const Template& t, const nlohmann::json& fields) {
  if (!fields.is_object()) throw TemplateError("fields must be a JSON object");
  for (auto& r : t.required)
    if (!fields.contains(r) || value_string(fields[r]).empty())
      throw TemplateError("template " + t.id + ": missing field '" + r + "'");
  // Masks are declared per line; a personal field printed anywhere gets that line's mask.
  std::map<std::string, Mask> masks;
  for (auto& l : t.lines)
    if (!l.field.empty() && l.mask != Mask::None) masks[l.field] = l.mask;
  nlohmann::json out = nlohmann::json::object();
  for (auto& [k, v] : fields.items()) {
    std::string s = value_string(v);
    auto m = masks.find(k);
    if (m != masks.end()) {
      switch (m->second) {
        case Mask::Name:
          s = core::mask_name(s);
          break;
        case Mask::Id:
          s = core::mask_id(s);
          break;
        case Mask::Token:
          s = core::mask_token(s);
          break;
        case Mask::None:
          break;
      }
    } else if (is_personal_field(k)) {
      continue;  // personal data the template does not print never reaches the spool
    }
    out[k] = s;
  }
  return out;
}

std::string substitute(const std::string& text, const nlohmann::json& f) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '{') {
      auto e = text.find('}', i);
      if (e != std::string::npos) {
        std::string k = text.substr(i + 1, e - i - 1);
        if (f.contains(k)) out += value_string(f[k]);
        i = e + 1;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

void encode_receipt(const Template& t, const nlohmann::json& f, printer::Encoder& e) {
  if (t.kind != "receipt") throw TemplateError(t.id + " is not a receipt template");
  const int cols = e.dialect().width_dots / 12;  // font A half-width columns
  auto get = [&](const std::string& k) -> std::string { return f.contains(k) ? value_string(f[k]) : ""; };
  e.init();
  for (auto& l : t.lines) {
    std::string v = l.field.empty() ? "" : get(l.field);
    if (!l.field.empty() && v.empty()) {
      if (l.optional) continue;
      throw TemplateError("template " + t.id + ": missing field '" + l.field + "'");
    }
    e.align(l.align).size(l.width_mag, l.height_mag).bold(l.bold);
    if (l.type == "text") {
      e.line(substitute(l.text, f));
    } else if (l.type == "field") {
      e.line(l.label.empty() ? v : l.label + ": " + v);
    } else if (l.type == "pair") {
      // label left, value right-aligned on the same line (padding counts CJK as 2 columns).
      auto width = [](const std::string& s) {
        int w = 0;
        for (char32_t c : printer::utf8_to_u32(s)) w += c >= 0x2E80 ? 2 : 1;
        return w;
      };
      int pad = std::max(1, cols / l.width_mag - width(l.label) - width(v));
      e.line(l.label + std::string(static_cast<std::size_t>(pad), ' ') + v);
    } else if (l.type == "rule") {
      e.line(std::string(static_cast<std::size_t>(cols / l.width_mag), '-'));
    } else if (l.type == "qr") {
      e.qr(v, l.count, printer::QrEc::M);
      if (!l.text.empty()) e.line(substitute(l.text, f));
    } else if (l.type == "barcode") {
      e.barcode128(v);
    } else if (l.type == "feed") {
      e.feed_lines(l.count);
    } else if (l.type == "cut") {
      e.cut();
    }
  }
  e.size(1, 1).bold(false).align(printer::Align::Left);
}

}  // namespace kiosk::print
