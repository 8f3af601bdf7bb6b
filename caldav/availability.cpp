// Busy time of a calendar user from the time index (caldav/availability.hpp).
#include "caldav/availability.hpp"

#include "caldav/resource_path.hpp"
#include "caldav/schedule_collections.hpp"

namespace caldav {

std::vector<ical::BusyPeriod> busy_time(Store& store, const Limits& limits, const PrincipalRecord& who,
                                        std::int64_t start, std::int64_t end) {
    ical::ExpandLimits bounds;
    bounds.max_instances = limits.max_instances;
    std::vector<ical::BusyPeriod> busy, own;
    // Meetings the user declined are not their busy time.
    std::vector<std::string> addresses{principal_href(who.name)};
    if (!who.email.empty()) addresses.push_back("mailto:" + who.email);
    for (const auto& cal : store.list_collections(who.id)) {
        if (!counts_for_busy(store, cal)) continue;
        // Instances the index decides need no parsing (see report_free_busy).
        auto indexed = store.busy_in_range(cal.id, start, end, true);
        for (const auto& row : indexed.rows)
            busy.push_back({row.start, row.end, row.tentative() ? ical::BusyType::busy_tentative : ical::BusyType::busy});
        for (const auto& o : indexed.others) {
            own.clear();
            if (!ical::collect_busy(o.data, start, end, bounds, own, cal.timezone, addresses))
                busy.insert(busy.end(), own.begin(), own.end());
        }
    }
    return busy;
}

}  // namespace caldav
