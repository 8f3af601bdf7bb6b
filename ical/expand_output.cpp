// CALDAV:expand and CALDAV:limit-recurrence-set outputs (RFC 4791 §9.6.5, §9.6.6).
#include "ical/calendar_data.hpp"
#include "ical/expand.hpp"
#include "ical/recurrence.hpp"
#include "ical/zone_resolver.hpp"

#include <algorithm>
#include <optional>
#include <set>

namespace ical {

namespace {

icalcomponent_kind main_kind(icalcomponent* calendar) {
    auto components = calendar_components(calendar);
    return components.empty() ? ICAL_NO_COMPONENT : icalcomponent_isa(components.front());
}

void remove_all(icalcomponent* c, icalproperty_kind kind) {
    while (icalproperty* p = icalcomponent_get_first_property(c, kind)) {
        icalcomponent_remove_property(c, p);
        icalproperty_free(p);
    }
}

/// Sets a date-time property to UTC seconds `utc` (or keeps DATE/floating
/// values as wall time), dropping TZID and RANGE.
void set_time(icalcomponent* c, icalproperty_kind kind, std::int64_t utc, const Instance& inst) {
    icalproperty* p = icalcomponent_get_first_property(c, kind);
    if (!p) {
        p = icalproperty_new(kind);
        icalcomponent_add_property(c, p);
    }
    icalproperty_remove_parameter_by_kind(p, ICAL_TZID_PARAMETER);
    icalproperty_remove_parameter_by_kind(p, ICAL_RANGE_PARAMETER);
    icalproperty_remove_parameter_by_kind(p, ICAL_VALUE_PARAMETER);
    // Instances of DATE and floating values carry wall time; others UTC.
    icaltimetype t = wall_to_icaltime(utc, inst.all_day);
    if (!inst.floating) t.zone = icaltimezone_get_utc_timezone();
    if (inst.all_day) icalproperty_add_parameter(p, icalparameter_new_value(ICAL_VALUE_DATE));
    icalproperty_set_value(p, inst.all_day ? icalvalue_new_date(t) : icalvalue_new_datetime(t));
}

/// One instance as its own component, cloned from its source.
icalcomponent* instance_component(const Occurrence& o, bool recurring) {
    icalcomponent* c = icalcomponent_new_clone(o.source);
    remove_all(c, ICAL_RRULE_PROPERTY);
    remove_all(c, ICAL_RDATE_PROPERTY);
    remove_all(c, ICAL_EXDATE_PROPERTY);
    remove_all(c, ICAL_EXRULE_PROPERTY);
    const Instance& inst = o.instance;
    bool todo = icalcomponent_isa(c) == ICAL_VTODO_COMPONENT;
    if (icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY)) set_time(c, ICAL_DTSTART_PROPERTY, inst.start, inst);
    icalproperty_kind end_kind = todo ? ICAL_DUE_PROPERTY : ICAL_DTEND_PROPERTY;
    if (icalcomponent_get_first_property(c, end_kind)) set_time(c, end_kind, inst.end, inst);
    if (recurring && !inst.recurrence_id.empty()) {
        remove_all(c, ICAL_RECURRENCEID_PROPERTY);
        icaltimetype rid = icaltime_from_string(inst.recurrence_id.c_str());
        icalproperty* p = icalproperty_new_recurrenceid(rid);
        if (rid.is_date) icalproperty_add_parameter(p, icalparameter_new_value(ICAL_VALUE_DATE));
        icalcomponent_add_property(c, p);
    }
    return c;
}

std::string serialize(icalcomponent* c) {
    char* text = icalcomponent_as_ical_string_r(c);
    std::string out = text ? text : "";
    free(text);
    return out;
}

/// RFC 4791 §9.9 for a VTODO with neither DTSTART nor DUE: it has no
/// instances of its own, and overlaps [start, end) by its COMPLETED and CREATED
/// times (always, when it has neither).
bool undated_todo_overlaps(icalcomponent* c, std::int64_t start, std::int64_t end) {
    if (icalcomponent_isa(c) != ICAL_VTODO_COMPONENT || icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY) ||
        icalcomponent_get_first_property(c, ICAL_DUE_PROPERTY))
        return false;
    auto utc_of = [c](icalproperty_kind kind) -> std::optional<std::int64_t> {
        icalproperty* p = icalcomponent_get_first_property(c, kind);
        if (!p) return std::nullopt;
        return wall_seconds(kind == ICAL_COMPLETED_PROPERTY ? icalproperty_get_completed(p)
                                                            : icalproperty_get_created(p));
    };
    auto completed = utc_of(ICAL_COMPLETED_PROPERTY), created = utc_of(ICAL_CREATED_PROPERTY);
    if (completed && created)
        return (start <= *created || start <= *completed) && (end >= *created || end >= *completed);
    if (completed) return start <= *completed && end >= *completed;
    if (created) return end > *created;
    return true;
}

