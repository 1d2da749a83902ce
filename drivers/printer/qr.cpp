#include "drivers/printer/qr.hpp"

#include <qrencode.h>

#include <memory>

namespace kiosk::printer {

Bitmap qr_modules(std::string_view data, QrEc ec) {
  if (data.empty() || data.size() > 2900) throw ImageError("QR data empty or too long");
  auto level = static_cast<QRecLevel>(static_cast<int>(ec));
  std::unique_ptr<QRcode, void (*)(QRcode*)> q(
      QRcode_encodeData(static_cast<int>(data.size()), reinterpret_cast<const unsigned char*>(data.data()), 0,
                        level),
      QRcode_free);
  if (!q) throw ImageError("QR encode failed (data too long for the EC level?)");
  const int quiet = 4;
  Bitmap b(q->width + 2 * quiet, q->width + 2 * quiet);
  for (int y = 0; y < q->width; ++y)
    for (int x = 0; x < q->width; ++x)
      if (q->data[y * q->width + x] & 1) b.set(x + quiet, y + quiet);
  return b;
}

Bitmap qr_bitmap(std::string_view data, QrEc ec, int module_dots) {
  Bitmap m = qr_modules(data, ec);
  Bitmap out(m.width * module_dots, m.height * module_dots);
  out.blit(m, 0, 0, module_dots, module_dots);
  return out;
}

}  // namespace kiosk::printer
