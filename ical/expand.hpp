// Recurrence expansion (RFC 5545 §3.8.5, RFC 4791 §9.9 time ranges) and the
// CALDAV:expand / CALDAV:limit-recurrence-set outputs (RFC 4791 §9.6.5, §9.6.6).
#pragma once
#include <libical/ical.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ical/error.hpp"

namespace ical {

/// Caps on one expansion: instances produced and wall time spent. Hitting a
/// cap ends the expansion with an Error instead of a partial answer.
struct ExpandLimits {
    std::size_t max_instances = 10000;
    std::chrono::milliseconds max_time{2000};
};

/// FBTYPE of a busy period (RFC 5545 §3.2.9); FREE time is never reported.
enum class BusyType { busy, busy_tentative, busy_unavailable };

/// The busy time one VEVENT instance takes (RFC 4791 §7.10): none when its
/// component is TRANSP:TRANSPARENT or STATUS:CANCELLED, BUSY-TENTATIVE when
/// STATUS:TENTATIVE, BUSY otherwise. Never throws.
std::optional<BusyType> busy_type_of(icalcomponent* event);

/// One occurrence, in UTC seconds.
struct Instance {
    std::int64_t start = 0, end = 0;  ///< end == start when no duration; all-day: local midnight read as UTC
    bool all_day = false;             ///< DATE-valued DTSTART
    bool floating = false;            ///< floating or DATE time (reader's zone applies)
    std::string recurrence_id;        ///< UTC basic "20240105T150000Z", "20240105" all-day, no Z when floating
    bool overridden = false;          ///< comes from a RECURRENCE-ID component (or its RANGE=THISANDFUTURE)
    /// expand() of a VEVENT: busy_type_of the component the instance takes its
    /// properties from (an override's own TRANSP and STATUS count).
    std::optional<BusyType> busy;
    /// expand() of a VEVENT: that component has an ATTENDEE with
    /// PARTSTAT=DECLINED, whose free/busy the instance then does not take.
    bool declined = false;
    /// expand() of a VEVENT: that component is STATUS:CANCELLED (the instance
    /// takes no time at all, unlike a transparent one, which still occupies a
    /// room).
    bool cancelled = false;
};

/// Sets `busy`, `cancelled` and `declined` of a VEVENT instance from the
/// component it takes its properties from (as expand() does). Never throws.
void mark_event_instance(Instance& instance, icalcomponent* source);

/// The instances of an object, or why they could not all be produced.
struct Expansion {
    std::vector<Instance> instances;
    std::optional<Error> error;  ///< set when a cap is hit or the data does not parse
};

/// All instances of the object's (single-UID) main component (VEVENT, VTODO or
/// VJOURNAL) overlapping [range_start, range_end) by the RFC 4791 §9.9 rules
/// (a missing bound is open), sorted by start. Handles RRULE, RDATE (date,
/// date-time, period), EXDATE, overrides by RECURRENCE-ID including
/// RANGE=THISANDFUTURE, expansion in the event's own zone, and the RFC 5545
/// defaults for absent DTEND/DURATION. A VTODO with neither DTSTART nor DUE has
/// no instances. Floating and DATE times are read as UTC. Never throws.
Expansion expand(std::string_view ics, std::optional<std::int64_t> range_start, std::optional<std::int64_t> range_end,
                 const ExpandLimits& limits);
/// expand() on an already parsed VCALENDAR (left unchanged).
Expansion expand(icalcomponent* calendar, std::optional<std::int64_t> range_start,
                 std::optional<std::int64_t> range_end, const ExpandLimits& limits);

/// Text produced from an object, or why it could not be.
struct TextResult {
    std::string text;
    std::optional<Error> error;
};

/// RFC 4791 §9.6.5 CALDAV:expand: the object with every instance overlapping
/// [start, end) as its own component, DTSTART/DTEND/DUE/RECURRENCE-ID in UTC
/// (DATE and floating values stay as they are), no RRULE/RDATE/EXDATE and no
/// VTIMEZONE; a VTODO with neither DTSTART nor DUE is kept as it is when its
/// COMPLETED/CREATED put it in the range (RFC 4791 §9.9). CRLF line endings.
/// Never throws.
TextResult expand_to_ical(std::string_view ics, std::int64_t start, std::int64_t end, const ExpandLimits& limits);

/// RFC 4791 §9.6.6 CALDAV:limit-recurrence-set: the object with its master and
/// only those overridden components whose instances overlap [start, end).
TextResult limit_recurrence_set(std::string_view ics, std::int64_t start, std::int64_t end,
                                const ExpandLimits& limits);

/// An instance with the component it was generated from (the master, or the
/// override it takes its properties from), for callers that render instances.
struct Occurrence {
    Instance instance;
    icalcomponent* source = nullptr;
};

/// expand() on a parsed VCALENDAR: appends the occurrences of the components of
/// `kind` directly under `container` (default: `calendar`) overlapping the
/// range to `out` (unsorted), one recurrence set per UID. TZIDs resolve against
/// `calendar`. Floating and DATE values are read in `floating_zone` (nullptr:
/// as UTC). Never throws.
std::optional<Error> expand_occurrences(icalcomponent* calendar, icalcomponent_kind kind,
                                        std::optional<std::int64_t> range_start,
                                        std::optional<std::int64_t> range_end, const ExpandLimits& limits,
                                        icaltimezone* floating_zone, std::vector<Occurrence>& out,
                                        icalcomponent* container = nullptr);

/// Refuses data whose instances are too dense to be queried (issue 22 item 5):
/// an Error when one of the windows [anchor, anchor + window_seconds) holds
/// more than limits.max_instances instances of the object's main component
/// (VEVENT, VTODO or VJOURNAL; RRULE, RDATE and overrides alike). Rules are
/// periodic within a year, so a window of a year from DTSTART and one from
/// now find a FREQ=SECONDLY or MINUTELY rule, or BYSECOND/BYMINUTE lists,
/// wherever they are dense. Running out of time is not an error here (the
/// time cap stays the query's). Never throws.
std::optional<Error> check_instance_density(icalcomponent* calendar,
                                            const std::vector<std::int64_t>& anchors,
                                            std::int64_t window_seconds,
                                            const ExpandLimits& limits);

/// "20240105T150000Z" for UTC seconds.
std::string format_utc(std::int64_t utc);

}  // namespace ical
