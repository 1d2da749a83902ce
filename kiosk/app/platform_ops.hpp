// Platform operations named in config/flows → platform requests (body built from SessionData).
#pragma once

#include <optional>
#include <string>

#include "kiosk/core/config.hpp"
#include "kiosk/core/session_data.hpp"
#include "kiosk/platform/messages.hpp"

namespace kiosk::app {

// nullopt: nothing to send (e.g. rating without a transaction). Throws std::invalid_argument for an
// operation no flow should name.
std::optional<platform::Request> build_platform_request(const std::string& op, const core::SessionData& d,
                                                        const std::string& terminal_id);

// The fields a receipt/A4 template fills for this session (the print service masks personal fields).
nlohmann::json print_fields(const std::string& template_id, const core::SessionData& d,
                            const std::string& service_name, const core::KioskConfig& cfg);

}  // namespace kiosk::app
