#include "drivers/printer/renderer.hpp"

#include <algorithm>
#include <cstdio>

#include "drivers/printer/qr.hpp"
#include "drivers/printer/scan.hpp"
#include "drivers/printer/text_codec.hpp"

namespace kiosk::printer {
namespace {

struct Item {
  Bitmap bmp;
  int x;
};

class Renderer {
 public:
  Renderer(const RenderOptions& o, RenderResult& r) : opt_(o), r_(r) {
    glyphs_ = o.glyphs ? o.glyphs : &box_;
    width_ = std::clamp(o.width_dots, 8, 4096);
    r_.image = Bitmap(width_, 0);
    reset();
  }

  void run(std::span<const std::uint8_t> d) {
    std::size_t i = 0;
    while (i < d.size() && !stop_) {
      bool known = true;
      std::size_t len = element_length(d.subspan(i), &known);
      if (len == 0) {
        r_.truncated = true;
        break;
      }
      auto e = d.subspan(i, len);
      if (!known)
        note_unknown(e);
      else if (len == 1)
        i += text_byte(d, i) - 1;
      else
        command(e);
      i += len;
    }
    flush_line(false);
    r_.image.grow_to(std::max(y_ + 8, 1));
  }

 private:
  void reset() {
    chinese_ = opt_.chinese_mode;
    wmag_ = hmag_ = 1;
    bold_ = false;
    underline_ = 0;
    reverse_ = false;
    align_ = 0;
    spacing_ = 30;
    font_b_ = false;
    qr_module_ = 3;
    qr_ec_ = QrEc::L;
    bar_h_ = 162;
    bar_w_ = 3;
    hri_ = 0;
    left_margin_ = 0;
  }

  void note_unknown(std::span<const std::uint8_t> e) {
    static const char* names[] = {"DLE", "ESC", "FS", "GS"};
    int k = e[0] == 0x10 ? 0 : e[0] == 0x1B ? 1 : e[0] == 0x1C ? 2 : 3;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s %02X", names[k], e.size() > 1 ? e[1] : 0);
    add_unknown(buf);
  }
  void add_unknown(const std::string& s) {
    if (std::find(r_.unknown.begin(), r_.unknown.end(), s) == r_.unknown.end() && r_.unknown.size() < 64)
      r_.unknown.push_back(s);
  }

  // Returns the number of bytes consumed (1 or 2).
  std::size_t text_byte(std::span<const std::uint8_t> d, std::size_t i) {
    std::uint8_t b = d[i];
    switch (b) {
      case 0x0A:
        flush_line(true);
        return 1;
      case 0x0D:
        return 1;
      case 0x0C:
        flush_line(true);
        return 1;
      case 0x09: {
        int cell = cell_w(false);
        int stop = ((cursor_ / (cell * 8)) + 1) * cell * 8;
        cursor_ = std::min(stop, width_);
        return 1;
      }
      default:
        break;
    }
    if (b < 0x20) return 1;
    if (b < 0x80) {
      put_char(b, false);
      return 1;
    }
    if (chinese_ && b >= 0x81 && b <= 0xFE && i + 1 < d.size() && d[i + 1] >= 0x40 && d[i + 1] <= 0xFE &&
        d[i + 1] != 0x7F) {
      char32_t cp = decode_gb_pair(b, d[i + 1]);
      put_char(cp ? cp : 0xFFFD, true);
      return 2;
    }
    put_char(0xFFFD, false);
    return 1;
  }

  int cell_w(bool wide) const { return wide ? 24 : (font_b_ ? 9 : 12); }
  int cell_h() const { return font_b_ ? 17 : 24; }

