// Busy time of a calendar user from the time index, their working hours
// (RFC 7953 VAVAILABILITY, else defaults in their zone) and free time
// (caldav/availability.hpp).
#include "caldav/availability.hpp"

#include <algorithm>

#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/resource_path.hpp"
#include "caldav/schedule_collections.hpp"
#include "caldav/xml/element.hpp"
#include "ical/available_time.hpp"
#include "ical/local_time.hpp"

namespace caldav {

namespace {

/// What the calendars that count for busy time hold in a range: busy time,
/// and the VAVAILABILITY windows (kept apart: their priorities decide).
struct Gathered {
    std::vector<ical::BusyPeriod> busy;
    std::vector<ical::AvailabilityWindow> windows;
};

ical::ExpandLimits expand_limits(const Limits& limits) {
    ical::ExpandLimits bounds;
    bounds.max_instances = limits.max_instances;
    return bounds;
}

/// Reads the calendars of `who` once. With `windows`, VAVAILABILITY objects
/// give windows instead of busy time.
Gathered gather(Store& store, const Limits& limits, const PrincipalRecord& who, std::int64_t start,
                std::int64_t end, bool windows) {
    auto bounds = expand_limits(limits);
    Gathered out;
    std::vector<ical::BusyPeriod> own;
    std::vector<ical::AvailabilityWindow> found;
    // Meetings the user declined are not their busy time.
    std::vector<std::string> addresses{principal_href(who.name)};
    if (!who.email.empty()) addresses.push_back("mailto:" + who.email);
    for (const auto& cal : store.list_collections(who.id)) {
        if (!counts_for_busy(store, cal)) continue;
        // Instances the index decides need no parsing (see report_free_busy).
        auto indexed = store.busy_in_range(cal.id, start, end, true);
        for (const auto& row : indexed.rows)
            out.busy.push_back(
                {row.start, row.end, row.tentative() ? ical::BusyType::busy_tentative : ical::BusyType::busy});
        for (const auto& o : indexed.others) {
            if (windows && o.component == "VAVAILABILITY") {
                found.clear();
                if (!ical::collect_availability(o.text(), start, end, bounds, found, cal.timezone))
                    out.windows.insert(out.windows.end(), found.begin(), found.end());
                continue;
            }
            own.clear();
            if (!ical::collect_busy(o.text(), start, end, bounds, own, cal.timezone, addresses))
                out.busy.insert(out.busy.end(), own.begin(), own.end());
        }
    }
    return out;
}

/// RFC 7953 §7.2.4: the VAVAILABILITY a client stored as the
/// CALDAV:calendar-availability property of the inbox (a dead property).
void inbox_availability(Store& store, const Limits& limits, const PrincipalRecord& who, std::int64_t start,
                        std::int64_t end, const std::string& zone, std::vector<ical::AvailabilityWindow>& out) {
    auto inbox = store.find_collection(who.id, "inbox");
    if (!inbox || inbox->kind != CollectionKind::inbox) return;
    for (const auto& d : store.dead_properties(inbox->id, "")) {
        if (d.ns != names::caldav_ns || d.name != "calendar-availability") continue;
        try {
            auto root = xml::parse(d.xml, limits);
            std::vector<ical::AvailabilityWindow> found;
            if (!ical::collect_availability(root.text, start, end, expand_limits(limits), found, zone))
                out.insert(out.end(), found.begin(), found.end());
        } catch (const Error&) {
            // Stored by an older version without checks: ignored, the defaults apply.
        }
    }
}

std::vector<Period> periods_of(const std::vector<std::pair<std::int64_t, std::int64_t>>& spans) {
    std::vector<Period> out;
    out.reserve(spans.size());
    for (auto [s, e] : spans) out.push_back({s, e});
    return out;
}

/// RFC 7953 §4: the lowest precedence first (PRIORITY 0 below 9 … below 1),
/// each window replacing what lies below it within its own period.
std::vector<Period> apply_windows(std::vector<Period> base, std::vector<ical::AvailabilityWindow> windows) {
    auto rank = [](int priority) { return priority == 0 ? 10 : priority; };
    std::stable_sort(windows.begin(), windows.end(), [&](const auto& a, const auto& b) {
        return rank(a.priority) > rank(b.priority);
    });
    for (const auto& w : windows) {
        base = subtract_periods(base, {{w.start, w.end}});
        auto slots = periods_of(w.available);
        base.insert(base.end(), slots.begin(), slots.end());
        base = merge_periods(std::move(base));
    }
    return base;
}

}  // namespace

std::vector<ical::BusyPeriod> busy_time(Store& store, const Limits& limits, const PrincipalRecord& who,
                                        std::int64_t start, std::int64_t end) {
    return gather(store, limits, who, start, end, false).busy;
}

std::vector<Period> merge_periods(std::vector<Period> periods) {
    std::erase_if(periods, [](const Period& p) { return p.start >= p.end; });
    std::sort(periods.begin(), periods.end(), [](const Period& a, const Period& b) { return a.start < b.start; });
    std::vector<Period> out;
    out.reserve(periods.size());
    for (const auto& p : periods) {
        if (!out.empty() && p.start <= out.back().end)
            out.back().end = std::max(out.back().end, p.end);
        else
            out.push_back(p);
    }
    return out;
}

std::vector<Period> subtract_periods(const std::vector<Period>& from, const std::vector<Period>& minus) {
    std::vector<Period> out;
    std::size_t j = 0;
    for (const auto& p : from) {
        std::int64_t cursor = p.start;
        while (j < minus.size() && minus[j].end <= cursor) ++j;
        for (std::size_t k = j; k < minus.size() && minus[k].start < p.end; ++k) {
            if (minus[k].start > cursor) out.push_back({cursor, minus[k].start});
            cursor = std::max(cursor, minus[k].end);
        }
        if (cursor < p.end) out.push_back({cursor, p.end});
    }
    return out;
}

std::vector<Period> intersect_periods(const std::vector<Period>& a, const std::vector<Period>& b) {
    std::vector<Period> out;
    for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
        std::int64_t s = std::max(a[i].start, b[j].start), e = std::min(a[i].end, b[j].end);
        if (s < e) out.push_back({s, e});
        if (a[i].end < b[j].end)
            ++i;
        else
            ++j;
    }
    return out;
}

