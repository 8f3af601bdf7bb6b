// Reading iTIP messages for iMIP (RFC 5546, RFC 6047) on libical.
#include "ical/itip.hpp"

#include <libical/ical.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "ical/calendar_data.hpp"
#include "ical/libical_text.hpp"
#include "ical/scheduled_components.hpp"
#include "ical/scheduling.hpp"
#include "ical/zone_resolver.hpp"

namespace ical {

namespace {

std::string parameter_text(icalproperty* p, icalparameter_kind kind) {
    icalparameter* param = icalproperty_get_first_parameter(p, kind);
    if (!param) return {};
    if (kind == ICAL_CN_PARAMETER) {
        const char* cn = icalparameter_get_cn(param);
        return cn ? cn : "";
    }
    if (kind == ICAL_TZID_PARAMETER) {
        const char* tzid = icalparameter_get_tzid(param);
        return tzid ? tzid : "";
    }
    return {};
}

std::string partstat_of(icalproperty* attendee) { return partstat_text(attendee); }

std::string two(int v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", v);
    return buf;
}

std::string date_text(const icaltimetype& t) {
    return std::to_string(t.year) + "-" + two(t.month) + "-" + two(t.day);
}

std::string clock_text(const icaltimetype& t) { return two(t.hour) + ":" + two(t.minute); }

/// "2026-12-01 10:00-11:00 (Europe/Berlin)", "2026-12-01 (all day)", ...: the
/// times as written, in the event's own zone.
std::string when_text(icalcomponent* c) {
    icalproperty* start = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    if (!start) return {};
    icaltimetype s = icalproperty_get_dtstart(start);
    if (icaltime_is_null_time(s)) return {};
    icaltimetype e = icaltime_null_time();
    if (icalproperty* end = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY)) {
        e = icalproperty_get_dtend(end);
    } else if (icalproperty* due = icalcomponent_get_first_property(c, ICAL_DUE_PROPERTY)) {
        e = icalproperty_get_due(due);
    } else if (icalproperty* d = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY)) {
        e = icaltime_add(s, icalproperty_get_duration(d));
    }
    if (s.is_date) {
        std::string out = date_text(s);
        if (!icaltime_is_null_time(e) && e.is_date) {
            icaltimetype last = icaltime_add(e, icaldurationtype_from_int(-24 * 3600));
            if (icaltime_compare_date_only(last, s) > 0) out += " to " + date_text(last);
        }
        return out + " (all day)";
    }
    std::string out = date_text(s) + " " + clock_text(s);
    if (!icaltime_is_null_time(e) && !e.is_date) {
        bool same_day = e.year == s.year && e.month == s.month && e.day == s.day;
        out += same_day ? "-" + clock_text(e) : " to " + date_text(e) + " " + clock_text(e);
    }
    std::string tzid = parameter_text(start, ICAL_TZID_PARAMETER);
    if (!tzid.empty()) return out + " (" + tzid + ")";
    return out + (icaltime_is_utc(s) ? " UTC" : " (local time)");
}

/// The RECURRENCE-ID of a component in UTC seconds, or nullopt for a master.
std::optional<std::int64_t> recurrence_id(icalcomponent* cal, icalcomponent* c) {
    icalproperty* p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
    if (!p) return std::nullopt;
    bool unknown = false, floating = false;
    return to_utc(icalproperty_get_recurrenceid(p), zone_of(cal, p, unknown), floating);
}

int sequence_of(icalcomponent* c) {
    icalproperty* p = icalcomponent_get_first_property(c, ICAL_SEQUENCE_PROPERTY);
    return p ? icalproperty_get_sequence(p) : 0;
}

std::string text_of(icalcomponent* cal) {
    char* text = icalcomponent_as_ical_string(cal);  // owned by libical's ring buffer
    return text ? std::string(text) : std::string();
}

/// The ATTENDEE of `c` with `address`, or null.
icalproperty* attendee_of(icalcomponent* c, const char* address) {
    for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
         a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
        const char* v = icalproperty_get_attendee(a);
        if (v && same_address(v, address)) return a;
    }
    return nullptr;
}