  void put_char(char32_t cp, bool wide) {
    int cw = cell_w(wide), ch = cell_h();
    Bitmap g = glyphs_->glyph(cp, cw, ch);
    Bitmap cell(cw * wmag_, ch * hmag_);
    cell.blit(g, 0, 0, wmag_, hmag_);
    if (bold_) {
      Bitmap shifted = cell;
      for (int y = 0; y < cell.height; ++y)
        for (int x = 0; x + 1 < cell.width; ++x)
          if (shifted.at(x, y)) cell.set(x + 1, y);
    }
    if (underline_)
      for (int x = 0; x < cell.width; ++x)
        for (int t = 0; t < underline_; ++t) cell.set(x, cell.height - 1 - t);
    if (reverse_)
      for (auto& p : cell.px) p ^= 1;
    if (cursor_ + cell.width > line_width()) flush_line(true);
    if (items_.empty()) line_align_ = align_;
    items_.push_back({std::move(cell), cursor_});
    cursor_ += cw * wmag_;
    append_utf8(line_text_, cp);
  }

  int line_width() const { return std::max(8, width_ - left_margin_); }

  // Prints the line buffer; an empty line still advances by the line spacing when `advance`.
  void flush_line(bool advance) {
    if (items_.empty()) {
      if (advance) feed(spacing_);
      cursor_ = 0;
      return;
    }
    int h = 0, w = 0;
    for (auto& it : items_) {
      h = std::max(h, it.bmp.height);
      w = std::max(w, it.x + it.bmp.width);
    }
    int off = left_margin_ + (line_align_ == 1   ? (line_width() - w) / 2
                              : line_align_ == 2 ? line_width() - w
                                                 : 0);
    ensure(y_ + h);
    for (auto& it : items_) r_.image.blit(it.bmp, off + it.x, y_ + h - it.bmp.height);
    int adv = std::max(h, spacing_ * hmag_);
    feed(std::max(h + 6, adv));
    items_.clear();
    cursor_ = 0;
    r_.text += line_text_;
    r_.text += '\n';
    line_text_.clear();
  }

  void feed(int dots) {
    y_ += std::max(0, dots);
    if (y_ > opt_.max_height) {
      r_.truncated = true;
      stop_ = true;
      y_ = opt_.max_height;
    }
  }
  void ensure(int h) {
    if (h > opt_.max_height) {
      r_.truncated = true;
      stop_ = true;
      h = opt_.max_height;
    }
    r_.image.grow_to(h);
  }

  // Blocks (images, QR, barcodes) print at the current y with the current alignment.
  void block(const Bitmap& b) {
    flush_line(false);
    int x = left_margin_ + (align_ == 1   ? (line_width() - b.width) / 2
                            : align_ == 2 ? line_width() - b.width
                                          : 0);
    ensure(y_ + b.height);
    r_.image.blit(b, std::max(0, x), y_);
    feed(b.height);
  }

  static std::size_t u16(std::span<const std::uint8_t> e, std::size_t i) {
    return e[i] | (static_cast<std::size_t>(e[i + 1]) << 8);
  }

  void raster(std::span<const std::uint8_t> data, std::size_t wbytes, std::size_t h, int sx, int sy) {
    if (wbytes == 0 || h == 0) return;
    int w = static_cast<int>(std::min<std::size_t>(wbytes * 8, static_cast<std::size_t>(width_)));
    int hh = static_cast<int>(std::min<std::size_t>(h, static_cast<std::size_t>(opt_.max_height)));
    Bitmap b(w, hh);
    for (int y = 0; y < hh; ++y)
      for (int x = 0; x < w; ++x)
        if (data[static_cast<std::size_t>(y) * wbytes + x / 8] & (0x80 >> (x % 8))) b.set(x, y);
    if (sx > 1 || sy > 1) {
      Bitmap s(std::min(w * sx, width_), hh * sy);
      s.blit(b, 0, 0, sx, sy);
      b = std::move(s);
    }
    ++r_.images;
    block(b);
  }

