// Camera QR decoding with ZXing-cpp on cv::Mat frames. A cheap pre-check (edge texture in both axes,
// then QR finder patterns in the textured regions) rejects frames with nothing code-like (most frames:
// an empty hall, a face) in a few milliseconds; frames that pass go
// through a cascade of ZXing attempts: whole frame, inverted (dark-mode phone screens), a downscale
// pyramid (large or moiré-ridden codes), and upscaled crops of the candidate regions (small codes).
#pragma once

#include <array>
#include <chrono>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace kiosk::qr {

struct DecodeOptions {
  cv::Rect roi;  // empty: whole frame
  bool precheck = true;
  int precheck_edge_threshold = 20;     // grey-level step counted as an edge (on the half-size image)
  double precheck_cell_density = 0.10;  // fraction of edge pixels, in both x and y, for a code-like cell
  int precheck_min_cells = 2;           // a candidate is at least this many connected code-like cells
  int precheck_min_finders = 2;  // QR finder patterns (1:1:3:1:1) needed in the candidates; 0: texture only
  bool try_invert = true;
  int pyramid_levels = 2;                // extra pyrDown levels tried after the full-resolution pass
  bool try_zoom = true;                  // upscale candidate regions ×2 for small codes
  bool all_formats = false;              // false: QR Code and Micro QR only
  std::chrono::milliseconds budget{80};  // no new attempt starts after this
};

struct DecodedCode {
  std::string text;                    // UTF-8 (ZXing ECI / charset guess); personal data: never log unmasked
  std::string format;                  // "QRCode", ...
  std::array<cv::Point, 4> corners{};  // frame coordinates: top-left, top-right, bottom-right, bottom-left
  bool inverted = false;
  std::string stage;  // which attempt found it: "full", "invert", "pyramid1", "zoom", ...
};

struct DecodeResult {
  std::vector<DecodedCode> codes;
  bool precheck_passed = true;
  int attempts = 0;
  double elapsed_ms = 0;
};

struct PrecheckResult {
  bool likely = false;
  std::vector<cv::Rect> regions;  // candidate regions in the grey ROI's coordinates, largest first
};

// The cheap test alone (grey input). Exposed for tests and the benchmark.
PrecheckResult precheck(const cv::Mat& grey, const DecodeOptions& opts);

class QrDecoder {
 public:
  explicit QrDecoder(DecodeOptions opts = {}) : opts_(opts) {}
  // Accepts 8-bit grey, BGR or BGRA frames. Never throws for image content; throws
  // std::invalid_argument for an empty or unsupported Mat type.
  DecodeResult decode(const cv::Mat& frame) const;
  const DecodeOptions& options() const { return opts_; }

 private:
  DecodeOptions opts_;
};

}  // namespace kiosk::qr
