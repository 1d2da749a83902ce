// Renderer / tokenizer on arbitrary bytes: must never crash, hang or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <span>

#include "drivers/printer/renderer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kiosk::printer::RenderOptions o;
  o.width_dots = (size > 0 && (data[0] & 1)) ? 384 : 576;
  o.max_height = 4000;  // keeps each run small
  auto r = kiosk::printer::render(std::span(data, size), o);
  (void)r;
  return 0;
}
