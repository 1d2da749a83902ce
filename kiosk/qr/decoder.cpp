#include "kiosk/qr/decoder.hpp"

#include <ZXing/ReadBarcode.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace kiosk::qr {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kCell = 8;  // pre-check cell size on the half-size image (16 px of the frame)

// Finder-pattern test: runs dark:light:dark:light:dark ≈ 1:1:3:1:1 along a row, confirmed by the
// same ratio along the column through its centre. Works on a 0/255 binarized image; `dark` is the
// value of the finder's outer ring (0 normally, 255 for inverted codes).
bool ratio_ok(const int* r, double& module) {
  const int total = r[0] + r[1] + r[2] + r[3] + r[4];
  if (total < 7) return false;
  module = total / 7.0;
  const double tol = module * 0.5;  // ZXing FinderPatternFinder uses the same tolerance
  return std::abs(r[0] - module) < tol && std::abs(r[1] - module) < tol &&
         std::abs(r[2] - 3 * module) < 3 * tol && std::abs(r[3] - module) < tol &&
         std::abs(r[4] - module) < tol;
}

bool vertical_ok(const cv::Mat& b, int x, int y, std::uint8_t dark, double module) {
  auto px = [&](int yy) { return b.at<std::uint8_t>(yy, x); };
  if (px(y) != dark) return false;
  int r[5] = {0, 0, 0, 0, 0};
  const int limit = static_cast<int>(module * 6) + 2;
  int yy = y;
  while (yy >= 0 && px(yy) == dark && r[2] < limit) {
    ++r[2];
    --yy;
  }
  while (yy >= 0 && px(yy) != dark && r[1] < limit) {
    ++r[1];
    --yy;
  }
  while (yy >= 0 && px(yy) == dark && r[0] < limit) {
    ++r[0];
    --yy;
  }
  yy = y + 1;
  while (yy < b.rows && px(yy) == dark && r[2] < 2 * limit) {
    ++r[2];
    ++yy;
  }
  while (yy < b.rows && px(yy) != dark && r[3] < limit) {
    ++r[3];
    ++yy;
  }
  while (yy < b.rows && px(yy) == dark && r[4] < limit) {
    ++r[4];
    ++yy;
  }
  double m2 = 0;
  return ratio_ok(r, m2) && std::abs(m2 - module) < module * 0.4;
}

struct Finder {
  cv::Point2f centre;  // grey-image coordinates
  double module;       // grey-image pixels
};

// Finder-pattern centres in a binarized image (both polarities), appended in grey coordinates.
void collect_finders(const cv::Mat& b, cv::Point2f offset, double scale, std::vector<Finder>& out) {
  std::vector<int> runs;
  std::vector<std::uint8_t> vals;
  const std::size_t first = out.size();
  for (int y = 0; y < b.rows; y += 2) {
    const std::uint8_t* row = b.ptr<std::uint8_t>(y);
    runs.clear();
    vals.clear();
    int start = 0;
    for (int x = 1; x <= b.cols; ++x) {
      if (x == b.cols || row[x] != row[start]) {
        runs.push_back(x - start);
        vals.push_back(row[start]);
        start = x;
      }
    }
    int x0 = 0;
    for (std::size_t i = 0; i + 5 <= runs.size(); x0 += runs[i], ++i) {
      double module = 0;
      if (!ratio_ok(&runs[i], module)) continue;
      const int cx = x0 + runs[i] + runs[i + 1] + runs[i + 2] / 2;
      if (!vertical_ok(b, cx, y, vals[i], module)) continue;
      Finder f{offset + cv::Point2f(static_cast<float>(cx * scale), static_cast<float>(y * scale)),
               module * scale};
      bool dup = false;
      for (std::size_t k = first; k < out.size(); ++k)
        if (cv::norm(out[k].centre - f.centre) < f.module * 4) dup = true;
      if (!dup) out.push_back(f);
      if (out.size() - first > 200) return;  // pathological texture: enough evidence either way
    }
  }
}

void finders_in(const cv::Mat& grey, int block, cv::Point2f offset, double scale, std::vector<Finder>& out) {
  cv::Mat bin;
  // The window must be wider than a finder's 3-module centre, or large modules binarize as noise.
  block = std::clamp(std::min(grey.cols, grey.rows) / 5, block, 101) | 1;
  cv::adaptiveThreshold(grey, bin, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY, block, 4);
  collect_finders(bin, offset, scale, out);
}

// A QR code has three finders of one module size, 14..170 modules apart: keep the finders that have
// such a partner (texture like window grids yields lone or inconsistent matches).
std::vector<Finder> consistent_finders(const std::vector<Finder>& all) {
  std::vector<Finder> keep;
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = 0; j < all.size(); ++j) {
      if (i == j) continue;
      const double ratio = all[i].module / all[j].module;
      const double d = cv::norm(all[i].centre - all[j].centre) / all[i].module;
      if (ratio > 0.7 && ratio < 1.43 && d >= 10 && d <= 180) {
        keep.push_back(all[i]);
        break;
      }
    }
  }
  return keep;
}

