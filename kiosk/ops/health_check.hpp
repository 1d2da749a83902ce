// Default health check of a staged config tree, run by the updater after `current` points at it and
// before the commit: everything the kiosk loads at start-up must load (kiosk.toml and ops.toml when
// present, strings, catalog, region table, flows cross-checked against strings and catalog, QR rules).
// The app may wrap it with checks that need the UI or devices (build the screens headlessly, bind devices).
#pragma once

#include <filesystem>

#include "kiosk/ops/updater.hpp"

namespace kiosk::ops {

HealthResult default_health_check(const std::filesystem::path& config_dir);

}  // namespace kiosk::ops
