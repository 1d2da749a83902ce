#include "drivers/scanner/sim/fake_hid_scanner.hpp"

// clang-format off
#include <linux/ioctl.h>  // must precede usbdevice_fs.h
#include <linux/usbdevice_fs.h>
// clang-format on
#include <fcntl.h>
#include <iconv.h>
#include <sys/stat.h>
#include <umockdev.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>

namespace kiosk::scanner::sim {
namespace {

std::vector<std::string> split_utf8(std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

int alt_code_for(const std::string& ch) {
  auto c0 = static_cast<unsigned char>(ch[0]);
  if (ch.size() == 2 && c0 < 0xC4) return ((c0 & 0x1F) << 6) | (static_cast<unsigned char>(ch[1]) & 0x3F);
  iconv_t cd = iconv_open("GBK", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return -1;
  std::string in = ch;
  char out[4];
  char* ip = in.data();
  char* op = out;
  std::size_t il = in.size(), ol = sizeof out;
  std::size_t rc = iconv(cd, &ip, &il, &op, &ol);
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1) || op - out != 2) return -1;
  return (static_cast<unsigned char>(out[0]) << 8) | static_cast<unsigned char>(out[1]);
}

std::vector<std::uint8_t> report(std::uint8_t mods, std::uint8_t key) {
  return {mods, 0, key, 0, 0, 0, 0, 0};
}

}  // namespace

std::vector<std::uint8_t> enter_press() {
  return report(0, usage::Enter);
}
std::vector<std::uint8_t> release_all() {
  return report(0, 0);
}

std::vector<std::vector<std::uint8_t>> reports_for_text(std::string_view text, Layout layout) {
  std::vector<std::vector<std::uint8_t>> out;
  for (const auto& ch : split_utf8(text)) {
    bool done = false;
    for (int u = 0x04; u <= 0x64 && !done; ++u) {
      if (u > 0x38 && u != 0x64) continue;
      for (int variant = 0; variant < 3 && !done; ++variant) {
        KeyState st;
        st.shift = variant == 1;
        st.altgr = variant == 2;
        if (key_to_utf8(layout, static_cast<std::uint8_t>(u), st) != ch) continue;
        std::uint8_t mods = st.shift ? mod::LShift : st.altgr ? mod::RAlt : 0;
        out.push_back(report(mods, static_cast<std::uint8_t>(u)));
        out.push_back(release_all());
        done = true;
      }
    }
    if (done) continue;
    int code = alt_code_for(ch);
    if (code < 0) throw std::invalid_argument("cannot type this character");
    out.push_back(report(mod::LAlt, 0));
    for (char d : std::to_string(code)) {
      std::uint8_t kp = d == '0' ? usage::Kp0 : static_cast<std::uint8_t>(usage::Kp1 + (d - '1'));
      out.push_back(report(mod::LAlt, kp));
      out.push_back(report(mod::LAlt, 0));
    }
    out.push_back(release_all());
  }
  return out;
}

struct FakeUrb {
  UMockdevIoctlData* urb = nullptr;  // owned refs from resolve()
  UMockdevIoctlData* buf = nullptr;
  usbdevfs_urb* u() const { return reinterpret_cast<usbdevfs_urb*>(urb->data); }
};

struct FakeHidScanner::State {
  std::uint16_t vid, pid;
  UMockdevTestbed* tb = nullptr;
  UMockdevIoctlBase* handler = nullptr;
  std::string syspath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1";
  std::string node = "/dev/bus/usb/001/002";
  int fifo = -1;
  bool fifo_drained = false;
  mutable std::mutex mu;
  std::deque<std::vector<std::uint8_t>> reports;
  std::deque<FakeUrb*> pending, done;
  bool claimed = false, driver_bound = true, boot = false, gone = false;

