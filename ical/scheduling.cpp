// Parsing of iTIP VFREEBUSY requests (RFC 5546 §3.3.2) on libical.
#include "ical/scheduling.hpp"

#include <libical/ical.h>

#include "ical/calendar_data.hpp"
#include "ical/zone_resolver.hpp"

namespace ical {

namespace {

FreeBusyRequestResult failure(std::string message) { return {std::nullopt, Error{std::move(message), 0}}; }

}  // namespace

FreeBusyRequestResult parse_freebusy_request(std::string_view ics) {
    auto parsed = parse_calendar(ics);
    if (parsed.error) return {std::nullopt, parsed.error};
    icalcomponent* cal = parsed.calendar.get();
    icalproperty* method = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY);
    if (!method || icalproperty_get_method(method) != ICAL_METHOD_REQUEST)
        return failure("a free/busy lookup is an iTIP message with METHOD:REQUEST");
    icalcomponent* fb = icalcomponent_get_first_component(cal, ICAL_VFREEBUSY_COMPONENT);
    if (!fb || icalcomponent_get_next_component(cal, ICAL_VFREEBUSY_COMPONENT))
        return failure("a free/busy lookup holds exactly one VFREEBUSY");
    FreeBusyRequest r;
    if (icalproperty* uid = icalcomponent_get_first_property(fb, ICAL_UID_PROPERTY)) r.uid = icalproperty_get_uid(uid);
    icalproperty* organizer = icalcomponent_get_first_property(fb, ICAL_ORGANIZER_PROPERTY);
    if (!organizer || !icalproperty_get_organizer(organizer)) return failure("the VFREEBUSY needs an ORGANIZER");
    r.organizer = icalproperty_get_organizer(organizer);
    for (icalproperty* a = icalcomponent_get_first_property(fb, ICAL_ATTENDEE_PROPERTY); a;
         a = icalcomponent_get_next_property(fb, ICAL_ATTENDEE_PROPERTY))
        if (const char* v = icalproperty_get_attendee(a)) r.attendees.emplace_back(v);
    if (r.attendees.empty()) return failure("the VFREEBUSY needs at least one ATTENDEE");
    icalproperty* dtstart = icalcomponent_get_first_property(fb, ICAL_DTSTART_PROPERTY);
    icalproperty* dtend = icalcomponent_get_first_property(fb, ICAL_DTEND_PROPERTY);
    if (!dtstart || !dtend) return failure("the VFREEBUSY needs DTSTART and DTEND");
    bool unknown = false, floating = false;
    r.start = to_utc(icalproperty_get_dtstart(dtstart), zone_of(cal, dtstart, unknown), floating);
    r.end = to_utc(icalproperty_get_dtend(dtend), zone_of(cal, dtend, unknown), floating);
    if (unknown) return failure("the VFREEBUSY names an unknown time zone");
    if (r.end <= r.start) return failure("the VFREEBUSY must end after it starts");
    return {std::move(r), std::nullopt};
}

std::string as_reply(std::string vfreebusy) {
    const std::string begin = "BEGIN:VCALENDAR\r\n";
    if (vfreebusy.rfind(begin, 0) == 0) vfreebusy.insert(begin.size(), "METHOD:REPLY\r\n");
    return vfreebusy;
}

}  // namespace ical