  void column_image(std::span<const std::uint8_t> e) {
    // ESC * m nL nH d: columns of 8 or 24 dots, MSB on top.
    int m = e[2];
    std::size_t cols = u16(e, 3);
    int dots = (m == 32 || m == 33) ? 24 : 8;
    int per = dots / 8;
    int sx = (m == 0 || m == 32) ? 2 : 1;
    int sy = (m == 0 || m == 1) ? 3 : 1;  // 8-dot modes are 60 dpi vertically
    int w = static_cast<int>(std::min<std::size_t>(cols, static_cast<std::size_t>(width_)));
    Bitmap b(w, dots);
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < per; ++k) {
        std::uint8_t v = e[5 + static_cast<std::size_t>(x) * per + k];
        for (int bit = 0; bit < 8; ++bit)
          if (v & (0x80 >> bit)) b.set(x, k * 8 + bit);
      }
    Bitmap s(std::min(w * sx, width_), dots * sy);
    s.blit(b, 0, 0, sx, sy);
    // Column images are part of the text line (they usually come in bands separated by LF).
    if (items_.empty()) line_align_ = align_;
    ++r_.images;
    items_.push_back({std::move(s), cursor_});
    cursor_ += w * sx;
    saw_column_ = true;
  }

  void gs_paren(std::span<const std::uint8_t> e) {
    std::uint8_t fn = e[2];
    std::size_t p = u16(e, 3);
    auto body = e.subspan(5, p);
    if (fn == 'k' && p >= 2) {
      std::uint8_t cn = body[0], f = body[1];
      if (cn != 0x31) {
        add_unknown(cn == 0x30 ? "GS ( k PDF417" : "GS ( k 2D symbol");
        return;
      }
      if (f == 0x43 && p >= 3)
        qr_module_ = std::clamp<int>(body[2], 1, 16);
      else if (f == 0x45 && p >= 3)
        qr_ec_ = static_cast<QrEc>(std::clamp(body[2] - 0x30, 0, 3));
      else if (f == 0x50 && p >= 3)
        qr_data_.assign(body.begin() + 3, body.end());
      else if (f == 0x51)
        print_qr();
      return;
    }
    if (fn == 'L') {
      graphics(body);
      return;
    }
    if (fn == 'A' || fn == 'E' || fn == 'H' || fn == 'K' || fn == 'C')
      return;  // test print, user setup, etc.
    char buf[16];
    std::snprintf(buf, sizeof buf, "GS ( %c", fn >= 0x20 && fn < 0x7F ? fn : '?');
    add_unknown(buf);
  }

  void graphics(std::span<const std::uint8_t> body) {
    // GS ( L / GS 8 L: m fn ... ; fn 112 store raster (a bx by c xL xH yL yH d), fn 50 print.
    if (body.size() < 2) return;
    std::uint8_t f = body[1];
    if (f == 50 || f == 2) {
      if (!graphic_.px.empty()) {
        ++r_.images;
        block(graphic_);
      }
      return;
    }
    if (f == 112 && body.size() >= 10) {
      int bx = std::max<int>(1, body[3]), by = std::max<int>(1, body[4]);
      std::size_t w = u16(body, 6), h = u16(body, 8);
      std::size_t wb = (w + 7) / 8;
      if (body.size() < 10 + wb * h) return;
      int ww = static_cast<int>(std::min<std::size_t>(w, static_cast<std::size_t>(width_)));
      int hh = static_cast<int>(std::min<std::size_t>(h, 4000));
      Bitmap b(ww, hh);
      for (int y = 0; y < hh; ++y)
        for (int x = 0; x < ww; ++x)
          if (body[10 + static_cast<std::size_t>(y) * wb + x / 8] & (0x80 >> (x % 8))) b.set(x, y);
      Bitmap s(std::min(ww * bx, width_), hh * by);
      s.blit(b, 0, 0, bx, by);
      graphic_ = std::move(s);
      return;
    }
    if (f == 48 || f == 49 || f == 0 || f == 1) return;  // capacity queries
    add_unknown("GS ( L fn " + std::to_string(f));
  }

