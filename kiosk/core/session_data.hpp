// Everything personal about the resident being served. One object, wiped at session end.
#pragma once

#include <string>

#include "kiosk/core/identity.hpp"

namespace kiosk::core {

struct SessionData {
  Identity identity;
  std::string item_code;  // item being handled (not personal)

  bool has_personal() const { return !identity.empty(); }
  void wipe() {
    identity.wipe();
    identity = Identity{};
    item_code.clear();
  }
};

}  // namespace kiosk::core
