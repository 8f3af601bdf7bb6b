// What the protocol layer learns from a calendar object resource it is given:
// validation per RFC 4791 §4.1 through ical/, mapped to CalDAV preconditions.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "caldav/limits.hpp"
#include "caldav/store.hpp"
#include "ical/calendar_data.hpp"

namespace caldav {

/// The index fields of a valid calendar object resource.
struct CalendarData {
    std::string uid;
    std::string component;                    ///< VEVENT, VTODO, VJOURNAL, ...
    std::optional<std::int64_t> first_start;  ///< UTC seconds; empty = unbounded
    std::optional<std::int64_t> last_end;     ///< UTC seconds; empty = unbounded
    InstanceIndex instances;                  ///< rows for the time index
    std::size_t max_attendees = 0;            ///< most ATTENDEEs in one component
    ical::ComponentPtr parsed;                ///< the object as parsed, for further reading
};

/// The time-index rows of a valid object: VEVENT instances up to the horizon
/// (Limits::index_horizon_days ahead of `now`); other components get none and
/// are found by their bounds.
InstanceIndex index_instances(std::string_view data, std::string_view component,
                              std::optional<std::int64_t> last_end, const Limits& limits,
                              std::int64_t now);

/// Builds the missing time-index rows of stored objects (after an upgrade).
/// Returns how many objects were indexed.
std::size_t rebuild_instance_index(Store& store, const Limits& limits);

/// Parses and validates `data`. Throws caldav::Error 403 with
/// CALDAV:valid-calendar-data (does not parse, unknown TZID) or
/// CALDAV:valid-calendar-object-resource (breaks §4.1: METHOD, several UIDs or
/// component types, no UID), or CALDAV:max-instances when expansion is capped.
CalendarData validate_calendar_data(std::string_view data, const Limits& limits);

/// validate_calendar_data of `data`, the serialisation of `parsed`, read
/// from `parsed` instead of a new parse (ical::index_object with a tree says
/// when that is allowed); `parsed` is only read and the result's is empty.
CalendarData validate_calendar_data(std::string_view data, icalcomponent* parsed, const Limits& limits);

}  // namespace caldav