cv::Mat to_grey(const cv::Mat& frame) {
  if (frame.empty()) throw std::invalid_argument("empty frame");
  if (frame.depth() != CV_8U) throw std::invalid_argument("frame must be 8-bit");
  cv::Mat g;
  switch (frame.channels()) {
    case 1:
      return frame;
    case 3:
      cv::cvtColor(frame, g, cv::COLOR_BGR2GRAY);
      return g;
    case 4:
      cv::cvtColor(frame, g, cv::COLOR_BGRA2GRAY);
      return g;
    default:
      throw std::invalid_argument("frame must have 1, 3 or 4 channels");
  }
}

ZXing::DecodeHints hints_for(const DecodeOptions& o) {
  ZXing::DecodeHints h;
  h.setFormats(o.all_formats ? ZXing::BarcodeFormat::Any
                             : (ZXing::BarcodeFormat::QRCode | ZXing::BarcodeFormat::MicroQRCode));
  h.setTryHarder(true);
  h.setTryRotate(false);  // 2-D codes are found in any orientation already
  h.setTryDownscale(true);
  h.setBinarizer(ZXing::Binarizer::LocalAverage);
  h.setMaxNumberOfSymbols(4);
  return h;
}

}  // namespace

PrecheckResult precheck(const cv::Mat& grey, const DecodeOptions& opts) {
  PrecheckResult r;
  cv::Mat half;
  if (grey.cols >= 64 && grey.rows >= 64) {
    cv::resize(grey, half, cv::Size(grey.cols / 2, grey.rows / 2), 0, 0, cv::INTER_AREA);
  } else {
    half = grey;
  }
  const int scale = grey.cols / std::max(1, half.cols);
  const int cw = (half.cols - 1) / kCell, ch = (half.rows - 1) / kCell;
  if (cw < 1 || ch < 1) {
    r.likely = true;  // too small to judge: let ZXing look
    r.regions.push_back(cv::Rect(0, 0, grey.cols, grey.rows));
    return r;
  }
  // Edge maps |I(x+1)-I(x)| and |I(y+1)-I(y)| above a threshold, over whole cells only.
  const cv::Rect area(0, 0, cw * kCell, ch * kCell);
  cv::Mat dx, dy;
  cv::absdiff(half(area + cv::Point(1, 0)), half(area), dx);
  cv::absdiff(half(area + cv::Point(0, 1)), half(area), dy);
  cv::threshold(dx, dx, opts.precheck_edge_threshold, 255, cv::THRESH_BINARY);
  cv::threshold(dy, dy, opts.precheck_edge_threshold, 255, cv::THRESH_BINARY);
  // Per-cell edge density (INTER_AREA over whole cells = the mean).
  cv::Mat cx, cy;
  cv::resize(dx, cx, cv::Size(cw, ch), 0, 0, cv::INTER_AREA);
  cv::resize(dy, cy, cv::Size(cw, ch), 0, 0, cv::INTER_AREA);
  const double min_level = opts.precheck_cell_density * 255.0;
  cv::Mat mask = (cx >= min_level) & (cy >= min_level);
  cv::dilate(mask, mask, cv::Mat());  // join the fragments of large-module codes
  cv::Mat labels, stats, centroids;
  int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  std::vector<std::pair<int, cv::Rect>> cands;
  for (int i = 1; i < n; ++i) {
    int cells = stats.at<int>(i, cv::CC_STAT_AREA);
    if (cells < opts.precheck_min_cells) continue;
    cv::Rect cell_box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                      stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    // Back to grey coordinates with one cell of margin (the quiet zone and code border).
    const int k = kCell * scale;
    cv::Rect box((cell_box.x - 1) * k, (cell_box.y - 1) * k, (cell_box.width + 2) * k,
                 (cell_box.height + 2) * k);
    box &= cv::Rect(0, 0, grey.cols, grey.rows);
    cands.emplace_back(cells, box);
  }
  std::sort(cands.begin(), cands.end(), [](auto& a, auto& b) { return a.first > b.first; });
  // Stills up to VGA decode in about a millisecond anyway: texture alone decides for them; the finder
  // stage is what keeps textured 720p camera frames without a code cheap.
  if (opts.precheck_min_finders <= 0 || grey.size().area() <= 640 * 480) {
    for (auto& c : cands) r.regions.push_back(c.second);
    r.likely = !r.regions.empty();
    return r;
  }
  // Textured regions must also show QR finder patterns: at half size for large codes, at full size for
  // small regions (small codes have modules too fine for the half-size image).
  std::vector<Finder> all;
  for (auto& c : cands) {
    const cv::Rect& box = c.second;
    cv::Rect hbox(box.x / scale, box.y / scale, box.width / scale, box.height / scale);
    hbox &= cv::Rect(0, 0, half.cols, half.rows);
    const std::size_t before = all.size();
    if (hbox.area() > 0) finders_in(half(hbox), 25, cv::Point2f(box.tl()), scale, all);
    if (all.size() - before < 3 && scale > 1 && box.area() <= grey.size().area() / 6)
      finders_in(grey(box), 31, cv::Point2f(box.tl()), 1.0, all);
  }
  auto good = consistent_finders(all);
  for (auto& c : cands)
    for (auto& f : good)
      if (c.second.contains(cv::Point(f.centre))) {
        r.regions.push_back(c.second);
        break;
      }
  r.likely = static_cast<int>(good.size()) >= opts.precheck_min_finders;
  return r;
}

