// Printer dialect profiles: what differs between Epson, 佳博 Gprinter, 芯烨 Xprinter, 新北洋 SNBC and a
// generic Chinese module (reference/escpos.md §4). Loaded from config/printers/<id>.toml.
#pragma once

#include <stdexcept>
#include <string>

namespace kiosk::printer {

enum class QrMode { Native, Raster };       // GS ( k or a GS v 0 image
enum class CutMode { GsVFeed, GsV, EscI };  // 1D 56 41/42 n | 1D 56 00/01 | 1B 69 / 1B 6D
enum class TextEncoding { Gbk, Gb18030 };   // 2-byte only vs with 4-byte sequences

struct Dialect {
  std::string id = "generic";
  std::string name = "Generic ESC/POS (Chinese)";
  int width_dots = 576;      // 384 for 58 mm, 576 for 80 mm
  bool chinese_mode = true;  // send FS & after ESC @
  TextEncoding encoding = TextEncoding::Gbk;
  QrMode qr = QrMode::Native;
  bool qr_model_select = true;  // send fn 165 (Gprinter manual documents none)
  int qr_max_module = 16;       // Gprinter 1..9
  CutMode cut = CutMode::GsVFeed;
  int cut_feed = 3;             // n for GS V 41/42 n
  bool realtime_status = true;  // DLE EOT answered on this transport
  int line_spacing = 30;        // dots after ESC 2
};

class DialectError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Built-in profiles: "epson", "gprinter", "xprinter", "snbc", "generic" (80 mm). Throws DialectError.
Dialect builtin_dialect(const std::string& id);
// Parses a TOML profile; unknown keys are errors. `base` names a built-in to start from.
Dialect parse_dialect_toml(const std::string& text, const std::string& source = "<string>");
Dialect load_dialect(const std::string& path);

}  // namespace kiosk::printer
