// Calendar object validation (RFC 5545 via libical, RFC 4791 §4.1) and the time
// bounds of its instances for the server's index.
#include "ical/object_index.hpp"

#include "ical/content_check.hpp"
#include "ical/libical_text.hpp"
#include "ical/recurrence.hpp"
#include "ical/zone_resolver.hpp"

#include <libical/ical.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <set>
#include <string>

namespace ical {

namespace {

/// RFC 5545 §3.2.19: every TZID names a VTIMEZONE of the object or a zone we
/// know. True when a property of `c` or of a component in it (EXDATE,
/// RECURRENCE-ID, a VALARM's trigger, ...) names neither (issue 22 item 17;
/// the instance index reads DTSTART, DTEND, DUE and RDATE itself).
bool names_unknown_zone(icalcomponent* calendar, icalcomponent* c) {
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
        if (!icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)) continue;
        bool unknown = false;
        zone_of(calendar, p, unknown);
        if (unknown) return true;
    }
    for (icalcomponent* sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); sub;
         sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
        if (names_unknown_zone(calendar, sub)) return true;
    return false;
}

}  // namespace

namespace {

constexpr std::int64_t floating_slack = 14 * 3600;  // the widest UTC offset
constexpr std::chrono::milliseconds index_time_limit{2000};  // per rule; past it the end is open

IndexResult fail(IndexErrorKind kind, std::string message) {
    IndexResult r;
    r.error = IndexError{kind, std::move(message), 0};
    return r;
}

bool is_calendar_component(icalcomponent_kind k) {
    return k == ICAL_VEVENT_COMPONENT || k == ICAL_VTODO_COMPONENT || k == ICAL_VJOURNAL_COMPONENT ||
           k == ICAL_VFREEBUSY_COMPONENT || k == ICAL_VAVAILABILITY_COMPONENT;
}

/// Length of one instance: DTEND/DUE - DTSTART, DURATION, or the RFC 5545
/// §3.6.1 defaults (one day for DATE, zero otherwise).
std::int64_t length_of(icalcomponent* calendar, icalcomponent* c, icaltimetype start, std::int64_t start_utc,
                       bool& unknown, bool& floating) {
    icalproperty* end = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
    if (!end) end = icalcomponent_get_first_property(c, ICAL_DUE_PROPERTY);
    if (end) {
        icaltimetype e = icalproperty_isa(end) == ICAL_DTEND_PROPERTY ? icalproperty_get_dtend(end)
                                                                      : icalproperty_get_due(end);
        return std::max<std::int64_t>(0, to_utc(e, zone_of(calendar, end, unknown), floating) - start_utc);
    }
    if (icalproperty* d = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY))
        return std::max(0, icaldurationtype_as_int(icalproperty_get_duration(d)));
    return start.is_date ? 86400 : 0;
}

struct Bounds {
    std::optional<std::int64_t> first;
    std::optional<std::int64_t> last;
    bool unbounded_end = false;
    bool floating = false;
    bool unknown_zone = false;

    void add(std::int64_t start, std::int64_t end) {
        first = first ? std::min(*first, start) : start;
        last = last ? std::max(*last, end) : end;
    }
};