/// RFC 6638 §4.2: what a reply's component says about its delivery, for the
/// organizer's SCHEDULE-STATUS: the codes of its REQUEST-STATUS properties
/// (comma-separated), or "2.0" (success) when it has none.
std::string reply_status(icalcomponent* c) {
    std::string out;
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_REQUESTSTATUS_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_REQUESTSTATUS_PROPERTY)) {
        const char* text = icalproperty_get_value_as_string(p);
        if (!text) continue;
        std::string code(text);
        code = code.substr(0, code.find(';'));
        // A status code is digits and dots (RFC 5545 §3.8.8.3); anything else is dropped.
        if (code.empty() || code.find_first_not_of("0123456789.") != std::string::npos) continue;
        out += (out.empty() ? "" : ",") + code;
    }
    return out.empty() ? "2.0" : out;
}

/// Sets SCHEDULE-STATUS of `attendee` to `status`; true when that changed it.
bool set_schedule_status(icalproperty* attendee, const std::string& status) {
    icalparameter* have = icalproperty_get_first_parameter(attendee, ICAL_SCHEDULESTATUS_PARAMETER);
    const char* text = have ? icalparameter_get_schedulestatus(have) : nullptr;
    if (text && status == text) return false;
    while (icalparameter* p =
               icalproperty_get_first_parameter(attendee, ICAL_SCHEDULESTATUS_PARAMETER))
        icalproperty_remove_parameter_by_ref(attendee, p);
    icalproperty_add_parameter(attendee, icalparameter_new_schedulestatus(status.c_str()));
    return true;
}

/// RFC 6638 §4.2: an answer for one instance of a series the organizer's copy
/// holds no override for gets one, made from the master: the instance starts
/// at the reply's RECURRENCE-ID (in its zone) and lasts as long as the master.
/// Whether the series has that instance is not checked.
icalcomponent* add_override(icalcomponent* cal, icalcomponent* master, icalproperty* rid) {
    icalcomponent* o = icalcomponent_new_clone(master);
    for (auto kind : {ICAL_RRULE_PROPERTY, ICAL_RDATE_PROPERTY, ICAL_EXDATE_PROPERTY,
                      ICAL_RECURRENCEID_PROPERTY, ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY})
        while (icalproperty* p = icalcomponent_get_first_property(o, kind)) {
            icalcomponent_remove_property(o, p);
            icalproperty_free(p);
        }
    icaltimetype at = icalproperty_get_recurrenceid(rid);
    icalproperty* dtstart = icalproperty_new_dtstart(at);
    for (icalparameter* p = icalproperty_get_first_parameter(rid, ICAL_TZID_PARAMETER); p;
         p = icalproperty_get_next_parameter(rid, ICAL_TZID_PARAMETER))
        icalproperty_add_parameter(dtstart, icalparameter_new_clone(p));
    icalcomponent_add_property(o, icalproperty_new_clone(rid));
    icalcomponent_add_property(o, dtstart);
    icalproperty* mstart = icalcomponent_get_first_property(master, ICAL_DTSTART_PROPERTY);
    icalproperty* mend = icalcomponent_get_first_property(master, ICAL_DTEND_PROPERTY);
    if (mstart && mend) {
        auto length =
            icaltime_subtract(icalproperty_get_dtend(mend), icalproperty_get_dtstart(mstart));
        icalproperty* dtend = icalproperty_new_dtend(icaltime_add(at, length));
        for (icalparameter* p = icalproperty_get_first_parameter(rid, ICAL_TZID_PARAMETER); p;
             p = icalproperty_get_next_parameter(rid, ICAL_TZID_PARAMETER))
            icalproperty_add_parameter(dtend, icalparameter_new_clone(p));
        icalcomponent_add_property(o, dtend);
    }
    icalcomponent_add_component(cal, o);
    return o;
}

}  // namespace

