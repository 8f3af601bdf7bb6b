// Parsing of iTIP VFREEBUSY requests (RFC 5546 §3.3.2) on libical.
#include "ical/scheduling.hpp"

#include <libical/ical.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "ical/calendar_data.hpp"
#include "ical/content_check.hpp"
#include "ical/libical_text.hpp"
#include "ical/zone_resolver.hpp"

namespace ical {

namespace {

FreeBusyRequestResult failure(std::string message) { return {std::nullopt, Error{std::move(message), 0}}; }

}  // namespace

FreeBusyRequestResult parse_freebusy_request(std::string_view ics) {
    if (auto bad = check_characters(ics)) return {std::nullopt, bad};  // answers echo its values in XML
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
    if (icalproperty* uid = icalcomponent_get_first_property(fb, ICAL_UID_PROPERTY)) r.uid = text_or(icalproperty_get_uid(uid));
    icalproperty* organizer = icalcomponent_get_first_property(fb, ICAL_ORGANIZER_PROPERTY);
    r.organizer = organizer ? text_or(icalproperty_get_organizer(organizer)) : std::string();
    if (r.organizer.empty()) return failure("the VFREEBUSY needs an ORGANIZER");
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

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

/// The scheduled components (VEVENT, VTODO, ...) of a calendar.
std::vector<icalcomponent*> scheduled(icalcomponent* cal) {
    std::vector<icalcomponent*> out;
    for (icalcomponent* c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
        auto k = icalcomponent_isa(c);
        if (k == ICAL_VEVENT_COMPONENT || k == ICAL_VTODO_COMPONENT || k == ICAL_VJOURNAL_COMPONENT) out.push_back(c);
    }
    return out;
}

std::string text_of(icalcomponent* cal) {
    char* text = icalcomponent_as_ical_string(cal);  // owned by libical's ring buffer
    return text ? std::string(text) : std::string();
}

void remove_parameter(icalproperty* p, icalparameter_kind kind) {
    while (icalparameter* param = icalproperty_get_first_parameter(p, kind)) {
        icalproperty_remove_parameter_by_ref(p, param);
    }
}

template <class Edit>
std::string edited(std::string_view ics, Edit&& edit) {
    auto parsed = parse_calendar(ics);
    if (parsed.error) return std::string(ics);
    edit(parsed.calendar.get());
    return text_of(parsed.calendar.get());
}

/// RFC 6638 §7.1: false with SCHEDULE-AGENT=CLIENT or NONE. libical 3.0 has
/// no enumerator for the value NONE (its ICAL_SCHEDULEAGENT_NONE means "no
/// value"): NONE arrives as an X- value.
bool server_schedules(icalproperty* p) {
    icalparameter* agent = icalproperty_get_first_parameter(p, ICAL_SCHEDULEAGENT_PARAMETER);
    if (!agent) return true;
    auto k = icalparameter_get_scheduleagent(agent);
    if (k == ICAL_SCHEDULEAGENT_CLIENT || k == ICAL_SCHEDULEAGENT_NONE) return false;
    const char* x = k == ICAL_SCHEDULEAGENT_X ? icalparameter_get_xvalue(agent) : nullptr;
    return !(x && lower(x) == "none");
}

}  // namespace

bool same_address(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

namespace {

/// The last few texts scheduling_info() read on this thread, with their
/// answers: one write asks it about the same copy several times (an RSVP
/// read each copy two or three times, issue 24). Texts past `memo_bytes`
/// are not kept, so a thread holds at most memo_slots × memo_bytes.
struct InfoMemo {
    static constexpr std::size_t memo_slots = 4;
    static constexpr std::size_t memo_bytes = 64 * 1024;
    std::array<std::pair<std::string, std::optional<SchedulingInfo>>, memo_slots> slots;
    std::size_t next = 0;
};

std::optional<SchedulingInfo> scheduling_info_parsed(std::string_view ics) {
    auto parsed = parse_calendar(ics);
    if (parsed.error) return std::nullopt;
    return scheduling_info(parsed.calendar.get());
}

}  // namespace

std::optional<SchedulingInfo> scheduling_info(std::string_view ics) {
    if (ics.size() > InfoMemo::memo_bytes || ics.empty()) return scheduling_info_parsed(ics);
    thread_local InfoMemo memo;
    for (const auto& [text, info] : memo.slots)
        if (text == ics) return info;
    auto info = scheduling_info_parsed(ics);
    memo.slots[memo.next] = {std::string(ics), info};
    memo.next = (memo.next + 1) % InfoMemo::memo_slots;
    return info;
}

bool cancelled(std::string_view ics) {
    auto parsed = parse_calendar(ics);
    if (parsed.error) return false;
    auto components = scheduled(parsed.calendar.get());
    return !components.empty() && std::all_of(components.begin(), components.end(), [](icalcomponent* c) {
        icalproperty* status = icalcomponent_get_first_property(c, ICAL_STATUS_PROPERTY);
        return status && icalproperty_get_status(status) == ICAL_STATUS_CANCELLED;
    });
}

std::optional<SchedulingInfo> scheduling_info(icalcomponent* calendar) {
    SchedulingInfo info;
    for (icalcomponent* c : scheduled(calendar)) {
        if (info.uid.empty() && icalcomponent_get_uid(c)) info.uid = icalcomponent_get_uid(c);
        if (icalproperty* o = icalcomponent_get_first_property(c, ICAL_ORGANIZER_PROPERTY); o && info.organizer.empty())
            if (const char* v = icalproperty_get_organizer(o)) {
                info.organizer = v;
                info.organizer_server_schedules = server_schedules(o);
                if (icalparameter* force = icalproperty_get_first_parameter(o, ICAL_SCHEDULEFORCESEND_PARAMETER))
                    info.organizer_force_send =
                        icalparameter_get_scheduleforcesend(force) == ICAL_SCHEDULEFORCESEND_REPLY;
            }
        for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
             a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
            const char* v = icalproperty_get_attendee(a);
            if (!v) continue;
            bool known = false;
            for (const auto& x : info.attendees) known = known || same_address(x.address, v);
            if (known) continue;
            Attendee at;
            at.address = v;
            at.partstat = partstat_text(a);  // x-name and iana-token values kept (issue 22)
            at.server_schedules = server_schedules(a);
            if (icalparameter* st = icalproperty_get_first_parameter(a, ICAL_SCHEDULESTATUS_PARAMETER))
                if (const char* v = icalparameter_get_schedulestatus(st)) at.schedule_status = v;
            if (icalparameter* force = icalproperty_get_first_parameter(a, ICAL_SCHEDULEFORCESEND_PARAMETER))
                at.force_send = icalparameter_get_scheduleforcesend(force) == ICAL_SCHEDULEFORCESEND_REQUEST;
            info.attendees.push_back(std::move(at));
        }
    }
    if (info.organizer.empty() || info.attendees.empty()) return std::nullopt;
    return info;
}

namespace {

/// RFC 5545 §3.6.1 requires DTSTAMP in every VEVENT, VTODO and VJOURNAL, and
/// RFC 5546 §3.2 in every iTIP message: one that a client left out is the
/// time the message is made (issue 22 §14).
void ensure_dtstamp(icalcomponent* c) {
    if (icalcomponent_get_first_property(c, ICAL_DTSTAMP_PROPERTY)) return;
    icalcomponent_add_property(
        c, icalproperty_new_dtstamp(icaltime_current_time_with_zone(icaltimezone_get_utc_timezone())));
}

void make_itip_message(icalcomponent* cal, std::string_view method, std::string_view replying) {
    while (icalproperty* m = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY))
        icalcomponent_remove_property(cal, m), icalproperty_free(m);
    icalcomponent_add_property(cal, icalproperty_new_method(icalenum_string_to_method(std::string(method).c_str())));
    for (icalcomponent* c : scheduled(cal)) {
        ensure_dtstamp(c);
        while (icalcomponent* alarm = icalcomponent_get_first_component(c, ICAL_VALARM_COMPONENT))
            icalcomponent_remove_component(c, alarm), icalcomponent_free(alarm);
        if (method == "CANCEL") {
            if (icalproperty* st = icalcomponent_get_first_property(c, ICAL_STATUS_PROPERTY))
                icalcomponent_remove_property(c, st), icalproperty_free(st);
            icalcomponent_add_property(c, icalproperty_new_status(ICAL_STATUS_CANCELLED));
            // The server cancels on the organizer's behalf (a DELETE, an
            // attendee dropped): a SEQUENCE above the last REQUEST's, or
            // Outlook, Apple Calendar and Thunderbird take the CANCEL for
            // a stale message and keep the event (RFC 5546 §2.1.4, §3.2.5).
            icalcomponent_set_sequence(c, icalcomponent_get_sequence(c) + 1);
        }
        std::vector<icalproperty*> drop;
        for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
             a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
            remove_parameter(a, ICAL_SCHEDULESTATUS_PARAMETER);
            const char* v = icalproperty_get_attendee(a);
            if (!replying.empty() && (!v || !same_address(v, replying))) drop.push_back(a);
        }
        for (auto* a : drop) icalcomponent_remove_property(c, a), icalproperty_free(a);
    }
}