  void print_qr() {
    if (qr_data_.empty()) return;
    std::string payload(qr_data_.begin(), qr_data_.end());
    try {
      block(qr_bitmap(payload, qr_ec_, qr_module_));
      r_.qr_payloads.push_back(payload);
    } catch (const ImageError&) {
      add_unknown("QR not encodable");
    }
  }

  void barcode(std::span<const std::uint8_t> e) {
    std::uint8_t m = e[2];
    std::string data;
    if (m <= 6)
      data.assign(e.begin() + 3, e.end() - (e.back() == 0 ? 1 : 0));
    else if (m == 97)
      data.assign(e.begin() + 7, e.end());
    else
      data.assign(e.begin() + 4, e.end());
    std::string hri = data;
    if (m == 73) {  // CODE128: drop code-set selectors, unescape "{{"
      hri.clear();
      for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] == '{' && i + 1 < data.size()) {
          if (data[i + 1] == '{') hri += '{';
          ++i;
          continue;
        }
        hri += data[i];
      }
    }
    for (auto& c : hri)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) c = '?';
    r_.barcodes.push_back(hri);
    // Bars: a deterministic pattern of the data bits (an approximation, not a scannable symbol).
    int modules = static_cast<int>(data.size()) * 11 + 35;
    int mw = std::clamp(bar_w_, 1, 6);
    while (modules * mw > line_width() && mw > 1) --mw;
    int bw = std::min(modules * mw, line_width());
    Bitmap b(bw, std::clamp(bar_h_, 1, 255));
    int x = 0;
    auto bar = [&](int mods, bool black) {
      for (int k = 0; k < mods * mw; ++k, ++x)
        if (black)
          for (int y = 0; y < b.height; ++y) b.set(x, y);
    };
    bar(2, true);
    bar(1, false);
    bar(2, true);
    bar(1, false);
    for (unsigned char c : data)
      for (int bit = 0; bit < 8; ++bit) bar((bit % 3) + 1, ((c >> bit) & 1) != (bit & 1));
    bar(2, true);
    bar(1, false);
    bar(2, true);
    if (hri_ & 1) hri_line(hri);
    block(b);
    if (hri_ & 2) hri_line(hri);
  }

  void hri_line(const std::string& s) {
    int saved_align = align_;
    align_ = 1;
    line_align_ = 1;
    for (unsigned char c : s) put_char(c, false);
    flush_line(true);
    align_ = saved_align;
  }

  void cut() {
    flush_line(false);
    ensure(y_ + 12);
    for (int x = 0; x < width_; x += 12)
      for (int k = 0; k < 6 && x + k < width_; ++k) r_.image.set(x + k, y_ + 6);
    feed(12);
    ++r_.cuts;
    r_.text += "--- cut ---\n";
  }

  void command(std::span<const std::uint8_t> e) {
    std::uint8_t c = e[0], f = e[1];
    if (c == 0x10) return;  // real-time requests: nothing printed
    if (c == 0x1B) {
      switch (f) {
        case '@':
          flush_line(false);
          reset();
          return;
        case '2':
          spacing_ = 30;
          return;
        case '3':
          spacing_ = e[2];
          return;
        case 'd':
          flush_line(true);
          feed(spacing_ * std::max(0, e[2] - 1));
          return;
        case 'J':
          flush_line(false);
          feed(e[2]);
          return;
        case 'a':
          align_ = e[2] % 48 % 3;
          return;
        case 'E':
        case 'G':
          bold_ = e[2] & 1;
          return;
        case '-':
          underline_ = std::clamp(e[2] % 48, 0, 2);
          return;
        case '!':
          font_b_ = e[2] & 0x01;
          bold_ = e[2] & 0x08;
          hmag_ = (e[2] & 0x10) ? 2 : 1;
          wmag_ = (e[2] & 0x20) ? 2 : 1;
          underline_ = (e[2] & 0x80) ? 1 : 0;
          return;
        case 'M':
          font_b_ = (e[2] % 48) == 1;
          return;
        case '*':
          column_image(e);
          return;
        case 'i':
        case 'm':
          cut();
          return;
        case '$':
          cursor_ = std::min(static_cast<int>(u16(e, 2)), line_width());
          return;
        case '\\':
          cursor_ = std::clamp(cursor_ + static_cast<std::int16_t>(u16(e, 2)), 0, line_width());
          return;
        case 't':
        case 'R':
        case 'D':
        case 'p':
        case 'B':
        case 'C':
        case '=':
        case 'c':
        case '{':
        case ' ':
        case 'V':
        case 'U':
        case 'L':
        case 'S':
        case 'T':
        case 'W':
        case 'r':
        case '%':
        case '&':
        case '?':
        case '9':
        case 'v':
        case 'u':
        case '<':
        case 0x0C:
        case 'K':
        case 'j':
        case 'e':
          return;  // accepted, no effect on the rendered image
        case 'Z':
          add_unknown("ESC Z (QR dialect)");
          return;
        default:
          note_unknown(e);
          return;
      }
    }
    if (c == 0x1C) {
      switch (f) {
        case '&':
          chinese_ = true;
          return;
        case '.':
          chinese_ = false;
          return;
        case '!':
          wmag_ = (e[2] & 0x04) ? 2 : 1;
          hmag_ = (e[2] & 0x08) ? 2 : 1;
          underline_ = (e[2] & 0x80) ? 1 : underline_;
          return;
        case 'W':
          wmag_ = hmag_ = (e[2] & 1) ? 2 : 1;
          return;
        case '-':
          underline_ = std::clamp(e[2] % 48, 0, 2);
          return;
        case 'p':
          add_unknown("FS p (NV image)");
          return;
        default:
          return;
      }
    }
    // GS
    switch (f) {
      case '!':
        wmag_ = ((e[2] >> 4) & 7) + 1;
        hmag_ = (e[2] & 7) + 1;
        return;
      case 'B':
        reverse_ = e[2] & 1;
        return;
      case 'V':
        cut();
        return;
      case 'v':
        raster(e.subspan(8), u16(e, 4), u16(e, 6), (e[3] & 1) + 1, ((e[3] >> 1) & 1) + 1);
        return;
      case '(':
        gs_paren(e);
        return;
      case '8':
        if (e[2] == 'L')
          graphics(e.subspan(7));
        else
          add_unknown("GS 8");
        return;
      case 'k':
        barcode(e);
        return;
      case 'h':
        bar_h_ = e[2];
        return;
      case 'w':
        bar_w_ = e[2];
        return;
      case 'H':
        hri_ = e[2] % 48;
        return;
      case 'L':
        left_margin_ = std::min(static_cast<int>(u16(e, 2)), width_ - 8);
        return;
      case '*':
        add_unknown("GS * (downloaded image)");
        return;
      case '/':
        add_unknown("GS / (downloaded image)");
        return;
      default:
        return;
    }
  }

  const RenderOptions& opt_;
  RenderResult& r_;
  BoxGlyphs box_;
  GlyphSource* glyphs_;
  int width_ = 576;
  int y_ = 0, cursor_ = 0;
  bool stop_ = false;
  bool chinese_ = true, bold_ = false, reverse_ = false, font_b_ = false, saw_column_ = false;
  int wmag_ = 1, hmag_ = 1, underline_ = 0, align_ = 0, line_align_ = 0, spacing_ = 30, left_margin_ = 0;
  int qr_module_ = 3;
  QrEc qr_ec_ = QrEc::L;
  std::vector<std::uint8_t> qr_data_;
  Bitmap graphic_;
  int bar_h_ = 162, bar_w_ = 3, hri_ = 0;
  std::vector<Item> items_;
  std::string line_text_;
};

}  // namespace

RenderResult render(std::span<const std::uint8_t> bytes, const RenderOptions& opt) {
  RenderResult r;
  Renderer(opt, r).run(bytes);
  return r;
}

}  // namespace kiosk::printer
