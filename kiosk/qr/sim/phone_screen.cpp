#include "kiosk/qr/sim/phone_screen.hpp"

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <cmath>
#include <opencv2/imgproc.hpp>
#include <random>

namespace kiosk::qr::sim {

cv::Mat render_background(cv::Size size, unsigned seed) {
  std::mt19937 rng(seed);
  cv::Mat bg(size, CV_8UC3);
  // Soft vertical gradient (hall lighting).
  for (int y = 0; y < size.height; ++y) {
    auto v = static_cast<unsigned char>(150 + 60 * y / std::max(1, size.height));
    bg.row(y).setTo(cv::Scalar(v - 10, v, v + 5));
  }
  std::uniform_int_distribution<int> ux(0, size.width), uy(0, size.height), uc(40, 220), ur(20, 160);
  for (int i = 0; i < 12; ++i) {  // furniture, signs, a door frame
    cv::rectangle(bg, cv::Rect(ux(rng), uy(rng), ur(rng) * 2, ur(rng)), cv::Scalar(uc(rng), uc(rng), uc(rng)),
                  cv::FILLED);
  }
  cv::ellipse(bg, cv::Point(size.width / 2, size.height / 2), cv::Size(size.width / 9, size.height / 4), 0, 0,
              360, cv::Scalar(120, 150, 200), cv::FILLED);  // a face-sized blob
  cv::GaussianBlur(bg, bg, cv::Size(0, 0), 2.0);
  cv::Mat noise(size, CV_8UC3);
  cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(3));
  cv::add(bg, noise, bg);
  return bg;
}

cv::Mat render_code(const std::string& payload, int side) {
  ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
  writer.setMargin(4).setEncoding(ZXing::CharacterSet::UTF8);
  auto bits = writer.encode(payload, side, side);
  auto m = ZXing::ToMatrix<std::uint8_t>(bits);
  cv::Mat img(m.height(), m.width(), CV_8UC1, const_cast<std::uint8_t*>(m.data()));
  cv::Mat out;
  cv::resize(img, out, cv::Size(side, side), 0, 0, cv::INTER_NEAREST);
  return out;
}

cv::Mat render_phone_frame(const std::string& payload, const PhoneScreenOptions& o) {
  std::mt19937 rng(o.seed);
  cv::Mat frame = render_background(o.frame, o.seed);
  // The phone, face-on: body, screen, a title bar and the code.
  const int code = o.code_px;
  const int sw = code * 13 / 10, sh = code * 21 / 10;
  cv::Mat phone(sh + code / 6, sw + code / 10, CV_8UC3, cv::Scalar(30, 30, 30));
  cv::Rect screen(code / 20, code / 12, sw, sh);
  const cv::Scalar bg = o.dark_mode ? cv::Scalar(18, 18, 18) : cv::Scalar(250, 250, 250);
  phone(screen).setTo(bg);
  cv::rectangle(phone, cv::Rect(screen.x, screen.y, sw, code / 5), cv::Scalar(60, 140, 40),
                cv::FILLED);  // title bar
  cv::Mat c = render_code(payload, code);
  if (o.dark_mode) cv::bitwise_not(c, c);
  cv::Mat c3;
  cv::cvtColor(c, c3, cv::COLOR_GRAY2BGR);
  c3.copyTo(phone(cv::Rect(screen.x + (sw - code) / 2, screen.y + code / 3, code, code)));
  cv::putText(phone, "60s", cv::Point(screen.x + sw / 3, screen.y + code / 3 + code + code / 6),
              cv::FONT_HERSHEY_SIMPLEX, code / 200.0,
              o.dark_mode ? cv::Scalar(200, 200, 200) : cv::Scalar(60, 60, 60), 2);
  if (o.moire > 0) {  // the screen's sub-pixel grid beating against the sensor grid
    cv::Mat pattern(phone.size(), CV_32F);
    for (int y = 0; y < pattern.rows; ++y)
      for (int x = 0; x < pattern.cols; ++x)
        pattern.at<float>(y, x) =
            static_cast<float>(1.0 + o.moire * 0.35 * std::sin(x * 2.3 + y * 0.4) * std::sin(y * 1.9));
    cv::Mat f;
    phone.convertTo(f, CV_32FC3);
    std::vector<cv::Mat> ch;
    cv::split(f, ch);
    for (auto& m : ch) m = m.mul(pattern);
    cv::merge(ch, f);
    f.convertTo(phone, CV_8UC3);
  }
  // Where the phone lands: centred, rotated in plane, tilted (perspective).
  const float w = static_cast<float>(phone.cols), h = static_cast<float>(phone.rows);
  std::vector<cv::Point2f> src = {{0, 0}, {w, 0}, {w, h}, {0, h}};
  const double a = o.rotate_deg * CV_PI / 180, t = o.tilt_deg * CV_PI / 180;
  const cv::Point2f ctr(o.center.x * static_cast<float>(o.frame.width),
                        o.center.y * static_cast<float>(o.frame.height));
  std::vector<cv::Point2f> dst;
  for (auto& p : src) {
    double x = p.x - w / 2, y = p.y - h / 2;
    // tilt: x shrinks with cos, the far side shrinks in y too
    double z = x * std::sin(t);
    double persp = 1.0 / (1.0 + z / (4.0 * w));
    double xt = x * std::cos(t) * persp, yt = y * persp;
    double xr = xt * std::cos(a) - yt * std::sin(a), yr = xt * std::sin(a) + yt * std::cos(a);
    dst.emplace_back(static_cast<float>(ctr.x + xr), static_cast<float>(ctr.y + yr));
  }
  cv::Mat H = cv::getPerspectiveTransform(src, dst);
  cv::Mat warped, mask;
  cv::warpPerspective(phone, warped, H, o.frame, cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  cv::warpPerspective(cv::Mat(phone.size(), CV_8UC1, cv::Scalar(255)), mask, H, o.frame, cv::INTER_NEAREST);
  warped.copyTo(frame, mask);
  if (o.glare > 0) {  // a specular highlight: a bright elliptical blob over part of the code
    cv::Mat g(o.frame, CV_8UC3, cv::Scalar(0, 0, 0));
    cv::Point gc(static_cast<int>(ctr.x) + code / 5, static_cast<int>(ctr.y) - code / 8);
    cv::ellipse(g, gc, cv::Size(code / 5, code / 9), 30, 0, 360, cv::Scalar::all(255 * o.glare), cv::FILLED);
    cv::GaussianBlur(g, g, cv::Size(0, 0), code / 14.0);
    cv::add(frame, g, frame);
  }
  if (o.blur_sigma > 0) cv::GaussianBlur(frame, frame, cv::Size(0, 0), o.blur_sigma);
  if (o.noise_sigma > 0) {
    cv::Mat n(frame.size(), CV_16SC3);
    cv::randn(n, cv::Scalar::all(0), cv::Scalar::all(o.noise_sigma));
    cv::Mat f16;
    frame.convertTo(f16, CV_16SC3);
    f16 += n;
    f16.convertTo(frame, CV_8UC3);
  }
  (void)rng;
  return frame;
}

}  // namespace kiosk::qr::sim
