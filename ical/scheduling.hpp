// iTIP messages the server reads (RFC 5546): for now the VFREEBUSY REQUEST a
// client POSTs to its outbox to look up attendees' busy time (RFC 6638 §5).
#pragma once
#include <libical/ical.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ical/error.hpp"

namespace ical {

/// A free/busy lookup: who asks, about whom, for which UTC interval.
struct FreeBusyRequest {
    std::string uid;
    std::string organizer;               ///< calendar user address, e.g. "mailto:a@b"
    std::vector<std::string> attendees;  ///< in request order
    std::int64_t start = 0, end = 0;
};

/// A parsed request, or why it is not a valid VFREEBUSY REQUEST (RFC 5546 §3.3.2).
struct FreeBusyRequestResult {
    std::optional<FreeBusyRequest> request;
    std::optional<Error> error;
};

/// Parses an iTIP VFREEBUSY REQUEST: METHOD:REQUEST, one VFREEBUSY with
/// DTSTART and DTEND (UTC after conversion), one ORGANIZER and at least one
/// ATTENDEE. Never throws.
FreeBusyRequestResult parse_freebusy_request(std::string_view ics);

/// The iTIP REPLY for one attendee (RFC 6638 §5.2): `vfreebusy` is a
/// VCALENDAR text from render_freebusy, given METHOD:REPLY.
std::string as_reply(std::string vfreebusy);

/// One ATTENDEE of a scheduling object resource (RFC 6638 §3.1).
struct Attendee {
    std::string address;         ///< as written, e.g. "mailto:bob@example.com"
    std::string partstat;        ///< upper case, NEEDS-ACTION when absent
    bool server_schedules = true;  ///< false with SCHEDULE-AGENT=CLIENT or NONE
    std::string schedule_status;   ///< SCHEDULE-STATUS as stored (e.g. "1.1"), or empty
    bool force_send = false;       ///< SCHEDULE-FORCE-SEND=REQUEST (RFC 6638 §7.3)
};

/// Who organizes an object and who attends it, across all its components.
struct SchedulingInfo {
    std::string uid;
    std::string organizer;
    std::vector<Attendee> attendees;  ///< one entry per address (first occurrence wins)
    /// False with SCHEDULE-AGENT=CLIENT or NONE on the ORGANIZER: the
    /// attendee's client answers by itself (RFC 6638 §3.2.2).
    bool organizer_server_schedules = true;
    bool organizer_force_send = false;  ///< SCHEDULE-FORCE-SEND=REPLY on the ORGANIZER (RFC 6638 §7.3)
};

/// The scheduling parties of a stored object, or nullopt when it has no
/// ORGANIZER or no ATTENDEE (it is not a scheduling object resource).
std::optional<SchedulingInfo> scheduling_info(std::string_view ics);
/// scheduling_info() of an already parsed VCALENDAR.
std::optional<SchedulingInfo> scheduling_info(icalcomponent* calendar);

/// True when every scheduled component of `ics` has STATUS:CANCELLED (the
/// organizer cancelled the whole event); false when it does not parse.
bool cancelled(std::string_view ics);

/// True when two calendar user addresses name the same user ("mailto:"
/// scheme and e-mail address compared without case).
bool same_address(std::string_view a, std::string_view b);

/// The iTIP message (RFC 5546) for `method` ("REQUEST", "CANCEL" or "REPLY")
/// made from a stored object: METHOD added, VALARMs and SCHEDULE-STATUS
/// parameters removed, DTSTAMP added where a component lacks it; a CANCEL also gets STATUS:CANCELLED; a REPLY keeps only
/// the ATTENDEE `replying`.
std::string itip_message(std::string_view ics, std::string_view method, std::string_view replying = {});
/// itip_message() made from `calendar`, a parse of the stored object, which
/// it edits into the message (the caller's to free): what the text version
/// answers for the text `calendar` serialises to (issue 24: no parse).
std::string itip_message(icalcomponent* calendar, std::string_view method, std::string_view replying = {});

/// The object with SCHEDULE-STATUS set on the ATTENDEEs named in `statuses`
/// (address, status code such as "1.2"), in every component.
std::string with_schedule_status(std::string_view ics,
                                 const std::vector<std::pair<std::string, std::string>>& statuses);
/// with_schedule_status() made from `calendar`, which it edits.
std::string with_schedule_status(icalcomponent* calendar,
                                 const std::vector<std::pair<std::string, std::string>>& statuses);

/// The object with SCHEDULE-STATUS `status` on the ORGANIZER of every
/// component: in an attendee's copy, how their last reply fared (RFC 6638 §7.3).
std::string with_organizer_schedule_status(std::string_view ics, std::string_view status);
/// with_organizer_schedule_status() made from `calendar`, which it edits.
std::string with_organizer_schedule_status(icalcomponent* calendar, std::string_view status);

/// The object with ORGANIZER `organizer` (a calendar user address) and its
/// SENT-BY parameter `sent_by` (RFC 5545 §3.2.18; none when empty) in every
/// scheduled component; the CN is dropped when the address changes. Used
/// when a sharee or delegate schedules for a calendar's owner (issue 25 §6).
std::string with_organizer(std::string_view ics, std::string_view organizer, std::string_view sent_by);

/// The object with the PARTSTAT of `attendee` set to `partstat` in every component.
std::string with_partstat(std::string_view ics, std::string_view attendee, std::string_view partstat);
/// with_partstat() made from `calendar`, which it edits.
std::string with_partstat(icalcomponent* calendar, std::string_view attendee, std::string_view partstat);

/// Makes `comment` the only COMMENT of each VEVENT of `calendar` (not of
/// their VALARMs): an answer's words to the organizer (RFC 5546 §3.2.3).
/// Control characters other than line feeds are left out of it.
void set_comment(icalcomponent* calendar, std::string_view comment);
/// The object with set_comment() made.
std::string with_comment(std::string_view ics, std::string_view comment);

/// The object as an attendee's copy: no METHOD, no SCHEDULE-STATUS; with
/// `status` (e.g. "CANCELLED") set on every component when not empty.
std::string attendee_copy(std::string_view ics, std::string_view status = {});
/// attendee_copy() made from `calendar`, which it edits.
std::string attendee_copy(icalcomponent* calendar, std::string_view status = {});

}  // namespace ical
