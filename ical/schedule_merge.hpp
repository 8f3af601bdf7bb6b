// Merging the versions of one scheduling object (RFC 6638 §3.2.2, §3.2.10,
// RFC 5546 §3.2.3): answers kept across a client's write, an attendee's own
// alarms and X- properties kept across the organizer's update, and the REPLY
// an attendee's change sends, per instance.
#pragma once
#include <libical/ical.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ical {

/// RFC 6638 §3.2.10: `sent` (a client's write over `stored` whose later
/// changes were only answers the server merged) with the PARTSTAT and
/// SCHEDULE-STATUS of every ATTENDEE taken from `stored`, except the user's own
/// (`is_own`) and in components whose times the client changed (a reschedule
/// asks everyone again). `sent` unchanged (byte for byte) when nothing
/// differs or either does not parse.
std::string merge_replies(std::string_view sent, std::string_view stored,
                          const std::function<bool(std::string_view)>& is_own);

/// RFC 6638 §3.2.8: the organizer's `sent` data with the PARTSTAT of every
/// ATTENDEE but the organizer's own (`is_own`) set to NEEDS-ACTION in each
/// component rescheduled since `previous` (times or recurrence set changed;
/// a new override that moves its instance). `sent` unchanged (byte for byte)
/// when nothing is rescheduled or either does not parse.
std::string reset_rescheduled(std::string_view sent, std::string_view previous,
                              const std::function<bool(std::string_view)>& is_own);

/// An attendee's copy after the organizer's update (RFC 6638 §3.2.2): the
/// organizer's `incoming` data (already an attendee copy: no METHOD) with the
/// attendee's own VALARMs, their X- properties (on the calendar and on each
/// component) and their PARTSTAT as `attendee` taken from `existing`, for each
/// component whose times did not change (a new override of an unmoved
/// instance takes the master's). The organizer's own alarms are not kept.
/// `incoming` unchanged when either does not parse.
std::string merge_attendee_copy(std::string_view incoming, std::string_view existing,
                                std::string_view attendee);
/// merge_attendee_copy() on parses: `incoming` is edited into the merged
/// copy, `existing` only read (both the caller's to free).
std::string merge_attendee_copy(icalcomponent* incoming, icalcomponent* existing, std::string_view attendee);
/// merge_attendee_copy() on parses without serialising the result, for a
/// caller that only compares it (issue 24): `incoming` is edited exactly as
/// there.
void merge_into_attendee_copy(icalcomponent* incoming, icalcomponent* existing, std::string_view attendee);

/// The iTIP REPLY (RFC 5546 §3.2.3) for an attendee's change from `before`
/// (empty: a new copy, everything NEEDS-ACTION) to `now`: the components of
/// `now` where the PARTSTAT of `attendee` changed (a new override compared
/// with the master), each with that ATTENDEE only; with `force` (RFC 6638
/// §7.3 SCHEDULE-FORCE-SEND=REPLY) every component. nullopt when there is
/// nothing to answer or `now` does not parse.
std::optional<std::string> attendee_reply(std::string_view before, std::string_view now,
                                          std::string_view attendee, bool force);
/// attendee_reply() on parses: `before` only read (null: a new copy), `now`
/// edited into the message (the caller's to free). The message is made from
/// `now` as edited, where the text version parses its text again.
std::optional<std::string> attendee_reply(icalcomponent* before, icalcomponent* now, std::string_view attendee,
                                          bool force);

/// RFC 6638 §3.2.2.1: the first change from `before` (an attendee's copy as
/// stored) to `after` (what the attendee's client writes over it) that is the
/// organizer's to make, described for the client, or nullopt when the change
/// is one an attendee may make. Only clear changes to the organizer's event
/// count: in a component kept (same RECURRENCE-ID), DTSTART, DTEND or
/// DURATION (by value, TZID aside), RRULE, SUMMARY, LOCATION, the ORGANIZER,
/// an ATTENDEE added or removed (other than the user's own, `is_own`) and,
/// with `other_partstats`, another attendee's PARTSTAT; in an override the
/// attendee adds, its instance moved or its SUMMARY, LOCATION, ORGANIZER or
/// ATTENDEEs not the master's. Everything else (PARTSTAT and parameters of
/// their own ATTENDEE, alarms, TRANSP, X- properties, DTSTAMP, SEQUENCE,
/// EXDATE, removed overrides, ...) is allowed, and so is anything when either
/// text does not parse.
std::optional<std::string> forbidden_attendee_change(
    std::string_view before, std::string_view after,
    const std::function<bool(std::string_view)>& is_own, bool other_partstats);
/// forbidden_attendee_change() of two parses, only read; nullopt when either is null.
std::optional<std::string> forbidden_attendee_change(
    icalcomponent* before, icalcomponent* after,
    const std::function<bool(std::string_view)>& is_own, bool other_partstats);

/// The data without SCHEDULE-FORCE-SEND parameters (RFC 6638 §7.3: a request
/// to the server, never stored). `ics` unchanged when it has none.
std::string without_force_send(std::string_view ics);

}  // namespace ical
