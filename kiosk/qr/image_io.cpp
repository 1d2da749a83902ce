#include "kiosk/qr/image_io.hpp"

#include <filesystem>
#include <opencv2/imgcodecs.hpp>

namespace kiosk::qr {

cv::Mat read_grey(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw ImageError(path + ": no such file");
  cv::Mat m = cv::imread(path, cv::IMREAD_GRAYSCALE);
  if (m.empty()) throw ImageError(path + ": not an image OpenCV can read");
  return m;
}

}  // namespace kiosk::qr
