#include "drivers/camera/image_io.hpp"

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <opencv2/imgproc.hpp>

namespace kiosk::camera {
namespace {

cv::Mat from_stbi(unsigned char* px, int w, int h, ImageMode mode, const std::string& what) {
  if (!px) throw ImageError(what + ": not a readable image (" + stbi_failure_reason() + ")");
  cv::Mat out;
  if (mode == ImageMode::Grey) {
    out = cv::Mat(h, w, CV_8UC1, px).clone();
  } else {
    cv::cvtColor(cv::Mat(h, w, CV_8UC3, px), out, cv::COLOR_RGB2BGR);
  }
  stbi_image_free(px);
  return out;
}

// RGB(A)/grey pixels in the layout stb_image_write expects, and their channel count.
cv::Mat for_stb(const cv::Mat& img, int& comp) {
  if (img.depth() != CV_8U) throw ImageError("only 8-bit images can be written");
  cv::Mat out;
  switch (img.channels()) {
    case 1:
      comp = 1;
      out = img.isContinuous() ? img : img.clone();
      break;
    case 3:
      comp = 3;
      cv::cvtColor(img, out, cv::COLOR_BGR2RGB);
      break;
    case 4:
      comp = 4;
      cv::cvtColor(img, out, cv::COLOR_BGRA2RGBA);
      break;
    default:
      throw ImageError("unsupported channel count " + std::to_string(img.channels()));
  }
  return out;
}

void append(void* ctx, void* data, int size) {
  auto* v = static_cast<std::vector<std::uint8_t>*>(ctx);
  auto* p = static_cast<const std::uint8_t*>(data);
  v->insert(v->end(), p, p + size);
}

}  // namespace

cv::Mat read_image(const std::string& path, ImageMode mode) {
  if (!std::filesystem::is_regular_file(path)) throw ImageError(path + ": no such file");
  int w = 0, h = 0, n = 0;
  unsigned char* px = stbi_load(path.c_str(), &w, &h, &n, mode == ImageMode::Grey ? 1 : 3);
  return from_stbi(px, w, h, mode, path);
}

cv::Mat decode_image(std::span<const std::uint8_t> bytes, ImageMode mode) {
  if (bytes.empty() || bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw ImageError("image bytes: empty or too large");
  int w = 0, h = 0, n = 0;
  unsigned char* px = stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &n,
                                            mode == ImageMode::Grey ? 1 : 3);
  return from_stbi(px, w, h, mode, "image bytes");
}

bool write_image(const std::string& path, const cv::Mat& img, std::string* error, int jpeg_quality) {
  auto fail = [&](const std::string& why) {
    if (error) *error = path + ": " + why;
    return false;
  };
  if (img.empty()) return fail("empty image");
  int comp = 0;
  cv::Mat px;
  try {
    px = for_stb(img, comp);
  } catch (const ImageError& e) {
    return fail(e.what());
  }
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  int ok = 0;
  if (ext == ".jpg" || ext == ".jpeg") {
    ok = stbi_write_jpg(path.c_str(), px.cols, px.rows, comp, px.data, std::clamp(jpeg_quality, 1, 100));
  } else if (ext == ".bmp") {
    ok = stbi_write_bmp(path.c_str(), px.cols, px.rows, comp, px.data);
  } else if (ext == ".png") {
    ok = stbi_write_png(path.c_str(), px.cols, px.rows, comp, px.data, static_cast<int>(px.step));
  } else {
    return fail("unknown image extension '" + ext + "' (use .png, .jpg or .bmp)");
  }
  return ok ? true : fail("cannot write (directory missing or not writable?)");
}

std::vector<std::uint8_t> encode_jpeg(const cv::Mat& img, int quality) {
  std::vector<std::uint8_t> out;
  if (img.empty()) return out;
  int comp = 0;
  cv::Mat px = for_stb(img, comp);
  if (comp == 4) throw ImageError("JPEG has no alpha channel");
  if (!stbi_write_jpg_to_func(append, &out, px.cols, px.rows, comp, px.data, std::clamp(quality, 1, 100)))
    out.clear();
  return out;
}

cv::Mat to_bgr(const cv::Mat& m) {
  if (m.empty()) return m;
  cv::Mat out;
  if (m.depth() != CV_8U) {
    double mn = 0, mx = 0;
    cv::minMaxLoc(m.reshape(1), &mn, &mx);
    m.convertTo(out, CV_8U, mx > 255.0 ? 255.0 / mx : 1.0);
  } else {
    out = m;
  }
  if (out.channels() == 1)
    cv::cvtColor(out, out, cv::COLOR_GRAY2BGR);
  else if (out.channels() == 4)
    cv::cvtColor(out, out, cv::COLOR_BGRA2BGR);
  return out;
}

}  // namespace kiosk::camera
