// Pieces of VEVENTs (RFC 5545 §3.3.5 date-time forms, §3.3.10 RRULE, §3.8.4.1
// ATTENDEE, §3.6.6 VALARM) shared by event_spec.cpp (build, read) and
// event_edit.cpp (scope edits). Internal to ical/: not part of the API.
#pragma once
#include <libical/ical.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ical/calendar_data.hpp"
#include "ical/event_spec.hpp"

namespace ical::event_parts {

/// How a date or date-time value is written: a DATE, UTC ("Z"), with a TZID
/// (`zone` resolved, may be null for a TZID nothing matches) or floating.
struct TimeForm {
    bool is_date = false;
    bool utc = false;
    std::string tzid;              ///< the TZID parameter as written; empty: none
    icaltimezone* zone = nullptr;  ///< for local wall clocks; null: read as UTC
};

/// The form for writing times of an event in IANA zone `iana` ("UTC" or
/// empty: UTC values); all-day: DATE values of that zone's days.
TimeForm form_for_zone(const std::string& iana, bool all_day);

/// The form `prop` (a DTSTART-like property) is written in, its TZID
/// resolved against `calendar`.
TimeForm form_of(icalcomponent* calendar, icalproperty* prop);

/// UTC seconds of a DTSTART-like property; DATE and floating values are read
/// as UTC (as expand() does).
std::int64_t utc_of(icalcomponent* calendar, icalproperty* prop);

/// A new property of `kind` holding the instant `utc` written in `form`.
icalproperty* time_property(icalproperty_kind kind, std::int64_t utc, const TimeForm& form);

/// A libical date-time in UTC (prints with "Z").
icaltimetype utc_time(std::int64_t utc);

/// Removes every property of `kind` from `comp`.
void remove_properties(icalcomponent* comp, icalproperty_kind kind);

/// Removes the properties of `p`'s kind from `comp`, then adds `p`.
void replace_property(icalcomponent* comp, icalproperty* p);

/// Sets (or with empty `text`, removes) SUMMARY/DESCRIPTION/LOCATION.
void set_text(icalcomponent* comp, icalproperty_kind kind, const std::string& text);

/// An RRULE for `rule` on an event whose DTSTART is written in `form`
/// (UNTIL a DATE of that zone for DATE starts, else UTC: RFC 5545 §3.3.10).
icalproperty* rrule_property(const RecurrenceSpec& rule, const TimeForm& form);

/// The rule of an RRULE property; `form` reads a local UNTIL.
RecurrenceSpec recurrence_of(icalproperty* rrule, const TimeForm& form);

/// Adds ORGANIZER, the organizer's own ATTENDEE (CHAIR, ACCEPTED) and one
/// ATTENDEE per entry; nothing when `attendees` is empty.
void add_attendees(icalcomponent* event, const std::string& organizer_email,
                   const std::string& organizer_name, const std::vector<AttendeeSpec>& attendees);

/// Removes ORGANIZER and every ATTENDEE.
void remove_attendees(icalcomponent* event);

/// A VALARM for `reminder` (TRIGGER relative to the start).
icalcomponent* alarm_component(const ReminderSpec& reminder, const std::string& title,
                               const std::string& organizer_email);

/// Adds the VTIMEZONE of IANA zone `iana` to `calendar` unless it has one
/// with that TZID (or `iana` is UTC or unknown). With `from` (UTC seconds),
/// only the observances in force from a year before it on are kept: the
/// system zones reach back to the 19th century, and the server reads zones
/// by name anyway (zone_named), so the copy is for clients.
void ensure_vtimezone(icalcomponent* calendar, const std::string& iana,
                      std::optional<std::int64_t> from = {});

/// The iCalendar text of `comp`, CRLF line endings.
std::string text_of(icalcomponent* comp);

/// The master VEVENT (no RECURRENCE-ID) of `calendar`, or null.
icalcomponent* master_of(icalcomponent* calendar);

/// The override VEVENT whose RECURRENCE-ID is at `instance`, or null.
icalcomponent* override_at(icalcomponent* calendar, std::int64_t instance);

/// Instances of the master alone (overrides left out; with `with_exdates`
/// false, EXDATEs ignored too) starting in [from, to), sorted; nullopt when
/// the expansion hit a cap.
std::optional<std::vector<std::int64_t>> master_starts(icalcomponent* calendar,
                                                       std::optional<std::int64_t> from,
                                                       std::optional<std::int64_t> to,
                                                       bool with_exdates = true);

/// The master has an instance that originally starts at `instance`.
bool has_instance(icalcomponent* calendar, std::int64_t instance);

/// The IANA name for a TZID as written (Windows names, "/mozilla.org/…/Area/City"
/// and the VTIMEZONE's X-LIC-LOCATION mapped), else the TZID itself.
std::string iana_of_tzid(icalcomponent* calendar, std::string_view tzid);

/// DTEND − DTSTART of `event` in seconds (DURATION, or the RFC 5545 §3.6.1
/// defaults: a day for DATE starts, 0 otherwise).
std::int64_t duration_of(icalcomponent* calendar, icalcomponent* event);

}  // namespace ical::event_parts
