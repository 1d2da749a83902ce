#include "kiosk/print/a4.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <cstdint>
#include <memory>

#include "drivers/printer/qr.hpp"

namespace kiosk::print {
namespace {

constexpr double kPageW = 595.276, kPageH = 841.89;  // A4 in points
constexpr double kMargin = 56.0;                     // ~20 mm

struct Pdf {
  cairo_surface_t* s;
  cairo_t* cr;
  explicit Pdf(const std::string& path) {
    s = cairo_pdf_surface_create(path.c_str(), kPageW, kPageH);
    cr = cairo_create(s);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
      std::string msg = cairo_status_to_string(cairo_surface_status(s));
      cairo_destroy(cr);
      cairo_surface_destroy(s);
      throw A4Error("cannot create PDF " + path + ": " + msg);
    }
  }
  ~Pdf() {
    cairo_destroy(cr);
    cairo_surface_destroy(s);
  }
};

// Fonts: regular text is Noto Serif CJK SC (宋体 style, usual on certificates). Noto Sans CJK SC
// Regular is avoided: Debian 12's cairo 1.16 PDF subsetter drops its 如 glyph whenever another glyph
// shares the subset (the PDF shows a blank / .notdef box; reproducible with pango-view alone).
// Draws text at (x, y) within width w; returns the height used.
double text(cairo_t* cr, const std::string& t, double x, double y, double w, const char* font,
            PangoAlignment align = PANGO_ALIGN_LEFT) {
  std::unique_ptr<PangoLayout, void (*)(void*)> layout(pango_cairo_create_layout(cr), g_object_unref);
  std::unique_ptr<PangoFontDescription, void (*)(PangoFontDescription*)> fd(
      pango_font_description_from_string(font), pango_font_description_free);
  pango_layout_set_font_description(layout.get(), fd.get());
  pango_layout_set_width(layout.get(), static_cast<int>(w * PANGO_SCALE));
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(layout.get(), align);
  pango_layout_set_text(layout.get(), t.c_str(), -1);
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout.get());
  int pw = 0, ph = 0;
  pango_layout_get_size(layout.get(), &pw, &ph);
  return static_cast<double>(ph) / PANGO_SCALE;
}

// The QR goes in as a 1-pixel-per-module image scaled with nearest-neighbour filtering: crisp at any
// resolution and free of the seams that abutting vector squares can get from a rasteriser.
void draw_qr(cairo_t* cr, const std::string& data, double x, double y, double size) {
  printer::Bitmap m = printer::qr_modules(data, printer::QrEc::M);
  cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, m.width, m.height);
  unsigned char* px = cairo_image_surface_get_data(img);
  const int stride = cairo_image_surface_get_stride(img);
  for (int yy = 0; yy < m.height; ++yy) {
    auto* row = reinterpret_cast<std::uint32_t*>(px + static_cast<std::ptrdiff_t>(yy) * stride);
    for (int xx = 0; xx < m.width; ++xx) row[xx] = m.at(xx, yy) ? 0x000000u : 0xFFFFFFu;
  }
  cairo_surface_mark_dirty(img);
  cairo_save(cr);
  cairo_new_path(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, size / m.width, size / m.height);
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle(cr, 0, 0, m.width, m.height);
  cairo_fill(cr);
  cairo_restore(cr);
  cairo_surface_destroy(img);
}

