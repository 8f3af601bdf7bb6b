// free-busy-query REPORT (RFC 4791 §7.10): the busy time of a calendar, or of
// every calendar of a home, as one VFREEBUSY, computed from the stored data.
#include "caldav/error.hpp"
#include "caldav/names.hpp"
#include "caldav/report.hpp"
#include "ical/freebusy.hpp"
#include "ical/query_filter.hpp"

namespace caldav {

Response report_free_busy_query(Context& ctx, const xml::Element& root) {
    auto& t = ctx.target;
    std::vector<CollectionRecord> calendars;
    if (t.kind == ResourceKind::collection && t.collection->kind == CollectionKind::calendar) {
        calendars.push_back(*t.collection);
    } else if (t.kind == ResourceKind::home) {
        for (auto& c : ctx.store.list_collections(t.owner->id))
            if (c.kind == CollectionKind::calendar) calendars.push_back(std::move(c));
    } else {
        throw Error(403, Precondition::supported_report, "free-busy-query works on calendars and the calendar home");
    }
    const auto* range = root.child(names::caldav_ns, "time-range");
    if (!range) throw Error(400, "free-busy-query needs one CALDAV:time-range");
    auto start = ical::parse_utc(range->attribute("start"));
    auto end = ical::parse_utc(range->attribute("end"));
    if (!start || !end || *end <= *start)
        throw Error(400, "the free-busy time-range needs UTC start and end, end after start");

    ical::ExpandLimits limits;
    limits.max_instances = ctx.limits.max_instances;
    std::vector<ical::BusyPeriod> busy;
    for (const auto& cal : calendars) {
        // Exactly indexed events answer from their instance rows; the rest
        // (floating times, past the index horizon, VFREEBUSY, VAVAILABILITY)
        // are parsed.
        auto indexed = ctx.store.busy_in_range(cal.id, *start, *end, false);
        for (const auto& row : indexed.rows)
            busy.push_back({row.start, row.end, row.tentative() ? ical::BusyType::busy_tentative : ical::BusyType::busy});
        for (const auto& o : indexed.others) {
            if (auto error = ical::collect_busy(o.data, *start, *end, limits, busy))
                throw Error(403, Precondition::max_instances, o.name + ": " + error->message);
        }
    }
    Response r;
    r.status = 200;
    r.headers.set("Content-Type", "text/calendar; charset=utf-8");
    r.body = ical::render_freebusy(std::move(busy), *start, *end);
    return r;
}

}  // namespace caldav
