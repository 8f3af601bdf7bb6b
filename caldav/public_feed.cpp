// Public feeds (issue 25 §8): the full form is the calendar's export
// (caldav/method_export.cpp); the free/busy form is busy blocks as VEVENTs,
// which subscribing clients (Apple Calendar, Thunderbird, Google Calendar)
// show, where a VFREEBUSY would show nothing.
#include "caldav/public_feed.hpp"

#include "caldav/context.hpp"
#include "caldav/handlers.hpp"
#include "ical/freebusy.hpp"

namespace caldav {

namespace {

constexpr std::int64_t day = 86400;

/// The busy time of calendar `c` in [start, end), merged: from the time
/// index, and for what it does not decide, from the stored data (as
/// free-busy-query computes it, RFC 4791 §7.10).
std::vector<ical::BusyPeriod> busy_of(Store& store, const Limits& limits, const CollectionRecord& c,
                                      std::int64_t start, std::int64_t end) {
    std::vector<ical::BusyPeriod> busy;
    auto indexed = store.busy_in_range(c.id, start, end, false);
    for (const auto& row : indexed.rows)
        busy.push_back({row.start, row.end, row.tentative() ? ical::BusyType::busy_tentative : ical::BusyType::busy});
    ical::ExpandLimits expand;
    expand.max_instances = limits.max_instances;
    std::vector<ical::BusyPeriod> own;
    for (const auto& o : indexed.others) {
        own.clear();
        // An object past the expansion limits takes no busy time (as in free-busy-query).
        if (!ical::collect_busy(o.data, start, end, expand, own, c.timezone)) busy.insert(busy.end(), own.begin(), own.end());
    }
    return ical::merge_busy(std::move(busy));
}

/// The free/busy form: one VEVENT per busy period with no SUMMARY and a UID
/// made of its times, so that nothing of any event is in it; the calendar
/// is named "Busy" (X-WR-CALNAME), which is what clients show for it.
std::string busy_calendar(const std::vector<ical::BusyPeriod>& busy, std::int64_t now) {
    std::string out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kalends//Kalends//EN\r\nCALSCALE:GREGORIAN\r\n"
                      "X-WR-CALNAME:Busy\r\n";
    const std::string stamp = ical::format_utc(now - now % day);
    for (const auto& p : busy) {
        const auto start = ical::format_utc(p.start);
        const auto end = ical::format_utc(p.end);
        const bool tentative = p.type == ical::BusyType::busy_tentative;
        out += "BEGIN:VEVENT\r\nUID:busy-" + start + "-" + end + (tentative ? "-tentative" : "") +
               "\r\nDTSTAMP:" + stamp + "\r\nDTSTART:" + start + "\r\nDTEND:" + end +
               (tentative ? "\r\nSTATUS:TENTATIVE" : "") + "\r\nTRANSP:OPAQUE\r\nCLASS:PUBLIC\r\nEND:VEVENT\r\n";
    }
    return out + "END:VCALENDAR\r\n";
}

}  // namespace

Response public_feed_response(Store& store, const Limits& limits, const PublicFeed& feed, const Request& request,
                              std::int64_t now) {
    Response r;
    if (request.method != "GET" && request.method != "HEAD") {
        r.status = 405;
        r.headers.set("Allow", "GET, HEAD");
        return r;
    }
    auto owner = store.find_principal(feed.owner_name);
    auto c = owner ? store.find_collection(owner->id, feed.collection_name) : std::nullopt;
    if (!owner || !c || c->id != feed.collection_id) {
        r.status = 404;
        return r;
    }
    if (!feed.free_busy) {
        // The calendar's own export, as its owner reads it: one code path for both.
        Context ctx{request, ResourcePath::parse(collection_href(owner->name, c->name)), store, limits, *owner, {}};
        ctx.target.kind = ResourceKind::collection;
        ctx.target.owner = owner;
        ctx.target.collection = c;
        ctx.target.exists = true;
        r = export_calendar(ctx);
        r.headers.set("Content-Disposition", "inline; filename=\"feed.ics\"");
    } else {
        // The window moves daily: the ETag names the day with the calendar's revision.
        auto etag = "\"fb-" + std::to_string(feed.id) + "-" + std::to_string(c->revision) + "-" +
                    std::to_string(now / day) + "\"";
        r.headers.set("ETag", etag);
        if (auto inm = request.headers.get("If-None-Match"); inm && inm->find(etag) != std::string::npos) {
            r.status = 304;
            return r;
        }
        r.status = 200;
        r.headers.set("Content-Type", "text/calendar; charset=utf-8");
        r.headers.set("Content-Disposition", "inline; filename=\"busy.ics\"");
        const auto today = now - now % day;
        if (request.method == "GET")
            r.body = busy_calendar(busy_of(store, limits, *c, today - feed_busy_days_back * day,
                                           today + feed_busy_days_ahead * day),
                                   now);
    }
    r.headers.set("Cache-Control", "private, max-age=300");
    return r;
}

}  // namespace caldav
