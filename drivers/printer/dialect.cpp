#include "drivers/printer/dialect.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>

namespace kiosk::printer {

Dialect builtin_dialect(const std::string& id) {
  Dialect d;
  d.id = id;
  if (id == "generic") return d;
  if (id == "epson") {
    d.name = "Epson TM series";
    d.chinese_mode = true;  // Chinese-market models; JP models start with Kanji off
    d.qr_max_module = 16;
    d.line_spacing = 30;
    return d;
  }
  if (id == "gprinter") {
    d.name = "佳博 Gprinter";
    d.qr_model_select = false;
    d.qr_max_module = 9;
    d.cut = CutMode::GsVFeed;
    return d;
  }
  if (id == "xprinter") {
    d.name = "芯烨 Xprinter";
    d.encoding = TextEncoding::Gb18030;
    d.qr_max_module = 16;
    return d;
  }
  if (id == "snbc") {
    d.name = "新北洋 SNBC";
    d.qr_max_module = 16;
    return d;
  }
  throw DialectError("unknown printer dialect '" + id + "'");
}

Dialect parse_dialect_toml(const std::string& text, const std::string& source) {
  toml::table t;
  try {
    t = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << source << ":" << e.source().begin.line << ": " << e.description();
    throw DialectError(os.str());
  }
  Dialect d = builtin_dialect(t["base"].value_or(std::string("generic")));
  d.id = t["id"].value_or(d.id);
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    auto bad = [&](const char* what) { throw DialectError(source + ": key '" + key + "': " + what); };
    if (key == "base" || key == "id") continue;
    if (key == "name") {
      if (!v.is_string()) bad("expected string");
      d.name = *v.value<std::string>();
    } else if (key == "width_dots") {
      auto n = v.value<int>();
      if (!n || (*n != 384 && *n != 576 && *n != 512)) bad("expected 384, 512 or 576");
      d.width_dots = *n;
    } else if (key == "chinese_mode" || key == "qr_model_select" || key == "realtime_status") {
      auto b = v.value<bool>();
      if (!b) bad("expected boolean");
      (key == "chinese_mode"      ? d.chinese_mode
       : key == "qr_model_select" ? d.qr_model_select
                                  : d.realtime_status) = *b;
    } else if (key == "encoding") {
      auto s = v.value<std::string>().value_or("");
      if (s == "gbk")
        d.encoding = TextEncoding::Gbk;
      else if (s == "gb18030")
        d.encoding = TextEncoding::Gb18030;
      else
        bad("expected \"gbk\" or \"gb18030\"");
    } else if (key == "qr") {
      auto s = v.value<std::string>().value_or("");
      if (s == "native")
        d.qr = QrMode::Native;
      else if (s == "raster")
        d.qr = QrMode::Raster;
      else
        bad("expected \"native\" or \"raster\"");
    } else if (key == "qr_max_module") {
      auto n = v.value<int>();
      if (!n || *n < 1 || *n > 16) bad("expected 1..16");
      d.qr_max_module = *n;
    } else if (key == "cut") {
      auto s = v.value<std::string>().value_or("");
      if (s == "gs_v_feed")
        d.cut = CutMode::GsVFeed;
      else if (s == "gs_v")
        d.cut = CutMode::GsV;
      else if (s == "esc_i")
        d.cut = CutMode::EscI;
      else
        bad("expected \"gs_v_feed\", \"gs_v\" or \"esc_i\"");
    } else if (key == "cut_feed") {
      auto n = v.value<int>();
      if (!n || *n < 0 || *n > 255) bad("expected 0..255");
      d.cut_feed = *n;
    } else if (key == "line_spacing") {
      auto n = v.value<int>();
      if (!n || *n < 0 || *n > 255) bad("expected 0..255");
      d.line_spacing = *n;
    } else {
      bad("unknown key");
    }
  }
  return d;
}

Dialect load_dialect(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw DialectError("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_dialect_toml(ss.str(), path);
}

}  // namespace kiosk::printer
