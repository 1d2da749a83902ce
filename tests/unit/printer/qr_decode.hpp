// Test helper: decode every QR symbol in a rendered receipt with ZXing-cpp.
#pragma once

#define ZX_USE_UTF8 1
#include <ZXing/ReadBarcode.h>

#include <string>
#include <vector>

#include "drivers/printer/bitmap.hpp"

namespace kiosk::printer::test {

inline std::vector<std::string> decode_qr(const Bitmap& b) {
  Gray g = to_gray(b);
  ZXing::ImageView view(g.px.data(), g.width, g.height, ZXing::ImageFormat::Lum);
  ZXing::DecodeHints hints;
  hints.setFormats(ZXing::BarcodeFormat::QRCode);
  hints.setTryHarder(true);
  std::vector<std::string> out;
  for (auto& r : ZXing::ReadBarcodes(view, hints))
    if (r.isValid()) out.push_back(r.text());
  return out;
}

}  // namespace kiosk::printer::test
