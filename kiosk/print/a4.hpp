// A4 documents (records, 参保证明, 缴费证明) as PDF with cairo + pango: header, title, a table of
// rows, paragraphs, verification QR and a place for the e-seal image.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kiosk::print {

struct A4Document {
  std::string issuer;  // header line, e.g. "XX市社会保险事业管理中心"
  std::string title;   // "参保证明 Certificate of Insurance"
  std::string subtitle;
  std::vector<std::pair<std::string, std::string>> rows;  // label, value (already masked)
  std::vector<std::string> paragraphs;
  std::string verify_url;      // QR at the bottom; empty = none
  std::string verify_caption;  // "扫码验证真伪 Scan to verify"
  std::string seal_png;        // e-seal image path; empty = drawn placeholder ring with seal_text
  std::string seal_text;
  std::string footer;  // e.g. transaction number and print time
};

class A4Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes a one-page (or more, for long tables) PDF. Throws A4Error.
void write_a4_pdf(const A4Document& doc, const std::string& path);

}  // namespace kiosk::print