void draw_seal(cairo_t* cr, const A4Document& d, double cx, double cy, double r) {
  if (!d.seal_png.empty()) {
    cairo_surface_t* img = cairo_image_surface_create_from_png(d.seal_png.c_str());
    if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
      double iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
      cairo_save(cr);
      cairo_translate(cr, cx - r, cy - r);
      cairo_scale(cr, 2 * r / iw, 2 * r / ih);
      cairo_set_source_surface(cr, img, 0, 0);
      cairo_paint(cr);
      cairo_restore(cr);
      cairo_surface_destroy(img);
      return;
    }
    cairo_surface_destroy(img);
    throw A4Error("cannot read seal image " + d.seal_png);
  }
  // Placeholder: where the e-seal is applied (a red ring with the issuer's seal text).
  cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
  cairo_set_line_width(cr, 2.5);
  cairo_new_path(cr);
  cairo_arc(cr, cx, cy, r, 0, 2 * 3.14159265358979);
  cairo_stroke(cr);
  text(cr, "★", cx - r, cy - 30, 2 * r, "Noto Serif CJK SC 22", PANGO_ALIGN_CENTER);
  text(cr, d.seal_text.empty() ? "电子印章 E-seal" : d.seal_text, cx - r + 12, cy + 2, 2 * r - 24,
       "Noto Serif CJK SC 7", PANGO_ALIGN_CENTER);
}

}  // namespace

void write_a4_pdf(const A4Document& d, const std::string& path) {
  Pdf pdf(path);
  cairo_t* cr = pdf.cr;
  const double w = kPageW - 2 * kMargin;
  double y = kMargin;
  cairo_set_source_rgb(cr, 0, 0, 0);
  if (!d.issuer.empty()) {
    y += text(cr, d.issuer, kMargin, y, w, "Noto Serif CJK SC 10", PANGO_ALIGN_CENTER) + 4;
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, kMargin, y);
    cairo_line_to(cr, kPageW - kMargin, y);
    cairo_stroke(cr);
    y += 18;
  }
  y += text(cr, d.title, kMargin, y, w, "Noto Sans CJK SC Bold 22", PANGO_ALIGN_CENTER) + 6;
  if (!d.subtitle.empty())
    y += text(cr, d.subtitle, kMargin, y, w, "Noto Serif CJK SC 11", PANGO_ALIGN_CENTER) + 6;
  y += 14;
  // Table: two columns with ruled cells.
  const double label_w = w * 0.32;
  cairo_set_line_width(cr, 0.6);
  for (auto& [label, value] : d.rows) {
    double h1 = text(cr, label, kMargin + 8, y + 6, label_w - 16, "Noto Sans CJK SC Bold 11");
    double h2 = text(cr, value, kMargin + label_w + 8, y + 6, w - label_w - 16, "Noto Serif CJK SC 11");
    double h = std::max(h1, h2) + 12;
    cairo_rectangle(cr, kMargin, y, label_w, h);
    cairo_rectangle(cr, kMargin + label_w, y, w - label_w, h);
    cairo_stroke(cr);
    y += h;
    if (y > kPageH - 260) {
      cairo_show_page(cr);
      y = kMargin;
    }
  }
  y += 18;
  for (auto& p : d.paragraphs) y += text(cr, p, kMargin, y, w, "Noto Serif CJK SC 11") + 8;
  // Bottom band: QR at left, seal at right.
  double band = std::max(y + 20, kPageH - kMargin - 170);
  if (!d.verify_url.empty()) {
    try {
      draw_qr(cr, d.verify_url, kMargin, band, 120);
    } catch (const printer::ImageError& e) {
      throw A4Error(std::string("verification QR: ") + e.what());
    }
    text(cr, d.verify_caption.empty() ? "扫码验证真伪 Scan to verify" : d.verify_caption, kMargin, band + 124,
         200, "Noto Serif CJK SC 9");
  }
  draw_seal(cr, d, kPageW - kMargin - 70, band + 56, 54);
  if (!d.footer.empty())
    text(cr, d.footer, kMargin, kPageH - kMargin - 14, w, "Noto Serif CJK SC 8", PANGO_ALIGN_RIGHT);
  cairo_show_page(cr);
  cairo_surface_finish(pdf.s);
  if (cairo_surface_status(pdf.s) != CAIRO_STATUS_SUCCESS)
    throw A4Error(std::string("PDF write failed: ") + cairo_status_to_string(cairo_surface_status(pdf.s)));
}

}  // namespace kiosk::print
