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

    // RFC 4791 §7.10 with §9.8: floating and all-day times are read in the
    // request's CALDAV:timezone when it gives one (as in calendar-query), else
    // in each calendar's calendar-timezone (§5.2.2), else in UTC.
    std::string request_zone;
    if (const auto* tz = root.child(names::caldav_ns, "timezone")) {
        if (auto error = ical::check_reader_zone(tz->text))
            throw Error(403, Precondition::valid_calendar_data,
                        "CALDAV:timezone: " + error->message);
        request_zone = tz->text;
    }

    ical::ExpandLimits limits;
    limits.max_instances = ctx.limits.max_instances;
    std::vector<ical::BusyPeriod> busy;
    for (const auto& cal : calendars) {
        const std::string& zone = request_zone.empty() ? cal.timezone : request_zone;
        // Exactly indexed events answer from their instance rows; the rest
        // (floating times, past the index horizon, VFREEBUSY, VAVAILABILITY)
        // are parsed.
        auto indexed = ctx.store.busy_in_range(cal.id, *start, *end, false);
        for (const auto& row : indexed.rows)
            busy.push_back({row.start, row.end, row.tentative() ? ical::BusyType::busy_tentative : ical::BusyType::busy});
        // An object whose expansion reaches the limits (max-instances, time)
        // takes no busy time: it is skipped whole, and the others still answer,
        // so that one object (say a FREQ=SECONDLY invitation) cannot make the
        // calendar's free/busy fail (issue 22 item 5). Such data is refused on
        // PUT and delivery; this covers what was stored before.
        std::vector<ical::BusyPeriod> own;
        for (const auto& o : indexed.others) {
            own.clear();
            if (!ical::collect_busy(o.data, *start, *end, limits, own, zone))
                busy.insert(busy.end(), own.begin(), own.end());
        }
    }
    Response r;
    r.status = 200;
    r.headers.set("Content-Type", "text/calendar; charset=utf-8");
    r.body = ical::render_freebusy(std::move(busy), *start, *end);
    return r;
}

}  // namespace caldav
