#include "drivers/sscard/sim/umockdev_ccid.hpp"

#include <algorithm>
#include <deque>

#include "drivers/transport/transport.hpp"
#include "drivers/usbsim/usb_device.hpp"

namespace kiosk::sscard::sim {

namespace {
constexpr const char* kSysPath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1";

Bytes descriptors(const ccid::Descriptor& d) {
  Bytes b = {0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0xE6,
             0x08, 0x37, 0x34, 0x00, 0x01, 0x01, 0x02, 0x03, 0x01};
  const Bytes cls = ccid::encode_descriptor(d);
  const std::size_t total = 9 + 9 + cls.size() + 3 * 7;
  Bytes cfg = {
      0x09, 0x02, static_cast<std::uint8_t>(total), static_cast<std::uint8_t>(total >> 8), 0x01, 0x01, 0x00,
      0x80, 0x32};
  Bytes itf = {0x09, 0x04, 0x00, 0x00, 0x03, 0x0B, 0x00, 0x00, 0x00};
  Bytes eps = {0x07, 0x05, 0x01, 0x02, 0x40, 0x00, 0x00,   // bulk OUT 0x01
               0x07, 0x05, 0x82, 0x02, 0x40, 0x00, 0x00,   // bulk IN 0x82
               0x07, 0x05, 0x83, 0x03, 0x08, 0x00, 0x0A};  // interrupt IN 0x83
  for (auto* part : {&cfg, &itf, const_cast<Bytes*>(&cls), &eps})
    b.insert(b.end(), part->begin(), part->end());
  return b;
}
}  // namespace

// The CCID behaviour on top of the shared usbfs emulation: bulk OUT messages go to the model, its
// answers fill bulk IN, its NotifySlotChange messages fill interrupt IN. No kernel driver is bound.
struct UmockdevCcid::Impl : usbsim::EmulatedUsbDevice {
  std::shared_ptr<CcidDeviceModel> model;
  std::deque<Bytes> bulk_in, intr_in;

  ~Impl() override { detach(); }

  static bool fill(usbsim::Urb& f, std::deque<Bytes>& q) {
    if (q.empty()) return false;
    Bytes m = std::move(q.front());
    q.pop_front();
    const std::size_t n = std::min(m.size(), f.length());
    std::copy(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(n), f.data());
    f.finish(0, n);
    return true;
  }
  void refresh() override {
    for (auto& m : model->take_interrupts()) intr_in.push_back(std::move(m));
  }
  bool fill_in(usbsim::Urb& f) override {
    return fill(f, f.u()->type == USBDEVFS_URB_TYPE_INTERRUPT ? intr_in : bulk_in);
  }
  void control(usbsim::Urb& f) override { f.finish(0, 0); }
  // The model may call its interrupt listener (wake()) from inside handle() (card pulled
  // mid-XfrBlock): the device lock is recursive for that.
  int out(usbsim::Urb& f) override {
    const std::span<const std::uint8_t> msg(f.data(), f.length());
    for (auto& r : model->handle(msg)) bulk_in.push_back(std::move(r));
    return 0;
  }
  void device_changed() { wake(); }
};

UmockdevCcid::UmockdevCcid(std::shared_ptr<CcidDeviceModel> model) : impl_(std::make_unique<Impl>()) {
  impl_->model = std::move(model);
  usbsim::DeviceSpec spec;
  spec.syspath = kSysPath;
  spec.devnum = 2;
  spec.vid = 0x08E6;
  spec.pid = 0x3437;
  spec.descriptors = descriptors(impl_->model->descriptor());
  try {
    impl_->plug(spec);
  } catch (const transport::TransportError& e) {
    throw SsCardError(ErrorKind::Io, e.what());
  }
  impl_->model->set_interrupt_listener([impl = impl_.get()] { impl->device_changed(); });
}

UmockdevCcid::~UmockdevCcid() {
  impl_->model->set_interrupt_listener(nullptr);
  impl_->detach();
}

void UmockdevCcid::unplug() {
  impl_->unplug();
}

int UmockdevCcid::reaps_empty() const {
  return impl_->reaps_empty();
}

}  // namespace kiosk::sscard::sim
