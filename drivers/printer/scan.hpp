// ESC/POS stream tokenizer shared by the renderer and the simulator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace kiosk::printer {

// Length of the element starting at d[0]: a whole command (with its data block) or 1 for a text or
// control byte. Returns 0 if d ends before the element does (need more bytes). d must not be empty.
// `known` (optional) is set to false for commands this tokenizer does not recognise (their length is
// then the prefix plus one function byte).
std::size_t element_length(std::span<const std::uint8_t> d, bool* known = nullptr);

}  // namespace kiosk::printer