std::optional<ItipSummary> itip_summary(std::string_view ics) {
    auto parsed = parse_calendar(ics);
    if (parsed.error) return std::nullopt;
    icalcomponent* cal = parsed.calendar.get();
    auto components = detail::scheduled_components(cal);
    if (components.empty()) return std::nullopt;
    icalcomponent* c = components.front();
    for (icalcomponent* x : components)
        if (!icalcomponent_get_first_property(x, ICAL_RECURRENCEID_PROPERTY)) {
            c = x;
            break;
        }
    ItipSummary s;
    if (icalproperty* m = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY))
        if (const char* text = icalenum_method_to_string(icalproperty_get_method(m)))
            s.method = text;
    s.component = component_name(icalcomponent_isa(c));
    if (const char* v = icalcomponent_get_uid(c)) s.uid = v;
    if (icalproperty* p = icalcomponent_get_first_property(c, ICAL_SUMMARY_PROPERTY))
        if (const char* v = icalproperty_get_summary(p)) s.summary = v;
    if (icalproperty* p = icalcomponent_get_first_property(c, ICAL_LOCATION_PROPERTY))
        if (const char* v = icalproperty_get_location(p)) s.location = v;
    s.when = when_text(c);
    s.recurring = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY) ||
                  icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY);
    if (icalproperty* o = icalcomponent_get_first_property(c, ICAL_ORGANIZER_PROPERTY)) {
        if (const char* v = icalproperty_get_organizer(o)) s.organizer.address = v;
        s.organizer.name = parameter_text(o, ICAL_CN_PARAMETER);
    }
    for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
         a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
        const char* v = icalproperty_get_attendee(a);
        if (!v) continue;
        s.attendees.push_back({v, parameter_text(a, ICAL_CN_PARAMETER), partstat_of(a)});
    }
    if (icalcomponent_get_first_property(c, ICAL_SEQUENCE_PROPERTY)) s.sequence = sequence_of(c);
    return s;
}

std::size_t max_attendees_per_component(std::string_view ics) {
    auto parsed = parse_calendar(ics);
    if (parsed.error) return 0;
    return max_attendees_per_component(parsed.calendar.get());
}

std::size_t max_attendees_per_component(icalcomponent* calendar) {
    std::size_t most = 0;
    for (icalcomponent* c : detail::scheduled_components(calendar))
        most = std::max(most, static_cast<std::size_t>(
                                  icalcomponent_count_properties(c, ICAL_ATTENDEE_PROPERTY)));
    return most;
}

namespace {

/// The text of a calendar without what same_for_attendees sets aside; edits `calendar`.
std::string attendee_view(icalcomponent* calendar) {
    for (icalcomponent* c : detail::scheduled_components(calendar)) {
        while (icalcomponent* alarm = icalcomponent_get_first_component(c, ICAL_VALARM_COMPONENT)) {
            icalcomponent_remove_component(c, alarm);
            icalcomponent_free(alarm);
        }
        for (auto kind : {ICAL_DTSTAMP_PROPERTY, ICAL_LASTMODIFIED_PROPERTY, ICAL_CREATED_PROPERTY})
            while (icalproperty* p = icalcomponent_get_first_property(c, kind)) {
                icalcomponent_remove_property(c, p);
                icalproperty_free(p);
            }
        for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
             a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY))
            for (auto kind : {ICAL_PARTSTAT_PARAMETER, ICAL_SCHEDULESTATUS_PARAMETER})
                while (icalparameter* p = icalproperty_get_first_parameter(a, kind))
                    icalproperty_remove_parameter_by_ref(a, p);
        // An attendee's copy records how their reply fared on the ORGANIZER
        // (RFC 6638 §7.3): bookkeeping of theirs, not the organizer's event.
        if (icalproperty* o = icalcomponent_get_first_property(c, ICAL_ORGANIZER_PROPERTY))
            while (icalparameter* p = icalproperty_get_first_parameter(o, ICAL_SCHEDULESTATUS_PARAMETER))
                icalproperty_remove_parameter_by_ref(o, p);
    }
    return text_of(calendar);
}

std::optional<std::string> attendee_view(std::string_view ics) {
    auto parsed = parse_calendar(ics);
    if (parsed.error) return std::nullopt;
    return attendee_view(parsed.calendar.get());
}

}  // namespace