  void free_urb(FakeUrb* f) {
    if (f->buf) g_object_unref(f->buf);
    if (f->urb) g_object_unref(f->urb);
    delete f;
  }
  // Pairs pending IN URBs with queued reports (call with mu held).
  void satisfy() {
    while (!pending.empty() && (!reports.empty() || gone)) {
      FakeUrb* f = pending.front();
      pending.pop_front();
      if (gone) {
        f->u()->status = -ESHUTDOWN;
        f->u()->actual_length = 0;
      } else {
        auto r = std::move(reports.front());
        reports.pop_front();
        int n = std::min<int>(static_cast<int>(r.size()), f->u()->buffer_length);
        if (f->buf && n > 0) std::memcpy(f->buf->data, r.data(), static_cast<std::size_t>(n));
        f->u()->status = 0;
        f->u()->actual_length = n;
      }
      done.push_back(f);
    }
  }
  // Pipe full = nothing to reap (no POLLOUT); drained = something to reap (POLLOUT wakes libusb).
  void update_fifo() {
    if (fifo < 0) return;
    char junk[4096];
    if (!done.empty() && !fifo_drained) {
      while (::read(fifo, junk, sizeof junk) > 0) {
      }
      fifo_drained = true;
    } else if (done.empty() && fifo_drained) {
      std::memset(junk, 0, sizeof junk);
      while (::write(fifo, junk, sizeof junk) > 0) {
      }
      fifo_drained = false;
    }
  }
  gboolean handle(UMockdevIoctlClient* c) {
    std::lock_guard lk(mu);
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(c);
    const gulong req = umockdev_ioctl_client_get_request(c);
    switch (req) {
      case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(std::uint32_t), nullptr);
        std::uint32_t caps = USBDEVFS_CAP_BULK_SCATTER_GATHER | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                             USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_ZERO_PACKET |
                             USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
        std::memcpy(d->data, &caps, sizeof caps);
        g_object_unref(d);
        umockdev_ioctl_client_complete(c, 0, 0);
        break;
      }
      case USBDEVFS_CLAIMINTERFACE:
        if (gone) {
          umockdev_ioctl_client_complete(c, -1, ENODEV);
          break;
        }
        if (driver_bound) {
          umockdev_ioctl_client_complete(c, -1, EBUSY);
          break;
        }
        claimed = true;
        umockdev_ioctl_client_complete(c, 0, 0);
        break;
      case USBDEVFS_DISCONNECT_CLAIM:
        driver_bound = false;
        claimed = true;
        umockdev_ioctl_client_complete(c, 0, 0);
        break;
      case USBDEVFS_RELEASEINTERFACE:
        claimed = false;
        umockdev_ioctl_client_complete(c, 0, 0);
        break;
      case USBDEVFS_GETDRIVER: {
        if (!driver_bound) {
          umockdev_ioctl_client_complete(c, -1, ENODATA);
          break;
        }
        UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_getdriver), nullptr);
        auto* gd = reinterpret_cast<usbdevfs_getdriver*>(d->data);
        std::snprintf(gd->driver, sizeof gd->driver, "usbhid");
        g_object_unref(d);
        umockdev_ioctl_client_complete(c, 0, 0);
        break;
      }
      case USBDEVFS_IOCTL: {
        UMockdevIoctlData* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_ioctl), nullptr);
        auto* io = reinterpret_cast<usbdevfs_ioctl*>(d->data);
        int code = io->ioctl_code;
        g_object_unref(d);
        if (code == static_cast<int>(USBDEVFS_DISCONNECT)) {
          driver_bound = false;
          umockdev_ioctl_client_complete(c, 0, 0);
        } else if (code == static_cast<int>(USBDEVFS_CONNECT)) {
          driver_bound = true;
          umockdev_ioctl_client_complete(c, 1, 0);
        } else {
          umockdev_ioctl_client_complete(c, -1, ENOTTY);
        }
        break;
      }
      case USBDEVFS_SETINTERFACE:
      case USBDEVFS_CLEAR_HALT:
      case USBDEVFS_RESET:
      case USBDEVFS_SETCONFIGURATION:
        umockdev_ioctl_client_complete(c, 0, 0);
        break;
      case USBDEVFS_SUBMITURB: {
        if (gone) {
          umockdev_ioctl_client_complete(c, -1, ENODEV);
          break;
        }
        auto* f = new FakeUrb;
        f->urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_urb), nullptr);
        if (f->u()->buffer_length > 0)
          f->buf = umockdev_ioctl_data_resolve(f->urb, G_STRUCT_OFFSET(usbdevfs_urb, buffer),
                                               static_cast<gsize>(f->u()->buffer_length), nullptr);
        if (f->u()->type == USBDEVFS_URB_TYPE_CONTROL) {
          // setup packet: bmRequestType bRequest wValue wIndex wLength
          const std::uint8_t* sp = f->buf ? f->buf->data : nullptr;
          if (sp && sp[0] == 0x21 && sp[1] == 0x0B && sp[2] == 0) boot = true;  // SET_PROTOCOL(boot)
          f->u()->status = 0;
          f->u()->actual_length = 0;
          done.push_back(f);
        } else if (f->u()->endpoint & 0x80) {
          pending.push_back(f);
        } else {
          f->u()->status = 0;
          f->u()->actual_length = f->u()->buffer_length;
          done.push_back(f);
        }
        satisfy();
        umockdev_ioctl_client_complete(c, 0, 0);
        break;
      }
      case USBDEVFS_REAPURBNDELAY: {
        satisfy();
        if (done.empty()) {
          umockdev_ioctl_client_complete(c, -1, gone ? ENODEV : EAGAIN);
          break;
        }
        FakeUrb* f = done.front();
        done.pop_front();
        UMockdevIoctlData* p = umockdev_ioctl_data_resolve(arg, 0, sizeof(void*), nullptr);
        umockdev_ioctl_data_set_ptr(p, 0, f->urb);
        umockdev_ioctl_client_complete(c, 0, 0);
        g_object_unref(p);
        free_urb(f);
        break;
      }
      case USBDEVFS_DISCARDURB: {
        gulong addr = *reinterpret_cast<gulong*>(arg->data);
        bool found = false;
        for (auto it = pending.begin(); it != pending.end(); ++it) {
          if ((*it)->urb->client_addr == addr) {
            (*it)->u()->status = -ENOENT;
            (*it)->u()->actual_length = 0;
            done.push_back(*it);
            pending.erase(it);
            found = true;
            break;
          }
        }
        umockdev_ioctl_client_complete(c, found ? 0 : -1, found ? 0 : EINVAL);
        break;
      }
      default:
        umockdev_ioctl_client_complete(c, -1, ENOTTY);
    }
    update_fifo();
    return TRUE;
  }
};

