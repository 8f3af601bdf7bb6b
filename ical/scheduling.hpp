// iTIP messages the server reads (RFC 5546): for now the VFREEBUSY REQUEST a
// client POSTs to its outbox to look up attendees' busy time (RFC 6638 §5).
#pragma once
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

}  // namespace ical
