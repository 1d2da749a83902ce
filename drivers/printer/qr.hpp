// QR symbols as dot matrices (libqrencode), for the raster fallback and the renderer.
#pragma once

#include <string_view>

#include "drivers/printer/bitmap.hpp"

namespace kiosk::printer {

enum class QrEc { L = 0, M = 1, Q = 2, H = 3 };

// One dot per module, with a 4-module quiet zone. Throws ImageError if the data does not fit.
Bitmap qr_modules(std::string_view data, QrEc ec);
// Scaled: module_dots dots per module.
Bitmap qr_bitmap(std::string_view data, QrEc ec, int module_dots);

}  // namespace kiosk::printer
