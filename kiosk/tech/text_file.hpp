// Small file helpers: whole-file read, atomic write (temp + fsync + rename), and a comment-keeping
// edit of one `key = value` line inside a [section] of a TOML file.
#pragma once

#include <string>

namespace kiosk::tech {

std::string read_text(const std::string& path);  // throws TechError
void write_atomic(const std::string& path, const std::string& data, unsigned mode = 0644);
// TOML basic string literal with escapes.
std::string toml_quote(const std::string& s);
// Sets `key = rendered` in [section] of the file (created if missing), keeping every other line.
void set_toml_value(const std::string& path, const std::string& section, const std::string& key,
                    const std::string& rendered);
// Same on text in memory (tests).
std::string set_toml_value_text(const std::string& text, const std::string& section, const std::string& key,
                                const std::string& rendered);

}  // namespace kiosk::tech
