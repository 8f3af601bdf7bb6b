// The available time of VAVAILABILITY components (RFC 7953 §3.1, §4): each
// component's own period, its PRIORITY, and the AVAILABLE instances inside
// it, for working hours. Busy time outside them is ical::collect_busy's.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "ical/error.hpp"
#include "ical/expand.hpp"

namespace ical {

/// One VAVAILABILITY within a range, UTC seconds.
struct AvailabilityWindow {
    std::int64_t start = 0, end = 0;  ///< its DTSTART/DTEND (or DURATION) clipped to the range; open ends: the range
    /// PRIORITY (RFC 7953 §3.1): 1 takes precedence over 2 … over 9; 0 or
    /// absent is the lowest precedence of all.
    int priority = 0;
    /// Its AVAILABLE instances (RRULE, RDATE, EXDATE and overrides expanded)
    /// clipped to [start, end), sorted and merged.
    std::vector<std::pair<std::int64_t, std::int64_t>> available;
};

/// Appends one window per VAVAILABILITY component of `ics` that overlaps
/// [start, end) to `out`. Floating and DATE times are read in
/// `floating_zone` (a TZID, or a VCALENDAR holding one VTIMEZONE, as
/// collect_busy reads it); empty means UTC. Returns an Error when the data
/// does not parse or an expansion reaches `limits` (then nothing is
/// appended). Never throws.
std::optional<Error> collect_availability(std::string_view ics, std::int64_t start, std::int64_t end,
                                          const ExpandLimits& limits, std::vector<AvailabilityWindow>& out,
                                          std::string_view floating_zone = {});

}  // namespace ical
