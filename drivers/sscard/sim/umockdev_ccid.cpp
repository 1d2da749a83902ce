#include "drivers/sscard/sim/umockdev_ccid.hpp"

#include <fcntl.h>
#include <linux/ioctl.h>  // before usbdevice_fs.h
#include <linux/usbdevice_fs.h>
#include <sys/stat.h>
#include <umockdev.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <mutex>

namespace kiosk::sscard::sim {

namespace {
constexpr const char* kNode = "/dev/bus/usb/001/002";
constexpr const char* kSysPath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1";

std::string descriptors_hex(const ccid::Descriptor& d) {
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
  return hex(b);
}
}  // namespace

struct UmockdevCcid::Impl {
  // Nested (not in an anonymous namespace) so a unity build does not trip -Wsubobject-linkage.
  struct FakeUrb {
    UMockdevIoctlData* urb = nullptr;  // owned refs from resolve()
    UMockdevIoctlData* buf = nullptr;
    usbdevfs_urb* u() const { return reinterpret_cast<usbdevfs_urb*>(urb->data); }
  };

  std::shared_ptr<CcidDeviceModel> model;
  UMockdevTestbed* tb = nullptr;
  UMockdevIoctlBase* handler = nullptr;
  std::string fifo_path;
  int fifo = -1;
  // Recursive: the model calls its interrupt listener (device_changed) from inside model->handle(),
  // which runs under this lock in the ioctl handler (card pulled mid-XfrBlock). A plain mutex
  // deadlocked the umockdev handler thread there and with it the driver's bulk OUT.
  std::recursive_mutex mu;
  std::deque<FakeUrb> done, pending_bulk, pending_intr;
  std::deque<Bytes> bulk_in, intr_in;
  bool gone = false;
  int empty_reaps = 0;

  void pull_model_interrupts() {
    for (auto& m : model->take_interrupts()) intr_in.push_back(std::move(m));
  }
  static void fill(FakeUrb& f, std::deque<Bytes>& q) {
    Bytes m = std::move(q.front());
    q.pop_front();
    const std::size_t n = std::min<std::size_t>(m.size(), static_cast<std::size_t>(f.u()->buffer_length));
    std::copy(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(n), f.buf->data);
    f.u()->actual_length = static_cast<int>(n);
    f.u()->status = 0;
  }
  void satisfy() {
    pull_model_interrupts();
    while (!pending_bulk.empty() && !bulk_in.empty()) {
      fill(pending_bulk.front(), bulk_in);
      done.push_back(pending_bulk.front());
      pending_bulk.pop_front();
    }
    while (!pending_intr.empty() && !intr_in.empty()) {
      fill(pending_intr.front(), intr_in);
      done.push_back(pending_intr.front());
      pending_intr.pop_front();
    }
  }
  // FIFO wake-up: writable (drained) when a URB is reapable, full otherwise, so libusb's poll()
  // sleeps instead of spinning on a regular file.
  void update_readiness() {
    if (fifo < 0) return;
    char buf[512];
    if (!done.empty()) {
      while (read(fifo, buf, sizeof buf) > 0) {
      }
    } else {
      std::fill(std::begin(buf), std::end(buf), 0);
      while (write(fifo, buf, sizeof buf) > 0) {
      }
    }
  }
  void device_changed() {
    std::lock_guard l(mu);
    satisfy();
    update_readiness();
  }

  gboolean handle(UMockdevIoctlClient* c) {
    std::lock_guard l(mu);
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(c);
    const gulong req = umockdev_ioctl_client_get_request(c);
    auto complete = [&](long res, int err) { umockdev_ioctl_client_complete(c, res, err); };
    if (gone && req != USBDEVFS_REAPURBNDELAY && req != USBDEVFS_DISCARDURB) {
      complete(-1, ENODEV);
      update_readiness();
      return TRUE;
    }
    switch (req) {
      case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), nullptr);
        *reinterpret_cast<guint32*>(d->data) =
            USBDEVFS_CAP_BULK_SCATTER_GATHER | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
            USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
        g_object_unref(d);
        complete(0, 0);
        break;
      }
      case USBDEVFS_CLAIMINTERFACE:
      case USBDEVFS_RELEASEINTERFACE:
      case USBDEVFS_SETINTERFACE:
      case USBDEVFS_CLEAR_HALT:
      case USBDEVFS_RESET:
      case USBDEVFS_SETCONFIGURATION:
      case USBDEVFS_DISCONNECT_CLAIM:
        complete(0, 0);
        break;
      case USBDEVFS_GETDRIVER:
        complete(-1, ENODATA);
        break;
      case USBDEVFS_IOCTL: {
        UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_ioctl), nullptr);
        const int code = reinterpret_cast<usbdevfs_ioctl*>(d->data)->ioctl_code;
        g_object_unref(d);
        if (code == static_cast<int>(USBDEVFS_DISCONNECT))
          complete(-1, ENODATA);
        else if (code == static_cast<int>(USBDEVFS_CONNECT))
          complete(1, 0);
        else
          complete(-1, ENOTTY);
        break;
      }
      case USBDEVFS_SUBMITURB: {
        FakeUrb f;
        f.urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_urb), nullptr);
        if (f.u()->buffer_length > 0)
          f.buf = umockdev_ioctl_data_resolve(f.urb, G_STRUCT_OFFSET(usbdevfs_urb, buffer),
                                              static_cast<gsize>(f.u()->buffer_length), nullptr);
        const bool in = (f.u()->endpoint & 0x80) != 0;
        if (f.u()->type == USBDEVFS_URB_TYPE_CONTROL) {
          f.u()->status = 0;
          f.u()->actual_length = 0;
          done.push_back(f);
        } else if (in && f.u()->type == USBDEVFS_URB_TYPE_INTERRUPT) {
          pending_intr.push_back(f);
        } else if (in) {
          pending_bulk.push_back(f);
        } else {
          const std::span<const std::uint8_t> msg(f.buf ? f.buf->data : nullptr,
                                                  static_cast<std::size_t>(f.u()->buffer_length));
          for (auto& r : model->handle(msg)) bulk_in.push_back(std::move(r));
          f.u()->status = 0;
          f.u()->actual_length = f.u()->buffer_length;
          done.push_back(f);
        }
        satisfy();
        complete(0, 0);
        break;
      }
      case USBDEVFS_REAPURBNDELAY: {
        satisfy();
        if (done.empty()) {
          ++empty_reaps;
          complete(-1, gone ? ENODEV : EAGAIN);
          break;
        }
        FakeUrb f = done.front();
        done.pop_front();
        UMockdevIoctlData* p = umockdev_ioctl_data_resolve(arg, 0, sizeof(void*), nullptr);
        umockdev_ioctl_data_set_ptr(p, 0, f.urb);
        g_object_unref(p);
        complete(0, 0);
        if (f.buf) g_object_unref(f.buf);
        g_object_unref(f.urb);
        break;
      }
      case USBDEVFS_DISCARDURB: {
        const gulong addr = *reinterpret_cast<gulong*>(arg->data);
        bool found = false;
        for (auto* q : {&pending_bulk, &pending_intr})
          for (auto it = q->begin(); it != q->end(); ++it)
            if (it->urb->client_addr == addr) {
              it->u()->status = -ENOENT;
              it->u()->actual_length = 0;
              done.push_back(*it);
              q->erase(it);
              found = true;
              break;
            }
        complete(found ? 0 : -1, found ? 0 : EINVAL);
        break;
      }
      default:
        complete(-1, ENOTTY);
        break;
    }
    update_readiness();
    return TRUE;
  }
};

