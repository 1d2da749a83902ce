#include "kiosk/print/a4.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>

#include "drivers/printer/qr.hpp"

namespace kiosk::print {
namespace {

constexpr double kPageW = 595.276, kPageH = 841.89;  // A4 in points
constexpr double kMargin = 56.0;                      // ~20 mm

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

// Draws text at (x, y) within width w; returns the height used.
double text(cairo_t* cr, const std::string& t, double x, double y, double w, const char* font,
            PangoAlignment align = PANGO_ALIGN_LEFT) {
  std::unique_ptr<PangoLayout, void (*)(void*)> layout(pango_cairo_create_layout(cr), g_object_unref);
  std::unique_ptr<PangoFontDescription, void (*)(PangoFontDescription*)> fd(pango_font_description_from_string(font),
                                                                            pango_font_description_free);
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

void draw_qr(cairo_t* cr, const std::string& data, double x, double y, double size) {
  printer::Bitmap m = printer::qr_modules(data, printer::QrEc::M);
  double cell = size / m.width;
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int yy = 0; yy < m.height; ++yy)
    for (int xx = 0; xx < m.width; ++xx)
      if (m.at(xx, yy)) cairo_rectangle(cr, x + xx * cell, y + yy * cell, cell, cell);
  cairo_fill(cr);
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
  cairo_arc(cr, cx, cy, r, 0, 2 * 3.14159265358979);
  cairo_stroke(cr);
  text(cr, "★", cx - r, cy - 16, 2 * r, "Noto Sans CJK SC 22", PANGO_ALIGN_CENTER);
  text(cr, d.seal_text.empty() ? "电子印章 E-seal" : d.seal_text, cx - r + 8, cy + 14, 2 * r - 16,
       "Noto Sans CJK SC 8", PANGO_ALIGN_CENTER);
}

}  // namespace

void write_a4_pdf(const A4Document& d, const std::string& path) {
  Pdf pdf(path);
  cairo_t* cr = pdf.cr;
  const double w = kPageW - 2 * kMargin;
  double y = kMargin;
  cairo_set_source_rgb(cr, 0, 0, 0);
  if (!d.issuer.empty()) {
    y += text(cr, d.issuer, kMargin, y, w, "Noto Sans CJK SC 10", PANGO_ALIGN_CENTER) + 4;
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, kMargin, y);
    cairo_line_to(cr, kPageW - kMargin, y);
    cairo_stroke(cr);
    y += 18;
  }
  y += text(cr, d.title, kMargin, y, w, "Noto Sans CJK SC Bold 22", PANGO_ALIGN_CENTER) + 6;
  if (!d.subtitle.empty()) y += text(cr, d.subtitle, kMargin, y, w, "Noto Sans CJK SC 11", PANGO_ALIGN_CENTER) + 6;
  y += 14;
  // Table: two columns with ruled cells.
  const double label_w = w * 0.32;
  cairo_set_line_width(cr, 0.6);
  for (auto& [label, value] : d.rows) {
    double h1 = text(cr, label, kMargin + 8, y + 6, label_w - 16, "Noto Sans CJK SC Bold 11");
    double h2 = text(cr, value, kMargin + label_w + 8, y + 6, w - label_w - 16, "Noto Sans CJK SC 11");
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
  for (auto& p : d.paragraphs) y += text(cr, p, kMargin, y, w, "Noto Sans CJK SC 11") + 8;
  // Bottom band: QR at left, seal at right.
  double band = std::max(y + 20, kPageH - kMargin - 170);
  if (!d.verify_url.empty()) {
    try {
      draw_qr(cr, d.verify_url, kMargin, band, 120);
    } catch (const printer::ImageError& e) {
      throw A4Error(std::string("verification QR: ") + e.what());
    }
    text(cr, d.verify_caption.empty() ? "扫码验证真伪 Scan to verify" : d.verify_caption, kMargin, band + 124, 200,
         "Noto Sans CJK SC 9");
  }
  draw_seal(cr, d, kPageW - kMargin - 80, band + 60, 58);
  if (!d.footer.empty())
    text(cr, d.footer, kMargin, kPageH - kMargin - 14, w, "Noto Sans CJK SC 8", PANGO_ALIGN_RIGHT);
  cairo_show_page(cr);
  cairo_surface_finish(pdf.s);
  if (cairo_surface_status(pdf.s) != CAIRO_STATUS_SUCCESS)
    throw A4Error(std::string("PDF write failed: ") + cairo_status_to_string(cairo_surface_status(pdf.s)));
}

}  // namespace kiosk::print
