// USB printer class (bInterfaceClass 7) over libusb: detaches usblp, claims the interface, bulk OUT
// (and IN when bi-directional), class requests GET_DEVICE_ID / GET_PORT_STATUS / SOFT_RESET.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "drivers/printer/device_id.hpp"
#include "drivers/printer/status.hpp"
#include "drivers/transport/transport.hpp"

namespace kiosk::printer {

struct UsbPrinterSelector {
  std::optional<std::uint16_t> vendor_id;
  std::optional<std::uint16_t> product_id;
  std::string serial;  // empty = any
};

class UsbPrinter : public transport::Transport {
 public:
  // Opens the first printer-class interface matching the selector. Throws TransportError
  // (NotFound, Access, Busy, Io).
  explicit UsbPrinter(const UsbPrinterSelector& sel = {});
  ~UsbPrinter() override;

  void write(std::span<const std::uint8_t> data, transport::Millis timeout) override;
  std::size_t read(std::span<std::uint8_t> buf, transport::Millis timeout) override;
  void flush_input() override;
  bool connected() const override;
  std::string describe() const override;

  DeviceId device_id(transport::Millis timeout = transport::Millis(1000));
  std::uint8_t port_status_byte(transport::Millis timeout = transport::Millis(1000));
  PrinterStatus port_status(transport::Millis timeout = transport::Millis(1000)) {
    return decode_port_status(port_status_byte(timeout));
  }
  void soft_reset(transport::Millis timeout = transport::Millis(1000));
  bool bidirectional() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiosk::printer
