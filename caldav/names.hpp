// XML namespaces and Clark-notation names of the DAV, CalDAV and related specs.
#pragma once
#include <string_view>

namespace caldav::names {

inline constexpr std::string_view dav_ns = "DAV:";
inline constexpr std::string_view caldav_ns = "urn:ietf:params:xml:ns:caldav";
inline constexpr std::string_view calendarserver_ns = "http://calendarserver.org/ns/";
inline constexpr std::string_view apple_ical_ns = "http://apple.com/ns/ical/";
/// Our own namespace, used for human-readable error descriptions.
inline constexpr std::string_view kalends_ns = "https://kalends.invalid/ns/";

}  // namespace caldav::names
