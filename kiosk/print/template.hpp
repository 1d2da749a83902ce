// Declarative print templates (config/receipts/*.toml): thermal receipts (58/80 mm) and A4 documents.
// Personal fields can only be printed through a mask (kiosk/core/mask.hpp); a template that prints
// one raw is rejected when loaded.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "drivers/printer/encoder.hpp"

namespace kiosk::print {

class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Mask { None, Name, Id, Token };

struct TemplateLine {
  std::string type;   // text, field, rule, qr, barcode, feed, cut, pair
  std::string text;   // text with {field} placeholders (non-personal fields only)
  std::string label;  // field: "姓名 Name"
  std::string field;  // field / qr / barcode source
  Mask mask = Mask::None;
  printer::Align align = printer::Align::Left;
  int width_mag = 1, height_mag = 1;
  bool bold = false;
  int count = 1;          // feed lines / qr module size
  bool optional = false;  // field may be missing (line skipped)
};

struct Template {
  std::string id;
  std::string kind;  // "receipt" or "a4"
  std::string name;
  int width_dots = 576;
  std::vector<std::string> required;
  std::vector<TemplateLine> lines;
  // A4 only
  std::string title, subtitle, issuer, seal_text;
  std::vector<std::string> paragraphs;
  std::string qr_field;
};

// Field names that carry personal data and must be masked wherever printed.
bool is_personal_field(const std::string& name);

Template parse_template(const std::string& toml_text, const std::string& source = "<string>");
Template load_template(const std::string& path);

class TemplateSet {
 public:
  // Loads every *.toml in dir; throws TemplateError naming the file on the first bad one.
  explicit TemplateSet(const std::string& dir);
  TemplateSet() = default;
  void add(Template t);
  const Template& get(const std::string& id) const;  // throws TemplateError
  bool has(const std::string& id) const { return by_id_.count(id) != 0; }
  std::vector<std::string> ids() const;

 private:
  std::map<std::string, Template> by_id_;
};

// Applies masks and checks required fields: the result holds only what may be printed or spooled.
nlohmann::json prepare_fields(const Template& t, const nlohmann::json& fields);
// {name} substitution from prepared fields.
std::string substitute(const std::string& text, const nlohmann::json& prepared);
// Encodes a receipt template with prepared fields.
void encode_receipt(const Template& t, const nlohmann::json& prepared, printer::Encoder& e);

}  // namespace kiosk::print
