// Events as the JSON API describes them (issue 24), to and from the iCalendar
// that is stored (RFC 5545): building a VEVENT with RRULE, ATTENDEEs and
// VALARMs from a description, reading one back, and the edits a user makes
// to one occurrence or to the rest of a series (RFC 5545 §3.8.4.4
// RECURRENCE-ID, §3.8.5.1 EXDATE, §3.3.10 UNTIL). Pure text in, text out:
// no store, no HTTP, no JSON.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ical/error.hpp"
#include "ical/expand.hpp"

namespace ical {

/// A recurrence as the API gives it (RFC 5545 §3.3.10 RECUR parts).
struct RecurrenceSpec {
    std::string frequency;                 ///< "daily", "weekly", "monthly", "yearly" (any case)
    int interval = 1;                      ///< ≥ 1
    std::optional<std::int64_t> until;     ///< UTC seconds: no instance starts after it
    std::optional<int> count;              ///< ≥ 1; not together with until
    std::vector<std::string> by_day;       ///< "MO".."SU", optionally with an ordinal: "1MO", "-1FR"
    std::vector<int> by_month_day;         ///< ±1..31
    std::vector<int> by_month;             ///< 1..12
    std::vector<int> by_set_pos;           ///< ±1..366
    std::string week_start;                ///< "MO".."SU" or empty
};

/// An attendee as the API gives and shows it.
struct AttendeeSpec {
    std::string email;            ///< bare address, no "mailto:"
    std::string name;             ///< CN, may be empty
    bool optional = false;        ///< ROLE=OPT-PARTICIPANT (else REQ-PARTICIPANT)
    std::string partstat;         ///< PARTSTAT as stored (NEEDS-ACTION when absent)
    bool is_room = false;         ///< CUTYPE=ROOM
};

/// A reminder: a VALARM triggered `minutes_before` the start (RFC 5545 §3.6.6).
struct ReminderSpec {
    int minutes_before = 0;       ///< ≥ 0
    /// "email" (ACTION:EMAIL, to the organizer), "push" or "display"
    /// (ACTION:DISPLAY; push carries X-KALENDS-METHOD:push so clients keep
    /// showing it while the server delivers it).
    std::string method = "display";
};

/// An event as created through the API. Times are UTC seconds; the event is
/// written in `time_zone` (DTSTART;TZID=… with its VTIMEZONE) so that a
/// recurrence keeps its local time across DST changes.
struct EventSpec {
    std::string uid;
    std::string title, description, location;
    std::int64_t start = 0, end = 0;
    bool all_day = false;         ///< DATE values; start/end at 00:00 of time_zone's days
    std::string time_zone = "UTC";  ///< IANA name
    std::string organizer_email;  ///< bare address; empty with no attendees: no ORGANIZER
    std::string organizer_name;
    std::vector<AttendeeSpec> attendees;  ///< without the organizer; build adds it ACCEPTED
    std::optional<RecurrenceSpec> recurrence;
    std::vector<ReminderSpec> reminders;
};

/// A change to some fields of an event (PATCH): each set field replaces the
/// old value; unset fields stay.
struct EventPatch {
    std::optional<std::string> title, description, location;
    std::optional<std::int64_t> start, end;
    std::optional<std::string> time_zone;
    std::optional<std::vector<AttendeeSpec>> attendees;
    /// Set: replace the rule (an empty optional inside removes it).
    std::optional<std::optional<RecurrenceSpec>> recurrence;
    std::optional<std::vector<ReminderSpec>> reminders;
};

/// A field of the description that cannot become an event: the API answers
/// 422 naming `field` ("recurrence.by_day[2]", "time_zone", "end_time").
struct FieldError {
    std::string field;
    std::string detail;
};

/// The time zone named `iana` exists in libical's zone table (or is "UTC").
bool known_time_zone(std::string_view iana);

/// Checks a description: end after start, a known time zone, a recurrence
/// whose parts are in range and that yields at least one instance, reminders
/// ≥ 0 minutes with a known method, attendee addresses that look like
/// addresses. The first problem, or nothing. A rule yields an instance when
/// its own first occurrence exists and is not after `until` (DTSTART alone
/// does not count). Reminders: 0..40320 minutes (four weeks).
std::optional<FieldError> check_event(const EventSpec& spec);

/// A VCALENDAR holding one VEVENT (and the VTIMEZONE of `time_zone` when not
/// UTC) for `spec`, with DTSTAMP/CREATED/LAST-MODIFIED `now`, SEQUENCE:0,
/// ORGANIZER and ATTENDEEs (RSVP=TRUE, PARTSTAT=NEEDS-ACTION unless given),
/// one VALARM per reminder. CRLF line endings. Call check_event first.
/// An all-day event is written as DATE values of `time_zone`'s days (no
/// TZID: RFC 5545 §3.2.19), so read_event gives its days' midnights in UTC.
std::string build_event(const EventSpec& spec, std::int64_t now);

/// An event as the API shows it, read from stored iCalendar.
struct EventView {
    std::string uid;
    std::string title, description, location;
    std::int64_t start = 0, end = 0;   ///< UTC seconds (the master's, or the override's)
    bool all_day = false;
    std::string time_zone;             ///< the TZID of DTSTART (IANA when it maps), "UTC" or empty (floating)
    std::string organizer_email;       ///< bare, may be empty
    std::vector<AttendeeSpec> attendees;
    std::optional<RecurrenceSpec> recurrence;  ///< from the master's RRULE
    std::vector<ReminderSpec> reminders;
    std::optional<std::int64_t> recurrence_id;  ///< set when read for one instance (its override or the master moved there)
    std::int64_t sequence = 0;
    std::int64_t last_modified = 0;    ///< LAST-MODIFIED or DTSTAMP, UTC seconds
    std::string status;                ///< STATUS, upper case, may be empty
    bool transparent = false;          ///< TRANSP:TRANSPARENT
};

/// The master VEVENT of `ics` (or, with `recurrence_id`, the override for
/// that instance, falling back to the master's values moved to that
/// instance). nullopt when there is no VEVENT (or no such instance).
/// `time_zone`: a vendor TZID ("/mozilla.org/…/America/New_York"), a Windows
/// name or a VTIMEZONE's X-LIC-LOCATION is given as its IANA name. Reminders:
/// VALARMs with a TRIGGER relative to the start, at or before it; ACTION:EMAIL
/// is "email", X-KALENDS-METHOD gives "push", anything else "display".
std::optional<EventView> read_event(std::string_view ics, std::optional<std::int64_t> recurrence_id = std::nullopt);

/// One occurrence of an event with the view of the component it comes from
/// (the master, or the override of that instance), moved to the occurrence.
struct OccurrenceView {
    Instance instance;
    EventView view;
};

/// The VEVENT occurrences of `ics` overlapping [start, end) and their views,
/// appended to `out` unsorted, parsing the text once and reading each
/// component once however many occurrences it gives (a listing's view of one
/// object). The expansion's error when it hits a cap of `limits` or the text
/// does not parse; `out` may then hold part of the occurrences. Never throws.
std::optional<Error> read_occurrences(std::string_view ics, std::int64_t start, std::int64_t end,
                                      const ExpandLimits& limits, std::vector<OccurrenceView>& out);

/// The VEVENT occurrences of one object over a window, each component's view
/// read once and shared by its occurrences: what a listing or a conflict
/// check needs of an object, compact enough to be kept (caldav's parsed-event
/// cache holds these per ETag).
struct EventOccurrences {
    /// One per component: the master first when there is one (`has_master`),
    /// then each override that gives an occurrence. Times are the component's own.
    std::vector<EventView> views;
    bool has_master = false;
    /// A timed event without RRULE, RDATE or override: its one occurrence
    /// holds for every window (read without expanding).
    bool single = false;
    /// An occurrence and the index in `views` of the component it comes from.
    struct Item {
        Instance instance;
        std::uint32_t view = 0;
    };
    std::vector<Item> items;     ///< overlapping the window, sorted by start
    std::optional<Error> error;  ///< a cap of the limits hit, or the text does not parse
};

/// The occurrences of `ics` overlapping [start, end) as EventOccurrences,
/// parsing the text once. Instances carry busy, cancelled and declined as
/// expand() sets them. Never throws.
EventOccurrences read_event_occurrences(std::string_view ics, std::int64_t start, std::int64_t end,
                                        const ExpandLimits& limits);

/// read_event_occurrences() of `ics` read from `parsed`, libical's parse of
/// exactly that text (parse_with_libical, or parse_calendar's when it found
/// no error), instead of parsing it again; `parsed` is only read.
EventOccurrences read_event_occurrences(std::string_view ics, icalcomponent* parsed, std::int64_t start,
                                        std::int64_t end, const ExpandLimits& limits);

/// Outcome of an edit: the new text, or the field that made it impossible.
/// The edits below name an instance by its original start in UTC seconds,
/// as expand() gives it (a DATE instance: its midnight read as UTC), and
/// check it against an expansion of the master (ExpandLimits defaults).
using EditResult = std::variant<std::string, FieldError>;

/// "All": applies `patch` to the master; when the start moves by Δ, the
/// RECURRENCE-IDs and EXDATEs move by Δ too, and an override's DTSTART/DTEND
/// moves by Δ only where it was at its RECURRENCE-ID (not moved on its own).
/// SEQUENCE+1 and LAST-MODIFIED/DTSTAMP `now` on every changed component.
/// The shift is one of wall clock (read in the old zone, written in the new
/// one), so instances keep their local time across DST changes. Removing
/// the rule drops the overrides and EXDATEs. Only the patched fields are
/// checked (check_event), so data written by other clients stays editable.
/// A patched start alone leaves the end where it was (end_time error when
/// it is then not after the start).
EditResult edit_all(std::string_view ics, const EventPatch& patch, std::int64_t now);

/// "This instance": writes (or rewrites) the override of the instance
/// starting at `instance` (UTC seconds): the instance's current values with
/// `patch` applied, RECURRENCE-ID in the master's zone. A FieldError
/// ("instance_date") when the series has no such instance. A patch of
/// `recurrence` is refused for one instance. On an event without RRULE or
/// RDATE the patch applies to the event itself.
EditResult edit_instance(std::string_view ics, std::int64_t instance, const EventPatch& patch, std::int64_t now);

/// "All future": splits the series at `instance`. `first` is the old series
/// ending before it (UNTIL one second before the instance in UTC; overrides
/// and EXDATEs from it on dropped; COUNT turned into the UNTIL it reached);
/// `second` is a new series with `new_uid` starting at the instance, `patch`
/// applied, keeping the remaining COUNT, with the overrides and EXDATEs from
/// the instance on carried over (SEQUENCE 0, CREATED `now`). FieldError
/// ("instance_date") when `instance` is not an instance or is the first one
/// (edit the whole series then).
struct SplitResult {
    std::string first;
    std::string second;
};
std::variant<SplitResult, FieldError> split_series(std::string_view ics, std::int64_t instance,
                                                   const std::string& new_uid, const EventPatch& patch,
                                                   std::int64_t now);

/// Deletes one instance: an EXDATE for it in the master (in the master's
/// zone and value type) and its override removed. FieldError when there is
/// no such instance.
EditResult remove_instance(std::string_view ics, std::int64_t instance, std::int64_t now);

/// Ends the series before `instance` (UNTIL as split_series' `first`);
/// FieldError when `instance` is the first one (delete the whole event then).
EditResult end_series_before(std::string_view ics, std::int64_t instance, std::int64_t now);

/// Sets `attendee`'s (calendar user address, "mailto:…") PARTSTAT in the
/// instance at `instance` only: in its override, created from the master
/// when missing (RFC 5546 §3.2.3 reply to one instance). FieldError when
/// there is no such instance or the attendee ("attendee") is not invited to
/// it. SEQUENCE stays (an attendee's answer, RFC 5546 §2.1.4); DTSTAMP and
/// LAST-MODIFIED become `now`. On an event without RRULE or RDATE the event
/// itself is changed.
EditResult with_instance_partstat(std::string_view ics, std::string_view attendee, std::string_view partstat,
                                  std::int64_t instance, std::int64_t now);

/// "2024-01-15T10:00:00Z" for UTC seconds (RFC 3339).
std::string format_rfc3339(std::int64_t utc);

/// Parses an RFC 3339 date-time ("2024-01-15T10:00:00Z",
/// "2024-01-15T05:00:00-05:00", fractions ignored) to UTC seconds; nullopt
/// when it is not one.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

/// Wall-clock fields of UTC seconds `utc` in zone `iana` (UTC when unknown).
struct LocalTime {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    int weekday = 0;  ///< 0 Sunday … 6 Saturday
    int utc_offset = 0;  ///< seconds east of UTC at that instant
};
LocalTime local_time(std::int64_t utc, std::string_view iana);

/// UTC seconds of wall-clock `local` (fields year..second) in zone `iana`;
/// a time skipped by a DST change resolves as RFC 5545 §3.3.5 says (the
/// offset before the gap).
std::int64_t utc_of_local(const LocalTime& local, std::string_view iana);

}  // namespace ical
