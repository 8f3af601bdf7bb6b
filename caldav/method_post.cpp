// POST to a scheduling outbox (RFC 6638 §5): free/busy lookup of several
// calendar users at once, answered with a CALDAV:schedule-response. Only busy
// time leaves the server, never what the events are.
#include <cctype>

#include "caldav/availability.hpp"
#include "caldav/error.hpp"
#include "caldav/handlers.hpp"
#include "caldav/names.hpp"
#include "caldav/scheduling.hpp"
#include "caldav/sharing.hpp"
#include "caldav/webdav_push.hpp"
#include "caldav/xml/element.hpp"
#include "caldav/xml/multistatus.hpp"
#include "ical/freebusy.hpp"
#include "ical/scheduling.hpp"

namespace caldav {

namespace {

std::string response_element(std::string_view recipient, std::string_view status, std::string_view data = {}) {
    using names::caldav_ns;
    std::string inner = xml::element(caldav_ns, "recipient", xml::href(recipient)) +
                        xml::text_element(caldav_ns, "request-status", status);
    if (!data.empty()) inner += xml::text_element(caldav_ns, "calendar-data", data);
    return xml::element(caldav_ns, "response", inner);
}

}  // namespace

Response handle_post(Context& ctx) {
    auto& t = ctx.target;
    auto type = ctx.request.headers.get("Content-Type").value_or("");
    // Issue 25: sharing documents (XML) on calendars and homes (caldav/sharing.cpp);
    // iTIP goes to the outbox only.
    const bool itip = lower(type).rfind("text/calendar", 0) == 0;
    // draft-bitfire-webdav-push: a push-register body on a calendar (its
    // reader may watch it); every other XML body is a sharing request.
    if (!itip && t.bit() == k_calendar && xml::parse(ctx.request.body, ctx.limits).is(push_ns, "push-register"))
        return handle_push_register(ctx);
    if (!itip && (t.bit() == k_calendar || t.bit() == k_home || t.bit() == k_notifications))
        return handle_sharing_post(ctx);
    if (t.kind != ResourceKind::collection || !t.collection || t.collection->kind != CollectionKind::outbox)
        throw Error(405, "POST is offered on scheduling outboxes (iTIP) and on calendars and homes (sharing)");
    if (lower(type).rfind("text/calendar", 0) != 0)
        throw Error(403, Precondition::supported_calendar_data, "the outbox takes text/calendar iTIP messages");
    auto parsed = ical::parse_freebusy_request(ctx.request.body);
    if (!parsed.request)
        throw Error(403, Precondition::valid_scheduling_message, parsed.error ? parsed.error->message : "invalid");
    const auto& fb = *parsed.request;
    // RFC 6638 CALDAV:organizer-allowed: the ORGANIZER is the
    // outbox's owner. Who may post there is the privilege check's
    // (schedule-send-freebusy): the owner, and their write proxies (issue 25 §5),
    // who look busy time up for them.
    const auto& owner = *t.owner;
    if (!is_own_address(owner, fb.organizer))
        throw Error(403, Precondition::organizer_allowed, "ORGANIZER must be a calendar user address of the outbox's owner");
    if (fb.attendees.size() > ctx.limits.max_attendees_per_instance)
        throw Error(403, Precondition::max_attendees_per_instance, "too many attendees in one lookup");
    if (fb.end - fb.start > 366LL * 86400)
        throw Error(403, Precondition::valid_scheduling_message, "free/busy lookups span at most a year");

    std::string body;
    for (const auto& attendee : fb.attendees) {
        auto who = principal_of(ctx.store, attendee);
        if (!who) {
            body += response_element(attendee, "3.7;Invalid calendar user");
            continue;
        }
        // Issue 25 §9: the organisation rule decides whose busy time the
        // owner (for whom a delegate may ask) sees.
        if (!holds(free_busy_privileges(owner, *who, ctx.limits.free_busy_rule), Privileges::read_free_busy)) {
            body += response_element(attendee, "3.8;No authority");
            continue;
        }
        auto busy = busy_time(ctx.store, ctx.limits, *who, fb.start, fb.end);
        auto reply = ical::as_reply(ical::render_freebusy(std::move(busy), fb.start, fb.end, fb.organizer, attendee, fb.uid));
        body += response_element(attendee, "2.0;Success", reply);
    }
    Response r;
    r.status = 200;
    r.headers.set("Content-Type", "application/xml; charset=utf-8");
    r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<C:schedule-response xmlns:D=\"DAV:\" "
             "xmlns:C=\"urn:ietf:params:xml:ns:caldav\">" + body + "</C:schedule-response>";
    return r;
}

}  // namespace caldav