bool same_for_attendees(std::string_view a, std::string_view b) {
    auto x = attendee_view(a);
    auto y = attendee_view(b);
    return x && y && *x == *y;
}

bool same_for_attendees(icalcomponent* a, icalcomponent* b) {
    return a && b && attendee_view(a) == attendee_view(b);
}

std::optional<ReplyApplication> apply_reply(std::string_view organizer_copy,
                                            std::string_view reply) {
    auto copy = parse_calendar(organizer_copy);
    auto answer = parse_calendar(reply);
    if (copy.error || answer.error) return std::nullopt;
    return apply_reply(copy.calendar.get(), organizer_copy, answer.calendar.get());
}

std::optional<ReplyApplication> apply_reply(icalcomponent* copy_cal, std::string_view organizer_copy,
                                            icalcomponent* reply_cal) {
    if (!copy_cal || !reply_cal) return std::nullopt;
    auto copy_components = detail::scheduled_components(copy_cal);
    int current_sequence = 0;
    for (icalcomponent* c : copy_components)
        if (!icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
            current_sequence = sequence_of(c);

    ReplyApplication out;
    bool any_attendee = false;
    for (icalcomponent* r : detail::scheduled_components(reply_cal)) {
        icalproperty* replying = icalcomponent_get_first_property(r, ICAL_ATTENDEE_PROPERTY);
        const char* address = replying ? icalproperty_get_attendee(replying) : nullptr;
        if (!address) continue;
        any_attendee = true;
        // RFC 5546 §2.1.5: a reply to an older revision is out of date.
        if (icalcomponent_get_first_property(r, ICAL_SEQUENCE_PROPERTY) &&
            sequence_of(r) < current_sequence) {
            out.stale = true;
            continue;
        }
        auto partstat = partstat_of(replying);
        // Only the PARTSTAT values RFC 5545 §3.2.12 defines; others (X-) change nothing.
        icalparameter* given = icalproperty_get_first_parameter(replying, ICAL_PARTSTAT_PARAMETER);
        auto kind = given ? icalparameter_get_partstat(given) : ICAL_PARTSTAT_NEEDSACTION;
        bool known = kind > ICAL_PARTSTAT_X && kind < ICAL_PARTSTAT_NONE;
        auto rid = recurrence_id(reply_cal, r);
        auto status = reply_status(r);
        if (rid && known) {
            icalcomponent* master = nullptr;
            bool have = false;
            for (icalcomponent* c : copy_components) {
                auto own = recurrence_id(copy_cal, c);
                have = have || own == rid;
                if (!own) master = c;
            }
            icalproperty* in_master = master ? attendee_of(master, address) : nullptr;
            if (!have && in_master && partstat_of(in_master) != partstat_of(replying))
                copy_components.push_back(
                    add_override(copy_cal, master,
                                 icalcomponent_get_first_property(r, ICAL_RECURRENCEID_PROPERTY)));
        }
        for (icalcomponent* c : copy_components) {
            bool applies = known && (!rid || recurrence_id(copy_cal, c) == rid);
            for (icalproperty* a = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY); a;
                 a = icalcomponent_get_next_property(c, ICAL_ATTENDEE_PROPERTY)) {
                const char* v = icalproperty_get_attendee(a);
                if (!v || !same_address(v, address)) continue;
                // Invited anywhere in the series: a reply for an instance the
                // copy has no override for is understood but changes nothing.
                out.invited = true;
                out.attendee = v;
                if (!applies) continue;
                out.partstat = partstat;
                out.changed = set_schedule_status(a, status) || out.changed;
                if (partstat_of(a) == partstat) continue;
                while (icalparameter* p =
                           icalproperty_get_first_parameter(a, ICAL_PARTSTAT_PARAMETER))
                    icalproperty_remove_parameter_by_ref(a, p);
                icalproperty_add_parameter(a, icalparameter_new_partstat(kind));
                out.changed = true;
            }
        }
    }
    if (!any_attendee) return std::nullopt;
    out.data = out.changed ? text_of(copy_cal) : std::string(organizer_copy);
    return out;
}

}  // namespace ical
