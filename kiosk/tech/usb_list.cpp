// libusb device listing for discovery (kept apart so the profile parser stays pure and fuzzable).
#include <libusb.h>
#include <spdlog/spdlog.h>

#include "kiosk/tech/devices.hpp"

namespace kiosk::tech {

std::vector<FoundDevice> list_usb_devices() {
  std::vector<FoundDevice> out;
  libusb_context* ctx = nullptr;
  if (libusb_init(&ctx) != 0) {
    spdlog::warn("tech: libusb unavailable, no USB devices listed");
    return out;
  }
  libusb_device** list = nullptr;
  ssize_t n = libusb_get_device_list(ctx, &list);
  for (ssize_t i = 0; i < n; ++i) {
    libusb_device* d = list[i];
    libusb_device_descriptor dd{};
    if (libusb_get_device_descriptor(d, &dd) != 0) continue;
    FoundDevice f;
    f.kind = "usb";
    f.vid = dd.idVendor;
    f.pid = dd.idProduct;
    f.bus = libusb_get_bus_number(d);
    f.address = libusb_get_device_address(d);
    f.path = "usb:" + std::to_string(f.bus) + "-" + std::to_string(f.address);
    libusb_config_descriptor* cfg = nullptr;
    if (libusb_get_active_config_descriptor(d, &cfg) == 0 || libusb_get_config_descriptor(d, 0, &cfg) == 0) {
      for (int k = 0; k < cfg->bNumInterfaces; ++k) {
        const auto& itf = cfg->interface[k];
        if (itf.num_altsetting < 1) continue;
        const auto& alt = itf.altsetting[0];
        UsbInterface ui{
            alt.bInterfaceNumber, alt.bInterfaceClass, alt.bInterfaceSubClass, alt.bInterfaceProtocol, {}};
        for (int e = 0; e < alt.bNumEndpoints; ++e) ui.endpoints.push_back(alt.endpoint[e].bEndpointAddress);
        f.interfaces.push_back(ui);
      }
      libusb_free_config_descriptor(cfg);
    }
    out.push_back(std::move(f));
  }
  if (list) libusb_free_device_list(list, 1);
  libusb_exit(ctx);
  return out;
}

}  // namespace kiosk::tech
