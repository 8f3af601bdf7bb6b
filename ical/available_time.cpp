// VAVAILABILITY periods and AVAILABLE instances (ical/available_time.hpp,
// RFC 7953 §3.1, §4).
#include "ical/available_time.hpp"

#include "ical/calendar_data.hpp"
#include "ical/zone_resolver.hpp"

#include <algorithm>

namespace ical {

namespace {

/// The zone floating times are read in: a TZID, or a VCALENDAR holding one
/// VTIMEZONE (kept alive by `holder`); nullptr for UTC or an unknown zone.
icaltimezone* floating_zone_of(std::string_view spec, ComponentPtr& holder) {
    if (spec.empty()) return nullptr;
    bool unknown = false;
    if (!spec.starts_with("BEGIN:")) return zone_named(nullptr, spec, unknown);
    holder = parse_with_libical(spec);
    if (!holder) return nullptr;
    icalcomponent* vtz = icalcomponent_get_first_component(holder.get(), ICAL_VTIMEZONE_COMPONENT);
    icalproperty* tzid = vtz ? icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY) : nullptr;
    return tzid ? zone_named(holder.get(), icalproperty_get_tzid(tzid), unknown) : nullptr;
}

/// UTC seconds of the DTSTART or DTEND of `c`, read in its TZID, as UTC, or
/// (floating, DATE) in `floating`.
std::optional<std::int64_t> time_of(icalcomponent* calendar, icalcomponent* c, icalproperty_kind kind,
                                    icaltimezone* floating) {
    icalproperty* p = icalcomponent_get_first_property(c, kind);
    if (!p) return std::nullopt;
    icaltimetype t = icalvalue_get_datetime(icalproperty_get_value(p));
    if (icaltime_is_null_time(t)) return std::nullopt;
    bool unknown = false;
    icaltimezone* z = t.is_date ? nullptr : zone_of(calendar, p, unknown);
    if (z) return local_to_utc(t, z);
    if (icaltime_is_utc(t) || !floating) return wall_seconds(t);
    return local_to_utc(t, floating);
}

/// The window of one VAVAILABILITY in [start, end), or nullopt when its own
/// period misses the range.
std::optional<AvailabilityWindow> window_of(icalcomponent* calendar, icalcomponent* v, std::int64_t start,
                                            std::int64_t end, icaltimezone* floating) {
    AvailabilityWindow w{start, end, 0, {}};
    auto dtstart = time_of(calendar, v, ICAL_DTSTART_PROPERTY, floating);
    if (dtstart) w.start = std::max(start, *dtstart);
    if (auto dtend = time_of(calendar, v, ICAL_DTEND_PROPERTY, floating)) {
        w.end = std::min(end, *dtend);
    } else if (icalproperty* d = icalcomponent_get_first_property(v, ICAL_DURATION_PROPERTY); d && dtstart) {
        w.end = std::min(end, *dtstart + icaldurationtype_as_int(icalproperty_get_duration(d)));
    }
    if (w.start >= w.end) return std::nullopt;
    if (icalproperty* p = icalcomponent_get_first_property(v, ICAL_PRIORITY_PROPERTY))
        w.priority = std::clamp(icalproperty_get_priority(p), 0, 9);
    return w;
}

}  // namespace

std::optional<Error> collect_availability(std::string_view ics, std::int64_t start, std::int64_t end,
                                          const ExpandLimits& limits, std::vector<AvailabilityWindow>& out,
                                          std::string_view floating_zone) {
    try {
        ParsedCalendar parsed = parse_calendar(ics);
        if (!parsed.calendar) return parsed.error ? parsed.error : Error{"no calendar", 0};
        icalcomponent* calendar = parsed.calendar.get();
        ComponentPtr zone_holder;
        icaltimezone* floating = floating_zone_of(floating_zone, zone_holder);
        std::vector<AvailabilityWindow> found;
        for (icalcomponent* v : calendar_components(calendar)) {
            if (icalcomponent_isa(v) != ICAL_VAVAILABILITY_COMPONENT) continue;
            auto w = window_of(calendar, v, start, end, floating);
            if (!w) continue;
            std::vector<Occurrence> slots;
            if (auto error = expand_occurrences(calendar, ICAL_XAVAILABLE_COMPONENT, w->start, w->end, limits,
                                                floating, slots, v))
                return error;
            for (const Occurrence& slot : slots) {
                std::int64_t s = std::max(w->start, slot.instance.start);
                std::int64_t e = std::min(w->end, slot.instance.end);
                if (s < e) w->available.emplace_back(s, e);
            }
            std::sort(w->available.begin(), w->available.end());
            std::vector<std::pair<std::int64_t, std::int64_t>> merged;
            for (const auto& p : w->available) {
                if (!merged.empty() && p.first <= merged.back().second)
                    merged.back().second = std::max(merged.back().second, p.second);
                else
                    merged.push_back(p);
            }
            w->available = std::move(merged);
            found.push_back(std::move(*w));
        }
        out.insert(out.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    } catch (const std::exception& e) {
        return Error{std::string("availability failed: ") + e.what(), 0};
    }
    return std::nullopt;
}

}  // namespace ical