namespace {
gboolean on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* c, gpointer self) {
  return static_cast<UmockdevCcid::Impl*>(self)->handle(c);
}
}  // namespace

UmockdevCcid::UmockdevCcid(std::shared_ptr<CcidDeviceModel> model) : impl_(std::make_unique<Impl>()) {
  impl_->model = std::move(model);
  impl_->tb = umockdev_testbed_new();
  impl_->handler = umockdev_ioctl_base_new();
  g_signal_connect(impl_->handler, "handle-ioctl", G_CALLBACK(on_ioctl), impl_.get());
  GError* err = nullptr;
  if (!umockdev_testbed_attach_ioctl(impl_->tb, kNode, impl_->handler, &err)) {
    std::string m = err ? err->message : "?";
    g_clear_error(&err);
    throw SsCardError(ErrorKind::Io, "umockdev attach_ioctl: " + m);
  }
  const std::string rec =
      std::string("P: ") + (kSysPath + 4) +
      "\nN: bus/usb/001/002\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
      "E: DEVNAME=/dev/bus/usb/001/002\nE: BUSNUM=001\nE: DEVNUM=002\nE: PRODUCT=8e6/3437/100\n"
      "A: busnum=1\\n\nA: devnum=2\\n\nA: speed=12\\n\nA: bConfigurationValue=1\\n\n"
      "A: idVendor=08e6\\n\nA: idProduct=3437\\n\nH: descriptors=" +
      descriptors_hex(impl_->model->descriptor()) + "\n";
  if (!umockdev_testbed_add_from_string(impl_->tb, rec.c_str(), &err)) {
    std::string m = err ? err->message : "?";
    g_clear_error(&err);
    throw SsCardError(ErrorKind::Io, "umockdev add_from_string: " + m);
  }
  gchar* root = umockdev_testbed_get_root_dir(impl_->tb);
  impl_->fifo_path = std::string(root) + kNode;
  g_free(root);
  if (unlink(impl_->fifo_path.c_str()) == 0 && mkfifo(impl_->fifo_path.c_str(), 0666) == 0) {
    impl_->fifo = open(impl_->fifo_path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (impl_->fifo >= 0) fcntl(impl_->fifo, F_SETPIPE_SZ, 4096);
  }
  {
    std::lock_guard l(impl_->mu);
    impl_->update_readiness();
  }
  impl_->model->set_interrupt_listener([impl = impl_.get()] { impl->device_changed(); });
}

UmockdevCcid::~UmockdevCcid() {
  impl_->model->set_interrupt_listener(nullptr);
  umockdev_testbed_detach_ioctl(impl_->tb, kNode, nullptr);
  g_signal_handlers_disconnect_by_data(impl_->handler, impl_.get());
  g_object_unref(impl_->handler);
  {
    std::lock_guard l(impl_->mu);
    for (auto* q : {&impl_->done, &impl_->pending_bulk, &impl_->pending_intr})
      for (auto& f : *q) {
        if (f.buf) g_object_unref(f.buf);
        g_object_unref(f.urb);
      }
  }
  if (impl_->fifo >= 0) close(impl_->fifo);
  g_object_unref(impl_->tb);
}

void UmockdevCcid::unplug() {
  {
    std::lock_guard l(impl_->mu);
    impl_->gone = true;
    for (auto* q : {&impl_->pending_bulk, &impl_->pending_intr}) {
      for (auto& f : *q) {
        f.u()->status = -ESHUTDOWN;
        f.u()->actual_length = 0;
        impl_->done.push_back(f);
      }
      q->clear();
    }
    impl_->update_readiness();
  }
  umockdev_testbed_uevent(impl_->tb, kSysPath, "remove");
}

int UmockdevCcid::reaps_empty() const {
  std::lock_guard l(impl_->mu);
  return impl_->empty_reaps;
}

}  // namespace kiosk::sscard::sim