/// Adds the instances of one component (master with its rules, or an override).
void add_component(icalcomponent* calendar, icalcomponent* c, std::size_t max_instances, Bounds& b) {
    icalproperty* dtstart = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    if (!dtstart) {
        // VTODO without DTSTART (RFC 4791 §9.9): bounded by DUE, else unbounded.
        if (icalproperty* due = icalcomponent_get_first_property(c, ICAL_DUE_PROPERTY)) {
            auto t = to_utc(icalproperty_get_due(due), zone_of(calendar, due, b.unknown_zone), b.floating);
            b.add(t, t);
        } else {
            b.first = std::numeric_limits<std::int64_t>::min();
            b.unbounded_end = true;
        }
        return;
    }
    icaltimetype start = icalproperty_get_dtstart(dtstart);
    icaltimezone* zone = zone_of(calendar, dtstart, b.unknown_zone);
    std::int64_t start_utc = to_utc(start, zone, b.floating);
    std::int64_t length = length_of(calendar, c, start, start_utc, b.unknown_zone, b.floating);
    b.add(start_utc, start_utc + length);
    // RFC 7953 §3.1: a VAVAILABILITY without DTEND or DURATION never ends.
    if (icalcomponent_isa(c) == ICAL_VAVAILABILITY_COMPONENT &&
        !icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY) &&
        !icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY))
        b.unbounded_end = true;
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY)) {
        icaldatetimeperiodtype rd = icalproperty_get_rdate(p);
        icaltimezone* rz = zone_of(calendar, p, b.unknown_zone);
        if (!icaltime_is_null_time(rd.time)) {
            auto t = to_utc(rd.time, rz, b.floating);
            b.add(t, t + length);
        } else if (!icaltime_is_null_time(rd.period.start)) {
            auto t = to_utc(rd.period.start, rz, b.floating);
            std::int64_t e = !icaltime_is_null_time(rd.period.end)
                                 ? to_utc(rd.period.end, rz, b.floating)
                                 : t + icaldurationtype_as_int(rd.period.duration);
            b.add(t, std::max(t, e));
        }
    }
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_RRULE_PROPERTY)) {
        icalrecurrencetype rule = icalproperty_get_rrule(p);
        if (rule.count == 0 && icaltime_is_null_time(rule.until)) {
            b.unbounded_end = true;
            continue;
        }
        // Our iterator: libical's can spin inside one call on rules such as
        // FREQ=SECONDLY;COUNT=5;BYMONTH=2;BYMONTHDAY=31 (see ical/recurrence.cpp).
        std::string why;
        auto it = RuleIterator::make(rule, start, why);
        if (!it) {
            b.unbounded_end = true;
            continue;
        }
        auto deadline = std::chrono::steady_clock::now() + index_time_limit;
        std::size_t n = 0;
        icaltimetype last = icaltime_null_time();
        while (auto wall = it->next(deadline)) {
            icaltimetype t = wall_to_icaltime(*wall, start.is_date);
            t.zone = start.zone;
            if (!icaltime_is_null_time(rule.until)) {  // UNTIL is inclusive (RFC 5545 §3.3.10)
                bool until_floating = false;
                if (icaltime_is_utc(rule.until) ? to_utc(t, zone, until_floating) > wall_seconds(rule.until)
                                                : *wall > wall_seconds(rule.until) +
                                                      (rule.until.is_date && !start.is_date ? 86399 : 0))
                    break;
            }
            last = t;
            if (++n > max_instances) {
                b.unbounded_end = true;
                break;
            }
        }
        if (it->timed_out()) b.unbounded_end = true;
        if (!icaltime_is_null_time(last)) {
            auto t = to_utc(last, zone, b.floating);
            b.add(t, t + length);
        }
    }
}

/// True when the fields of a DATE or DATE-TIME are a real date and time
/// (RFC 5545 §3.3.4, §3.3.12): libical 3.0 reads "20241305" without a word.
bool real_time(icaltimetype t) {
    if (icaltime_is_null_time(t)) return true;
    if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > icaltime_days_in_month(t.month, t.year)) return false;
    return t.is_date || (t.hour >= 0 && t.hour < 24 && t.minute >= 0 && t.minute < 60 && t.second >= 0 && t.second <= 60);
}

/// The first date/time problem of one component, or "": impossible dates,
/// date-times that must be UTC (RFC 5545 §3.8.7.1-3, §3.8.2.1; RFC 9074 §6
/// ACKNOWLEDGED), DTEND or DUE before DTSTART (§3.8.2.2, §3.8.2.3; equal is
/// accepted: clients write zero-length events so).
std::string time_problem(icalcomponent* calendar, icalcomponent* c) {
    for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
        auto kind = icalproperty_isa(p);
        icalvalue* v = icalproperty_get_value(p);
        if (!v) continue;
        auto vk = icalvalue_isa(v);
        if (vk != ICAL_DATETIME_VALUE && vk != ICAL_DATE_VALUE) continue;
        icaltimetype t = icalvalue_get_datetime(v);
        if (!real_time(t)) return property_name_of(p) + " is not a real date or time (RFC 5545 §3.3.4, §3.3.5)";
        bool utc_only = kind == ICAL_DTSTAMP_PROPERTY || kind == ICAL_CREATED_PROPERTY ||
                        kind == ICAL_LASTMODIFIED_PROPERTY || kind == ICAL_COMPLETED_PROPERTY ||
                        kind == ICAL_ACKNOWLEDGED_PROPERTY;
        if (utc_only && (t.is_date || !icaltime_is_utc(t)))
            return property_name_of(p) + " must be a UTC date-time (RFC 5545 §3.8.7, RFC 9074 §6)";
    }
    icalproperty* start = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    icalproperty* end = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
    if (!end) end = icalcomponent_get_first_property(c, ICAL_DUE_PROPERTY);
    if (start && end) {
        bool unknown = false, start_floating = false, end_floating = false;
        icaltimetype s = icalproperty_get_dtstart(start);
        icaltimetype e = icalvalue_get_datetime(icalproperty_get_value(end));
        auto su = to_utc(s, zone_of(calendar, start, unknown), start_floating);
        auto eu = to_utc(e, zone_of(calendar, end, unknown), end_floating);
        if (!unknown && start_floating == end_floating && eu < su)
            return property_name_of(end) + " is before DTSTART (RFC 5545 §3.8.2.2, §3.8.2.3)";
    }
    for (icalcomponent* s = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); s;
         s = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
        if (auto why = time_problem(calendar, s); !why.empty()) return why;
    return {};
}