namespace {
gboolean on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* c, gpointer self) {
  return static_cast<FakeHidScanner::State*>(self)->handle(c);
}

std::string hex(const std::vector<std::uint8_t>& b) {
  std::string s;
  char t[3];
  for (auto x : b) {
    std::snprintf(t, sizeof t, "%02x", x);
    s += t;
  }
  return s;
}
}  // namespace

FakeHidScanner::FakeHidScanner(std::uint16_t vid, std::uint16_t pid) : s_(std::make_unique<State>()) {
  s_->vid = vid;
  s_->pid = pid;
  s_->tb = umockdev_testbed_new();
  s_->handler = umockdev_ioctl_base_new();
  g_signal_connect(s_->handler, "handle-ioctl",
                   reinterpret_cast<GCallback>(reinterpret_cast<void (*)()>(&on_ioctl)), s_.get());
  GError* err = nullptr;
  if (!umockdev_testbed_attach_ioctl(s_->tb, s_->node.c_str(), s_->handler, &err))
    throw std::runtime_error(std::string("umockdev attach_ioctl: ") + (err ? err->message : "?"));
  const auto lo = [](std::uint16_t v) { return static_cast<std::uint8_t>(v & 0xFF); };
  const auto hi = [](std::uint16_t v) { return static_cast<std::uint8_t>(v >> 8); };
  // Boot keyboard: device, config, interface (HID 03/01/01), HID descriptor, interrupt IN 0x81.
  std::vector<std::uint8_t> desc = {
      0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, lo(vid), hi(vid), lo(pid), hi(pid), 0x00,
      0x01, 0x01, 0x02, 0x00, 0x01, 0x09, 0x02, 0x22, 0x00,    0x01,    0x01,    0x00,    0xA0,
      0x32, 0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01,    0x00,    0x09,    0x21,    0x11,
      0x01, 0x00, 0x01, 0x22, 0x3F, 0x00, 0x07, 0x05, 0x81,    0x03,    0x08,    0x00,    0x0A};
  char ids[16];
  std::snprintf(ids, sizeof ids, "%04x/%04x/100", vid, pid);
  char vids[8], pids[8];
  std::snprintf(vids, sizeof vids, "%04x", vid);
  std::snprintf(pids, sizeof pids, "%04x", pid);
  std::string rec =
      "P: /devices/pci0000:00/0000:00:14.0/usb1/1-1\nN: bus/usb/001/002\nE: SUBSYSTEM=usb\n"
      "E: DEVTYPE=usb_device\nE: DRIVER=usb\nE: DEVNAME=/dev/bus/usb/001/002\nE: BUSNUM=001\n"
      "E: DEVNUM=002\nE: PRODUCT=" +
      std::string(ids) +
      "\nA: busnum=1\\n\nA: devnum=2\\n\n"
      "A: speed=12\\n\nA: bConfigurationValue=1\\n\nA: idVendor=" +
      vids + "\\n\nA: idProduct=" + pids +
      "\\n\nA: product=Emulated QR scanner\\n\nH: descriptors=" + hex(desc) + "\n";
  if (!umockdev_testbed_add_from_string(s_->tb, rec.c_str(), &err))
    throw std::runtime_error(std::string("umockdev add device: ") + (err ? err->message : "?"));
  // Replace the node (a regular file, always "ready") by a FIFO so libusb's poll() sleeps.
  gchar* root = umockdev_testbed_get_root_dir(s_->tb);
  std::string path = std::string(root) + s_->node;
  g_free(root);
  ::unlink(path.c_str());
  if (::mkfifo(path.c_str(), 0666) == 0) {
    s_->fifo = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (s_->fifo >= 0) {
      fcntl(s_->fifo, F_SETPIPE_SZ, 4096);
      s_->fifo_drained = true;
      std::lock_guard lk(s_->mu);
      s_->update_fifo();
    }
  }
}

