// Windows time zone names (as Outlook/Exchange send them in TZID) mapped to
// IANA names through the CLDR windowsZones table that ICU carries.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace ical {

/// The IANA zone CLDR maps the Windows zone `windows_name` to for its default
/// territory ("W. Europe Standard Time" → "Europe/Berlin"); nullopt when the
/// name is not a Windows zone. Thread-safe; results are cached.
std::optional<std::string> iana_for_windows_zone(std::string_view windows_name);

}  // namespace ical
