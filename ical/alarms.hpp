// Alarm firings of one calendar object (RFC 5545 §3.6.6 VALARM, §3.8.6.3
// TRIGGER, §3.8.6.2 REPEAT/DURATION; RFC 9074 ACKNOWLEDGED and snooze
// alarms): which alarm fires when, for which instance, in a time window.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ical/error.hpp"
#include "ical/expand.hpp"

namespace ical {

/// One firing of one alarm: its instance, its instant and what it asks for.
struct AlarmFiring {
    /// The instance's RECURRENCE-ID as Instance::recurrence_id spells it
    /// (UTC basic "20240105T150000Z", "20240105" all-day); empty for an
    /// absolute alarm of a master (not tied to one instance).
    std::string recurrence_id;
    std::int64_t instance_start = 0;  ///< UTC seconds
    /// UTC seconds; the maximum int64 when the alarm is not tied to one
    /// instance of a series (an absolute trigger in a recurring master).
    std::int64_t instance_end = 0;
    std::int64_t trigger_at = 0;  ///< UTC seconds the alarm fires
    int repetition = 0;           ///< 0 the trigger itself, 1.. its REPEATs
    std::string action;           ///< ACTION as written, upper case ("EMAIL", "DISPLAY", ...)
    std::string method;           ///< X-KALENDS-METHOD lower case ("push"), empty when absent
    std::vector<std::string> attendees;  ///< the alarm's ATTENDEE addresses, "mailto:" removed
    std::string alarm_uid;        ///< the alarm's UID (RFC 9074 §4), empty when it has none
    /// The alarm's place among the VALARMs of its component (0-based): with
    /// the recurrence id, a key for alarms without a UID.
    int alarm_index = 0;
    std::string summary;      ///< the component's SUMMARY
    bool snooze = false;      ///< a snooze alarm (RFC 9074 §7) firing in its parent's place
};

/// What alarm_firings needs besides the text.
struct AlarmOptions {
    /// The calendar owner's addresses (bare, case-insensitive): a component
    /// where one of them is an ATTENDEE with PARTSTAT=DECLINED fires nothing.
    std::vector<std::string> owner_addresses;
    /// The IANA zone floating and DATE times are read in (the calendar
    /// owner's, issue 26); empty or unknown: UTC.
    std::string floating_zone;
    ExpandLimits limits;
};

/// The firings of an object, sorted by instant, or why they could not all be found.
struct AlarmFirings {
    std::vector<AlarmFiring> firings;
    bool has_alarms = false;  ///< the object holds a VALARM at all (later windows may fire)
    std::optional<Error> error;
};

/// Every firing of the VALARMs of the VEVENTs and VTODOs of `ics` with
/// trigger_at in [from, to). Triggers relative to the start or (RELATED=END)
/// the end of each instance, in the instance's own zone (so a 09:00 New York
/// event's -PT15M alarm fires at 08:45 New York on both sides of a DST
/// change), absolute ones (VALUE=DATE-TIME) once, each with its REPEAT
/// repetitions DURATION apart. An overridden instance fires its override's
/// alarms; EXDATE'd instances, STATUS:CANCELLED components and components
/// the owner declined fire nothing. A firing at or before the alarm's
/// ACKNOWLEDGED does not fire, nor a firing of an alarm at or before the
/// trigger of its snooze alarm (RELATED-TO;RELTYPE=SNOOZE naming its UID),
/// which fires instead. Never throws.
AlarmFirings alarm_firings(std::string_view ics, std::int64_t from, std::int64_t to, const AlarmOptions& options);

/// alarm_firings() of `ics` read from `parsed`, libical's parse of exactly
/// that text (parse_with_libical; a write's validation made it), instead of
/// parsing it again; null: parsed here. `parsed` is only read. Never throws.
AlarmFirings alarm_firings(std::string_view ics, icalcomponent* parsed, std::int64_t from, std::int64_t to,
                           const AlarmOptions& options);

}  // namespace ical
