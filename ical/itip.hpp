// Reading iTIP messages (RFC 5546) that travel by email (iMIP, RFC 6047): a
// readable account for the text part of an invitation, and a REPLY applied to
// the organizer's copy.
#pragma once
#include <libical/ical.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ical {

/// One ATTENDEE as an email shows it.
struct ItipParty {
    std::string address;   ///< as written, e.g. "mailto:bob@example.com"
    std::string name;      ///< CN, or empty
    std::string partstat;  ///< upper case, NEEDS-ACTION when absent
};

/// What an iTIP message says, read from its first scheduled component
/// (VEVENT, VTODO or VJOURNAL; the master when there is one).
struct ItipSummary {
    std::string method;     ///< METHOD, upper case; empty when absent
    std::string component;  ///< VEVENT, VTODO or VJOURNAL
    std::string uid;
    std::string summary;
    std::string location;
    std::string when;  ///< e.g. "2026-12-01 10:00-11:00 (Europe/Berlin)"; empty when undated
    bool recurring = false;
    ItipParty organizer;
    std::vector<ItipParty> attendees;  ///< of the component read, in order
    std::optional<int> sequence;       ///< SEQUENCE, when present
};

/// The summary of an iTIP message or calendar object, or nullopt when `ics`
/// does not parse or holds no scheduled component. Never throws.
std::optional<ItipSummary> itip_summary(std::string_view ics);

/// The largest number of ATTENDEE properties in one scheduled component
/// (an instance, RFC 4791 §5.2.9); 0 when `ics` does not parse.
std::size_t max_attendees_per_component(std::string_view ics);
/// max_attendees_per_component() of an already parsed VCALENDAR.
std::size_t max_attendees_per_component(icalcomponent* calendar);

/// True when two versions of a scheduling object tell attendees the same:
/// equal once DTSTAMP, LAST-MODIFIED, CREATED, VALARMs and the PARTSTAT and
/// SCHEDULE-STATUS parameters are set aside (a client saving the organizer's
/// copy again, or an answer recorded on it, is no news for the others).
/// False when either does not parse.
bool same_for_attendees(std::string_view a, std::string_view b);
/// same_for_attendees() of two parses, which it edits (each the caller's
/// to free); false when either is null.
bool same_for_attendees(icalcomponent* a, icalcomponent* b);

/// What applying a REPLY to the organizer's copy did.
struct ReplyApplication {
    std::string data;      ///< the organizer's copy with the new PARTSTAT
    std::string attendee;  ///< the replying address as the organizer's copy writes it
    std::string partstat;  ///< the PARTSTAT now recorded
    bool invited = false;  ///< the replying ATTENDEE is in the organizer's copy
    bool stale = false;    ///< the reply answers an older SEQUENCE (nothing applied)
    bool changed = false;  ///< `data` differs from the copy
};

/// Applies a REPLY (RFC 5546 §3.2.3) to the organizer's copy: the PARTSTAT of
/// the reply's ATTENDEE, matched by address without case (Outlook changes the
/// case and CN), goes to the component with the same RECURRENCE-ID, or to
/// every component when the reply names none, with SCHEDULE-STATUS set to
/// the reply's REQUEST-STATUS codes or 2.0 (RFC 6638 §4.2). A reply without SEQUENCE
/// (Outlook omits it) answers the current one. nullopt when either text does
/// not parse or the reply has no ATTENDEE. Never throws.
std::optional<ReplyApplication> apply_reply(std::string_view organizer_copy,
                                            std::string_view reply);
/// apply_reply() on parses: `copy` (a parse of the text `organizer_copy`,
/// edited into the answer; the caller's to free) and `reply` (only read).
/// nullopt when either is null or the reply has no ATTENDEE.
std::optional<ReplyApplication> apply_reply(icalcomponent* copy, std::string_view organizer_copy,
                                            icalcomponent* reply);

}  // namespace ical
