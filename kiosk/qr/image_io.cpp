#include "kiosk/qr/image_io.hpp"

#include <filesystem>

#include "drivers/camera/image_io.hpp"

namespace kiosk::qr {

cv::Mat read_grey(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw ImageError(path + ": no such file");
  try {
    return camera::read_image(path, camera::ImageMode::Grey);
  } catch (const camera::ImageError& e) {
    throw ImageError(e.what());
  }
}

}  // namespace kiosk::qr
