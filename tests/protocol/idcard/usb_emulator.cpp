#include "usb_emulator.hpp"

#include <algorithm>
#include <cerrno>
#include <deque>

#include "drivers/usbsim/usb_device.hpp"

using namespace kiosk::idcard;

namespace idcard_test {

namespace {
constexpr const char* kDevice =
    "12010002000000400004"
    "5ac3"
    "0001010203"
    "01";  // 0400:c35a
constexpr const char* kBulkConfig =
    "0902200001010080"
    "32"  // config, 32 bytes total
    "090400000002ff0000"
    "00"               // interface 0, vendor class, 2 endpoints
    "07050202400000"   // bulk OUT 0x02
    "07058102400000";  // bulk IN 0x81
constexpr const char* kHidConfig =
    "0902290001010080"
    "32"  // config, 41 bytes total
    "090400000002030000"
    "00"  // interface 0, HID class, 2 endpoints
    "0921110100012222"
    "00"               // HID descriptor (report descriptor not needed here)
    "07050203400001"   // interrupt OUT 0x02
    "07058103400001";  // interrupt IN 0x81
constexpr const char* kCdcConfig =
    "09023e0002010080"
    "32"                  // config, 62 bytes total, 2 interfaces
    "090400000102020100"  // interface 0: CDC comm, ACM, 1 endpoint
    "0524001001"
    "0424020205240600"
    "01"              // header, ACM, union (0 → 1) functional descriptors
    "07058303080010"  // interrupt IN 0x83 (notifications)
    "0904010002"
    "0a0000"
    "00"               // interface 1: CDC data, 2 endpoints
    "07050202400000"   // bulk OUT 0x02
    "07058102400000";  // bulk IN 0x81
}  // namespace

// The GA 467 reader behaviour on top of the shared usbfs emulation: frames on the OUT endpoint
// 0x02 are answered from the CardState on IN 0x81; CDC-ACM class requests on the control pipe.
struct UsbReaderEmulator::Impl : kiosk::usbsim::EmulatedUsbDevice {
  UsbAttach attach = UsbAttach::Bulk;
  int devnum = 2;
  int baud = 0, line_state = -1;
  sim::CardState card;
  Bytes rx;                     // host → device bytes not yet a full frame
  std::deque<std::uint8_t> tx;  // device → host bytes

  ~Impl() override { detach(); }

  int interfaces() const { return attach == UsbAttach::CdcAcm ? 2 : 1; }
  const char* driver_name() const {
    return attach == UsbAttach::CdcAcm      ? "cdc_acm"
           : attach == UsbAttach::Interrupt ? "usbhid"
                                            : "idcard_vendor";
  }

  // CDC class requests on interface 0; anything else stalls.
  void control(kiosk::usbsim::Urb& u) override {
    if (attach != UsbAttach::CdcAcm || !u.buf || u.length() < 8) return u.finish(-EPIPE, 0);
    const std::uint8_t* s = u.data();
    const int value = s[2] | s[3] << 8, index = s[4] | s[5] << 8, length = s[6] | s[7] << 8;
    if (s[0] == 0x21 && s[1] == 0x20 && index == 0 && length == 7 && u.length() >= 15) {
      baud = s[8] | s[9] << 8 | s[10] << 16 | s[11] << 24;
    } else if (s[0] == 0x21 && s[1] == 0x22 && index == 0) {
      line_state = value;
    } else {
      return u.finish(-EPIPE, 0);
    }
    u.finish(0, 0);
  }

  bool accept(const usbdevfs_urb& u) const override {
    const unsigned char want =
        attach == UsbAttach::Interrupt ? USBDEVFS_URB_TYPE_INTERRUPT : USBDEVFS_URB_TYPE_BULK;
    return u.type == want && (u.endpoint == 0x02 || u.endpoint == 0x81);
  }

  int out(kiosk::usbsim::Urb& u) override {
    if (u.buf) feed(u.data(), u.length());
    return 0;
  }

  bool fill_in(kiosk::usbsim::Urb& u) override { return u.fill_from(tx); }

  void feed(const std::uint8_t* p, std::size_t n) {
    rx.insert(rx.end(), p, p + n);
    for (;;) {
      Scan s = scan_frame(rx, 3);
      rx.erase(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(s.consumed));
      if (s.kind == Scan::Kind::NeedMore) return;
      Bytes frame;
      if (s.kind == Scan::Kind::Error) {
        frame = encode_response(0, 0, 0x10);
      } else {
        Response r = card.answer(parse_request(s.body));
        frame = encode_response(r.sw1, r.sw2, r.sw3, r.data);
      }
      tx.insert(tx.end(), frame.begin(), frame.end());
    }
  }

  void plug_reader() {
    kiosk::usbsim::DeviceSpec spec;
    spec.syspath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1";
    spec.devnum = devnum;
    spec.vid = 0x0400;
    spec.pid = 0xC35A;
    spec.descriptors =
        kiosk::usbsim::from_hex(std::string(kDevice) + (attach == UsbAttach::CdcAcm      ? kCdcConfig
                                                        : attach == UsbAttach::Interrupt ? kHidConfig
                                                                                         : kBulkConfig));
    spec.interfaces = interfaces();
    spec.bound = (1u << interfaces()) - 1;  // a kernel driver holds every interface until detached
    spec.driver = driver_name();
    {
      auto l = lock();
      rx.clear();
      tx.clear();
    }
    plug(spec);
  }
};

UsbReaderEmulator::UsbReaderEmulator(UsbAttach attach) : impl_(std::make_unique<Impl>()) {
  impl_->attach = attach;
  impl_->plug_reader();
}

UsbReaderEmulator::~UsbReaderEmulator() {
  impl_->detach();
}

void UsbReaderEmulator::place_card(sim::CardFixture card) {
  auto l = impl_->lock();
  impl_->card.card = std::move(card);
  impl_->card.found = impl_->card.selected = impl_->card.read_since_placed = false;
}

void UsbReaderEmulator::remove_card() {
  auto l = impl_->lock();
  impl_->card.card.reset();
  impl_->card.found = impl_->card.selected = false;
}

void UsbReaderEmulator::unplug() {
  impl_->unplug(/*remove_device=*/true);
}

void UsbReaderEmulator::replug() {
  impl_->detach();
  ++impl_->devnum;
  impl_->plug_reader();
}

bool UsbReaderEmulator::kernel_driver_bound() const {
  return impl_->any_kernel_driver_bound();
}

bool UsbReaderEmulator::kernel_driver_bound(int itf) const {
  return impl_->kernel_driver_bound(itf);
}

int UsbReaderEmulator::line_coding_baud() const {
  auto l = impl_->lock();
  return impl_->baud;
}

int UsbReaderEmulator::control_line_state() const {
  auto l = impl_->lock();
  return impl_->line_state;
}

int UsbReaderEmulator::submitted_urbs() const {
  return impl_->submitted_urbs();
}

}  // namespace idcard_test