void set_schedule_status(icalcomponent* cal, const std::vector<std::pair<std::string, std::string>>& statuses) {
    for (icalcomponent* c : scheduled(cal))
        for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
             a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
            const char* v = icalproperty_get_attendee(a);
            if (!v) continue;
            for (const auto& [address, status] : statuses) {
                if (!same_address(address, v)) continue;
                remove_parameter(a, ICAL_SCHEDULESTATUS_PARAMETER);
                icalproperty_add_parameter(a, icalparameter_new_schedulestatus(status.c_str()));
            }
        }
}

void set_organizer_schedule_status(icalcomponent* cal, std::string_view status) {
    for (icalcomponent* c : scheduled(cal))
        if (icalproperty* o = icalcomponent_get_first_property(c, ICAL_ORGANIZER_PROPERTY)) {
            remove_parameter(o, ICAL_SCHEDULESTATUS_PARAMETER);
            icalproperty_add_parameter(o, icalparameter_new_schedulestatus(std::string(status).c_str()));
        }
}

void set_partstat(icalcomponent* cal, std::string_view attendee, std::string_view partstat) {
    for (icalcomponent* c : scheduled(cal))
        for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
             a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
            const char* v = icalproperty_get_attendee(a);
            if (!v || !same_address(v, attendee)) continue;
            remove_parameter(a, ICAL_PARTSTAT_PARAMETER);
            icalproperty_add_parameter(a, new_partstat(partstat));
        }
}

