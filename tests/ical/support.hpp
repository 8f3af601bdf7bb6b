// Helpers for the ical/ tests: building calendar objects and reading instances.
#pragma once
#include <libical/ical.h>

#include <string>
#include <string_view>
#include <vector>

#include "ical/expand.hpp"
#include "ical/zone_resolver.hpp"

namespace ical_test {

/// A VCALENDAR holding one VEVENT with `lines` (LF-separated content lines).
inline std::string event(std::string_view lines, std::string_view component = "VEVENT") {
    std::string out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kalends tests//EN\r\nBEGIN:";
    out.append(component).append("\r\nUID:test-1\r\nDTSTAMP:20240101T000000Z\r\n");
    out.append(lines);
    if (!lines.empty() && lines.back() != '\n') out.append("\n");
    out.append("END:").append(component).append("\r\nEND:VCALENDAR\r\n");
    return out;
}

/// UTC seconds of a basic UTC date-time ("19970902T130000Z") or date.
inline std::int64_t utc(const char* text) { return ical::wall_seconds(icaltime_from_string(text)); }

/// "19970902T090000" — `t` (UTC seconds) as wall time in `zone`.
inline std::string local(std::int64_t t, const char* zone) {
    icaltimetype lt = icaltime_from_timet_with_zone(static_cast<time_t>(t), 0, icaltimezone_get_builtin_timezone(zone));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d", lt.year, lt.month, lt.day, lt.hour, lt.minute, lt.second);
    return buf;
}

/// Instance starts as local wall times in `zone`.
inline std::vector<std::string> local_starts(const ical::Expansion& e, const char* zone) {
    std::vector<std::string> out;
    for (const auto& i : e.instances) out.push_back(local(i.start, zone));
    return out;
}

inline std::vector<std::string> rids(const ical::Expansion& e) {
    std::vector<std::string> out;
    for (const auto& i : e.instances) out.push_back(i.recurrence_id);
    return out;
}

}  // namespace ical_test