/// What libical would pass through to storage and into XML answers (issue 22).
std::optional<IndexResult> bad_characters(std::string_view data) {
    auto bad = check_characters(data);
    if (!bad) return std::nullopt;
    IndexResult r;
    r.error = IndexError{IndexErrorKind::invalid_data, std::move(bad->message), bad->line};
    return r;
}

/// The checks and index of index_object on `root`, a parse of the data.
IndexResult index_tree(icalcomponent* root, std::size_t max_instances) {
    if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT)
        return fail(IndexErrorKind::invalid_data, "the data is not one VCALENDAR");
    // libical reports problems as X-LIC-ERROR properties rather than failing.
    for (icalcomponent* c = root; c;) {
        if (icalproperty* e = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY))
            return fail(IndexErrorKind::invalid_data, "invalid iCalendar: " + text_or(icalproperty_get_xlicerror(e), "libical error"));
        c = c == root ? icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT)
                      : icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT);
    }
    if (icalcomponent_get_first_property(root, ICAL_METHOD_PROPERTY))
        return fail(IndexErrorKind::invalid_object, "calendar object resources must not contain METHOD (RFC 4791 §4.1)");

    ObjectIndex out;
    std::set<std::string> uids;
    std::size_t masters = 0;
    Bounds b;
    for (icalcomponent* c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT)) {
        auto kind = icalcomponent_isa(c);
        if (kind == ICAL_VTIMEZONE_COMPONENT) continue;
        if (!is_calendar_component(kind)) continue;  // unknown X- components survive as stored
        std::string name = component_name(kind);
        if (out.component.empty()) out.component = name;
        if (out.component != name)
            return fail(IndexErrorKind::invalid_object, "one resource holds one component type (RFC 4791 §4.1)");
        const char* uid = icalcomponent_get_uid(c);
        if (!uid || !*uid) return fail(IndexErrorKind::invalid_object, name + " without UID");
        uids.insert(uid);
        bool is_override = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY) != nullptr;
        if (!is_override) ++masters;
        if (icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY) ||
            icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY) || is_override)
            out.recurring = true;
        if (icalproperty* org = icalcomponent_get_first_property(c, ICAL_ORGANIZER_PROPERTY); org && out.organizer.empty())
            if (const char* v = icalproperty_get_organizer(org)) out.organizer = v;
        if (auto why = time_problem(root, c); !why.empty()) return fail(IndexErrorKind::invalid_data, why);
        if (names_unknown_zone(root, c)) b.unknown_zone = true;
        add_component(root, c, max_instances, b);
    }
    if (out.component.empty()) return fail(IndexErrorKind::invalid_object, "no VEVENT, VTODO or VJOURNAL");
    if (uids.size() != 1) return fail(IndexErrorKind::invalid_object, "all components must share one UID (RFC 4791 §4.1)");
    if (masters > 1) return fail(IndexErrorKind::invalid_object, "more than one component without RECURRENCE-ID");
    if (b.unknown_zone)
        return fail(IndexErrorKind::invalid_data, "a TZID names no VTIMEZONE in the data and no known time zone");
    out.uid = *uids.begin();
    if (b.first && *b.first != std::numeric_limits<std::int64_t>::min())
        out.first_start = *b.first - (b.floating ? floating_slack : 0);
    if (b.last && !b.unbounded_end) out.last_end = *b.last + (b.floating ? floating_slack : 0);
    IndexResult r;
    r.index = std::move(out);
    return r;
}

}  // namespace

IndexResult index_object(std::string_view data, std::size_t max_instances, ComponentPtr* parsed) {
    if (auto bad = bad_characters(data)) return std::move(*bad);
    ComponentPtr root = parse_with_libical(data);
    if (!root) return fail(IndexErrorKind::invalid_data, "not iCalendar data");
    auto r = index_tree(root.get(), max_instances);
    if (r && parsed) *parsed = std::move(root);
    return r;
}

IndexResult index_object(std::string_view data, icalcomponent* parsed, std::size_t max_instances) {
    if (auto bad = bad_characters(data)) return std::move(*bad);
    return index_tree(parsed, max_instances);
}


}  // namespace ical