void make_attendee_copy(icalcomponent* cal, std::string_view status) {
    while (icalproperty* m = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY))
        icalcomponent_remove_property(cal, m), icalproperty_free(m);
    for (icalcomponent* c : scheduled(cal)) {
        for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
             a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY))
            remove_parameter(a, ICAL_SCHEDULESTATUS_PARAMETER);
        if (!status.empty()) {
            if (icalproperty* st = icalcomponent_get_first_property(c, ICAL_STATUS_PROPERTY))
                icalcomponent_remove_property(c, st), icalproperty_free(st);
            icalcomponent_add_property(c, icalproperty_new_status(icalenum_string_to_status(std::string(status).c_str())));
        }
    }
}

}  // namespace

std::string itip_message(std::string_view ics, std::string_view method, std::string_view replying) {
    return edited(ics, [&](icalcomponent* cal) { make_itip_message(cal, method, replying); });
}

std::string itip_message(icalcomponent* calendar, std::string_view method, std::string_view replying) {
    make_itip_message(calendar, method, replying);
    return text_of(calendar);
}

std::string with_schedule_status(std::string_view ics,
                                 const std::vector<std::pair<std::string, std::string>>& statuses) {
    return edited(ics, [&](icalcomponent* cal) { set_schedule_status(cal, statuses); });
}

std::string with_schedule_status(icalcomponent* calendar,
                                 const std::vector<std::pair<std::string, std::string>>& statuses) {
    set_schedule_status(calendar, statuses);
    return text_of(calendar);
}

std::string with_organizer_schedule_status(std::string_view ics, std::string_view status) {
    return edited(ics, [&](icalcomponent* cal) { set_organizer_schedule_status(cal, status); });
}

std::string with_organizer_schedule_status(icalcomponent* calendar, std::string_view status) {
    set_organizer_schedule_status(calendar, status);
    return text_of(calendar);
}

std::string with_organizer(std::string_view ics, std::string_view organizer, std::string_view sent_by) {
    return edited(ics, [&](icalcomponent* cal) {
        for (icalcomponent* c : scheduled(cal)) {
            icalproperty* o = icalcomponent_get_first_property(c, ICAL_ORGANIZER_PROPERTY);
            if (!o) continue;
            const char* was = icalproperty_get_organizer(o);
            if (!was || !same_address(was, organizer)) {
                remove_parameter(o, ICAL_CN_PARAMETER);
                icalproperty_set_organizer(o, std::string(organizer).c_str());
            }
            remove_parameter(o, ICAL_SENTBY_PARAMETER);
            if (!sent_by.empty()) icalproperty_add_parameter(o, icalparameter_new_sentby(std::string(sent_by).c_str()));
        }
    });
}

std::string with_partstat(std::string_view ics, std::string_view attendee, std::string_view partstat) {
    return edited(ics, [&](icalcomponent* cal) { set_partstat(cal, attendee, partstat); });
}

std::string with_partstat(icalcomponent* calendar, std::string_view attendee, std::string_view partstat) {
    set_partstat(calendar, attendee, partstat);
    return text_of(calendar);
}

void set_comment(icalcomponent* calendar, std::string_view comment) {
    std::string words;
    for (char c : comment)
        if (c == '\n' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F)) words += c;
    for (icalcomponent* c = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT); c;
         c = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT)) {
        while (icalproperty* old = icalcomponent_get_first_property(c, ICAL_COMMENT_PROPERTY))
            icalcomponent_remove_property(c, old), icalproperty_free(old);
        icalcomponent_add_property(c, icalproperty_new_comment(words.c_str()));
    }
}

std::string with_comment(std::string_view ics, std::string_view comment) {
    return edited(ics, [&](icalcomponent* cal) { set_comment(cal, comment); });
}

std::string attendee_copy(std::string_view ics, std::string_view status) {
    return edited(ics, [&](icalcomponent* cal) { make_attendee_copy(cal, status); });
}

std::string attendee_copy(icalcomponent* calendar, std::string_view status) {
    make_attendee_copy(calendar, status);
    return text_of(calendar);
}


std::string as_reply(std::string vfreebusy) {
    const std::string begin = "BEGIN:VCALENDAR\r\n";
    if (vfreebusy.rfind(begin, 0) == 0) vfreebusy.insert(begin.size(), "METHOD:REPLY\r\n");
    return vfreebusy;
}

}  // namespace ical