bool is_recurring(icalcomponent* calendar, icalcomponent_kind kind) {
    for (icalcomponent* c = icalcomponent_get_first_component(calendar, kind); c;
         c = icalcomponent_get_next_component(calendar, kind))
        if (icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY) ||
            icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY) ||
            icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY))
            return true;
    return false;
}

}  // namespace

TextResult expand_to_ical(std::string_view ics, std::int64_t start, std::int64_t end, const ExpandLimits& limits) {
    TextResult result;
    try {
        ParsedCalendar parsed = parse_calendar(ics);
        if (!parsed.calendar) return result.error = parsed.error, result;
        icalcomponent* calendar = parsed.calendar.get();
        icalcomponent_kind kind = main_kind(calendar);
        std::vector<Occurrence> occurrences;
        if (kind == ICAL_VEVENT_COMPONENT || kind == ICAL_VTODO_COMPONENT || kind == ICAL_VJOURNAL_COMPONENT)
            result.error = expand_occurrences(calendar, kind, start, end, limits, nullptr, occurrences);
        if (result.error) return result;
        std::sort(occurrences.begin(), occurrences.end(), [](const Occurrence& a, const Occurrence& b) {
            return a.instance.start != b.instance.start ? a.instance.start < b.instance.start
                                                        : a.instance.recurrence_id < b.instance.recurrence_id;
        });
        bool recurring = is_recurring(calendar, kind);
        ComponentPtr out(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
        for (icalproperty* p = icalcomponent_get_first_property(calendar, ICAL_ANY_PROPERTY); p;
             p = icalcomponent_get_next_property(calendar, ICAL_ANY_PROPERTY))
            icalcomponent_add_property(out.get(), icalproperty_new_clone(p));
        for (const Occurrence& o : occurrences) icalcomponent_add_component(out.get(), instance_component(o, recurring));
        // A to-do without DTSTART and DUE has no instances to expand: it is
        // returned as it is when it is in the range.
        for (icalcomponent* c = icalcomponent_get_first_component(calendar, kind); c;
             c = icalcomponent_get_next_component(calendar, kind))
            if (undated_todo_overlaps(c, start, end))
                icalcomponent_add_component(out.get(), icalcomponent_new_clone(c));
        // Components that are neither the expanded kind nor VTIMEZONE (X- ones) stay.
        for (icalcomponent* c = icalcomponent_get_first_component(calendar, ICAL_ANY_COMPONENT); c;
             c = icalcomponent_get_next_component(calendar, ICAL_ANY_COMPONENT)) {
            auto k = icalcomponent_isa(c);
            if (k != kind && k != ICAL_VTIMEZONE_COMPONENT) icalcomponent_add_component(out.get(), icalcomponent_new_clone(c));
        }
        result.text = serialize(out.get());
    } catch (const std::exception& e) {
        result.error = Error{std::string("expand failed: ") + e.what(), 0};
    }
    return result;
}

TextResult limit_recurrence_set(std::string_view ics, std::int64_t start, std::int64_t end,
                                const ExpandLimits& limits) {
    TextResult result;
    try {
        ParsedCalendar parsed = parse_calendar(ics);
        if (!parsed.calendar) return result.error = parsed.error, result;
        icalcomponent* calendar = parsed.calendar.get();
        icalcomponent_kind kind = main_kind(calendar);
        std::vector<Occurrence> occurrences;
        if (kind == ICAL_VEVENT_COMPONENT || kind == ICAL_VTODO_COMPONENT || kind == ICAL_VJOURNAL_COMPONENT)
            result.error = expand_occurrences(calendar, kind, start, end, limits, nullptr, occurrences);
        if (result.error) return result;
        std::set<icalcomponent*> keep;
        for (const Occurrence& o : occurrences) keep.insert(o.source);
        std::vector<icalcomponent*> drop;
        for (icalcomponent* c = icalcomponent_get_first_component(calendar, kind); c;
             c = icalcomponent_get_next_component(calendar, kind))
            if (icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY) && !keep.count(c)) drop.push_back(c);
        for (icalcomponent* c : drop) {
            icalcomponent_remove_component(calendar, c);
            icalcomponent_free(c);
        }
        result.text = serialize(calendar);
    } catch (const std::exception& e) {
        result.error = Error{std::string("limit-recurrence-set failed: ") + e.what(), 0};
    }
    return result;
}

}  // namespace ical
