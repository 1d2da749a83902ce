// The libusb helpers shared by the USB transport, the USB printer and the HID scanner.
#include <libusb.h>

#include <catch2/catch.hpp>

#include "drivers/transport/usb.hpp"

using namespace kiosk::transport;
using namespace std::chrono_literals;

TEST_CASE("libusb return codes map to transport error kinds", "[transport][usb]") {
  CHECK(usb_error_kind(LIBUSB_ERROR_TIMEOUT) == ErrorKind::Timeout);
  CHECK(usb_error_kind(LIBUSB_ERROR_NO_DEVICE) == ErrorKind::Disconnected);
  CHECK(usb_error_kind(LIBUSB_ERROR_NOT_FOUND) == ErrorKind::NotFound);
  CHECK(usb_error_kind(LIBUSB_ERROR_ACCESS) == ErrorKind::Access);
  CHECK(usb_error_kind(LIBUSB_ERROR_BUSY) == ErrorKind::Busy);
  CHECK(usb_error_kind(LIBUSB_ERROR_INVALID_PARAM) == ErrorKind::Invalid);
  CHECK(usb_error_kind(LIBUSB_ERROR_PIPE) == ErrorKind::Io);
  CHECK(usb_error_kind(LIBUSB_ERROR_IO) == ErrorKind::Io);
}

TEST_CASE("throw_usb_error names the operation and the libusb error", "[transport][usb]") {
  try {
    throw_usb_error(LIBUSB_ERROR_BUSY, "claim interface");
    FAIL("no throw");
  } catch (const TransportError& e) {
    CHECK(e.kind() == ErrorKind::Busy);
    CHECK(std::string(e.what()) == "busy: claim interface: LIBUSB_ERROR_BUSY");
  }
}

TEST_CASE("deadlines become libusb timeouts that never mean 'forever'", "[transport][usb]") {
  CHECK(usb_timeout_ms(0ms) == 1u);
  CHECK(usb_timeout_ms(-5ms) == 1u);
  CHECK(usb_timeout_ms(250ms) == 250u);
}
