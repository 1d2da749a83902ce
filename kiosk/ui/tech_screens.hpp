// Technician mode screens (kiosk/tech/tech_mode.hpp is the state): PIN pad, menu, diagnostics,
// devices, provisioning summary, logs. Drawn over the whole window while the mode is active; every
// control records a "tech.*" widget id that KioskUI forwards to TechMode::action.
#pragma once

#include <string>
#include <vector>

#include "kiosk/core/strings.hpp"
#include "kiosk/ui/painter.hpp"

namespace kiosk::tech {
class TechMode;
}

namespace kiosk::ui {

// The hidden entry corner (top-left, 20 mm square).
Box tech_corner(const Theme& t);

void draw_tech(Painter& p, const Theme& t, float W, float H, const tech::TechMode& mode,
               const core::Strings& s, const std::string& lang, std::vector<std::string>& actions);

}  // namespace kiosk::ui