bool is_room(const PrincipalRecord& who) { return who.kind == "room" || who.kind == "resource"; }

std::string time_zone_of(Store& store, const PrincipalRecord& who, const std::string& fallback) {
    if (auto cal = default_calendar(store, who, Limits{}))
        if (auto zone = ical::zone_of_calendar_timezone(cal->timezone)) return *zone;
    return fallback;
}

UserAvailability availability_of(Store& store, const Limits& limits, const PrincipalRecord& who,
                                 std::int64_t start, std::int64_t end, const WorkingHours& defaults) {
    UserAvailability out;
    auto clock = ical::ZoneClock::named(time_zone_of(store, who, defaults.time_zone)).value_or(ical::ZoneClock{});
    out.time_zone = clock.name();
    if (start >= end) return out;
    auto found = gather(store, limits, who, start, end, true);
    inbox_availability(store, limits, who, start, end, out.time_zone, found.windows);
    std::vector<Period> busy;
    busy.reserve(found.busy.size());
    for (const auto& b : found.busy) busy.push_back({std::max(b.start, start), std::min(b.end, end)});
    std::vector<Period> base = is_room(who) ? std::vector<Period>{{start, end}}
                                            : periods_of(ical::daily_spans(clock, start, end, defaults.days));
    if (!found.windows.empty()) {
        std::vector<Period> bounds;
        for (const auto& w : found.windows) bounds.push_back({w.start, w.end});
        auto available = apply_windows(base, std::move(found.windows));
        // Inside a VAVAILABILITY, time it leaves unavailable is busy (RFC 7953 §4).
        auto unavailable = subtract_periods(merge_periods(std::move(bounds)), available);
        busy.insert(busy.end(), unavailable.begin(), unavailable.end());
        if (!is_room(who)) base = std::move(available);
    }
    out.busy = merge_periods(std::move(busy));
    out.working = std::move(base);
    out.free = subtract_periods(out.working, out.busy);
    return out;
}

std::vector<Period> common_free(const std::vector<std::vector<Period>>& free) {
    if (free.empty()) return {};
    std::vector<Period> out = free.front();
    for (std::size_t i = 1; i < free.size() && !out.empty(); ++i) out = intersect_periods(out, free[i]);
    return out;
}

}  // namespace caldav