FakeHidScanner::~FakeHidScanner() {
  umockdev_testbed_detach_ioctl(s_->tb, s_->node.c_str(), nullptr);
  g_signal_handlers_disconnect_by_data(s_->handler, s_.get());
  g_object_unref(s_->handler);
  {
    std::lock_guard lk(s_->mu);
    for (auto* f : s_->pending) s_->free_urb(f);
    for (auto* f : s_->done) s_->free_urb(f);
    s_->pending.clear();
    s_->done.clear();
  }
  if (s_->fifo >= 0) ::close(s_->fifo);
  g_object_unref(s_->tb);
}

void FakeHidScanner::queue_report(std::vector<std::uint8_t> r) {
  std::lock_guard lk(s_->mu);
  s_->reports.push_back(std::move(r));
  s_->satisfy();
  s_->update_fifo();
}

void FakeHidScanner::type(std::string_view text, Layout layout, bool terminate) {
  auto reps = reports_for_text(text, layout);
  if (terminate) {
    reps.push_back(enter_press());
    reps.push_back(release_all());
  }
  std::lock_guard lk(s_->mu);
  for (auto& r : reps) s_->reports.push_back(std::move(r));
  s_->satisfy();
  s_->update_fifo();
}

void FakeHidScanner::unplug() {
  {
    std::lock_guard lk(s_->mu);
    s_->gone = true;
    s_->satisfy();
    s_->update_fifo();
  }
  umockdev_testbed_uevent(s_->tb, s_->syspath.c_str(), "remove");
  umockdev_testbed_remove_device(s_->tb, s_->syspath.c_str());
}

bool FakeHidScanner::claimed() const {
  std::lock_guard lk(s_->mu);
  return s_->claimed;
}
bool FakeHidScanner::kernel_driver_bound() const {
  std::lock_guard lk(s_->mu);
  return s_->driver_bound;
}
bool FakeHidScanner::boot_protocol_requested() const {
  std::lock_guard lk(s_->mu);
  return s_->boot;
}
std::size_t FakeHidScanner::reports_pending() const {
  std::lock_guard lk(s_->mu);
  return s_->reports.size();
}

}  // namespace kiosk::scanner::sim
