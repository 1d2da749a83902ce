// The usbfs side of an emulated USB device on a umockdev testbed, so libusb's Linux backend runs
// unchanged against it (shared/reference/umockdev-libusb.md). This class answers the standard
// usbfs ioctls (capabilities, fake kernel-driver binding, claim, URB submit / reap / discard,
// unplug) and keeps the URB queues; a device subclass supplies only its behaviour: control
// requests, what OUT transfers do, and when an IN URB can be filled.
// The process must link libumockdev-preload (or run under umockdev-wrapper), and plug the device
// before libusb_init.
#pragma once

// clang-format off
#include <linux/ioctl.h>  // must precede usbdevice_fs.h
#include <linux/usbdevice_fs.h>
// clang-format on
#include <umockdev.h>

#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::usbsim {

// One URB submitted by the client, with its data buffer (owned refs from umockdev's resolve()).
struct Urb {
  UMockdevIoctlData* urb = nullptr;
  UMockdevIoctlData* buf = nullptr;
  usbdevfs_urb* u() const { return reinterpret_cast<usbdevfs_urb*>(urb->data); }
  std::uint8_t* data() const { return buf ? buf->data : nullptr; }
  std::size_t length() const { return static_cast<std::size_t>(u()->buffer_length); }
  bool in() const { return (u()->endpoint & 0x80) != 0; }
  void finish(int status, std::size_t actual) {
    u()->status = status;
    u()->actual_length = static_cast<int>(actual);
  }
  // Moves up to length() bytes from q into the buffer and finishes the URB; false if q is empty.
  bool fill_from(std::deque<std::uint8_t>& q);
  void release();
};

// What the testbed shows: sysfs attributes, the descriptors, the fake kernel driver.
struct DeviceSpec {
  std::string syspath;  // "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2"
  int devnum = 2;       // on bus 001: the node is /dev/bus/usb/001/<devnum>
  std::uint16_t vid = 0, pid = 0;
  std::vector<std::uint8_t> descriptors;  // device descriptor + whole configuration
  int interfaces = 1;
  unsigned bound = 0;  // interfaces a kernel driver holds at plug time (bit per interface)
  std::string driver;  // its name for USBDEVFS_GETDRIVER
};

std::string to_hex(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> from_hex(std::string_view hex);  // throws std::invalid_argument

class EmulatedUsbDevice {
 public:
  // tb: a testbed to share, or nullptr to own a new one.
  explicit EmulatedUsbDevice(UMockdevTestbed* tb = nullptr);
  virtual ~EmulatedUsbDevice();  // subclasses call detach() first (hooks must not run half-destroyed)
  EmulatedUsbDevice(const EmulatedUsbDevice&) = delete;
  EmulatedUsbDevice& operator=(const EmulatedUsbDevice&) = delete;

  // Adds the device to the testbed and starts answering its ioctls. Throws TransportError(Io).
  void plug(const DeviceSpec& spec);
  // From now on usbfs calls fail with ENODEV, pending URBs end with ESHUTDOWN, and a "remove"
  // uevent is sent; remove_device also takes it out of the testbed (for a later re-plug).
  void unplug(bool remove_device = false);
  // Stops answering ioctls and drops every URB (before a re-plug, and on destruction).
  void detach();

  bool kernel_driver_bound(int itf) const;
  bool any_kernel_driver_bound() const;
  int submitted_urbs() const;
  int reaps_empty() const;  // empty REAPURBNDELAY answers (busy-loop check)
  UMockdevTestbed* testbed() const { return tb_; }
  // Guards the device state the hooks below see. Recursive: a device model may call back into
  // wake() from inside out().
  std::unique_lock<std::recursive_mutex> lock() const { return std::unique_lock(mu_); }

 protected:
  // Device behaviour, called with the lock held (from umockdev's handler thread, or wake()).
  // A control URB (setup packet first); the default stalls it.
  virtual void control(Urb& urb);
  // Whether a non-control URB of this type / endpoint is valid (else EINVAL).
  virtual bool accept(const usbdevfs_urb&) const { return true; }
  // An OUT transfer's data; returns its URB status (0, or -EPROTO for a failed hand-over).
  virtual int out(Urb& urb) = 0;
  // Fills a pending IN URB (and finish()es it) if data is ready; false leaves it pending.
  virtual bool fill_in(Urb& urb) = 0;
  // Called before pending IN URBs are offered to fill_in().
  virtual void refresh() {}

  // New IN data is ready (from another thread): completes what it can and wakes libusb.
  void wake();
  bool gone() const { return gone_; }  // with the lock held

 private:
  static gboolean on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* c, gpointer self);
  void handle(UMockdevIoctlClient* c);
  void satisfy();
  void update_readiness();
  void drop_urbs();

  UMockdevTestbed* tb_;
  bool own_tb_;
  UMockdevIoctlBase* handler_ = nullptr;
  std::string node_, syspath_;
  int fifo_ = -1;
  mutable std::recursive_mutex mu_;
  std::deque<Urb> pending_, done_;
  bool gone_ = false;
  int interfaces_ = 1;
  unsigned bound_ = 0;
  std::string driver_;
  int submitted_ = 0;
  int empty_reaps_ = 0;
};

}  // namespace kiosk::usbsim