DecodeResult QrDecoder::decode(const cv::Mat& frame) const {
  const auto t0 = Clock::now();
  DecodeResult res;
  cv::Mat grey = to_grey(frame);
  cv::Rect roi = opts_.roi.area() > 0 ? (opts_.roi & cv::Rect(0, 0, grey.cols, grey.rows))
                                      : cv::Rect(0, 0, grey.cols, grey.rows);
  if (roi.area() == 0) throw std::invalid_argument("ROI outside the frame");
  cv::Mat g = grey(roi);
  if (!g.isContinuous()) g = g.clone();

  std::vector<cv::Rect> regions;
  if (opts_.precheck) {
    auto pc = precheck(g, opts_);
    res.precheck_passed = pc.likely;
    if (!pc.likely) {
      res.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      return res;
    }
    regions = std::move(pc.regions);
  } else {
    regions.push_back(cv::Rect(0, 0, g.cols, g.rows));
  }

  const auto hints = hints_for(opts_);
  const auto deadline = t0 + opts_.budget;
  // One ZXing attempt on img, whose pixel (x, y) maps to ROI (x / scale + off.x, y / scale + off.y).
  auto attempt = [&](const cv::Mat& img, double scale, cv::Point off, bool inverted, const char* stage) {
    if (Clock::now() > deadline && res.attempts > 0) return false;
    ++res.attempts;
    cv::Mat src = img.isContinuous() ? img : img.clone();
    ZXing::ImageView view(src.data, src.cols, src.rows, ZXing::ImageFormat::Lum, static_cast<int>(src.step));
    auto found = ZXing::ReadBarcodes(view, hints);
    for (auto& r : found) {
      if (!r.isValid()) continue;
      DecodedCode c;
      c.text = r.text();
      c.format = ZXing::ToString(r.format());
      c.inverted = inverted;
      c.stage = stage;
      const auto& pos = r.position();
      for (int i = 0; i < 4; ++i)
        c.corners[static_cast<std::size_t>(i)] =
            cv::Point(static_cast<int>(pos[i].x / scale) + off.x + roi.x,
                      static_cast<int>(pos[i].y / scale) + off.y + roi.y);
      bool dup = std::any_of(res.codes.begin(), res.codes.end(), [&](auto& e) { return e.text == c.text; });
      if (!dup) res.codes.push_back(std::move(c));
    }
    return !res.codes.empty();
  };
  cv::Mat inv;
  auto inverted = [&]() -> const cv::Mat& {
    if (inv.empty()) cv::bitwise_not(g, inv);
    return inv;
  };

  bool done = attempt(g, 1.0, {}, false, "full");
  if (!done && opts_.try_invert) done = attempt(inverted(), 1.0, {}, true, "invert");
  cv::Mat level = g;
  double scale = 1.0;
  static const char* kLevels[] = {"pyramid1", "pyramid2", "pyramid3", "pyramid4"};
  for (int l = 0; !done && l < std::min(opts_.pyramid_levels, 4); ++l) {
    if (level.cols < 80 || level.rows < 80) break;
    cv::Mat next;
    cv::pyrDown(level, next);
    level = next;
    scale /= 2;
    done = attempt(level, scale, {}, false, kLevels[l]);
    if (!done && opts_.try_invert) {
      cv::Mat li;
      cv::bitwise_not(level, li);
      done = attempt(li, scale, {}, true, kLevels[l]);
    }
  }
  if (!done && opts_.try_zoom) {
    for (std::size_t i = 0; !done && i < regions.size() && i < 3; ++i) {
      const cv::Rect& rg = regions[i];
      if (rg.width > g.cols / 2 && rg.height > g.rows / 2) continue;  // the full pass covered it
      cv::Mat crop, big;
      crop = g(rg);
      cv::resize(crop, big, cv::Size(), 2.0, 2.0, cv::INTER_CUBIC);
      done = attempt(big, 2.0, rg.tl(), false, "zoom");
      if (!done && opts_.try_invert) {
        cv::bitwise_not(big, big);
        done = attempt(big, 2.0, rg.tl(), true, "zoom");
      }
    }
  }
  res.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  return res;
}

}  // namespace kiosk::qr
