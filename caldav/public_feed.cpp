// Public feeds (issue 25 §8): the full form is the calendar's export
// (caldav/method_export.cpp); the free/busy form is busy blocks as VEVENTs,
// which subscribing clients (Apple Calendar, Thunderbird, Google Calendar)
// show, where a VFREEBUSY would show nothing.
#include "caldav/public_feed.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

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

std::string upper(std::string_view s) {
    std::string out;
    for (char ch : s) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
    return out;
}

/// One content line with its folding (`raw`, CRLFs included) and its
/// property name in upper case.
struct Line {
    std::string_view raw;
    std::string name;
    std::string value;  ///< unfolded, after the first ':' (no line break)
};

std::vector<Line> content_lines(std::string_view text) {
    std::vector<Line> out;
    std::size_t at = 0;
    while (at < text.size()) {
        auto end = at;
        do {  // a line that starts with a space or tab continues the one before
            auto nl = text.find('\n', end);
            end = nl == std::string_view::npos ? text.size() : nl + 1;
        } while (end < text.size() && (text[end] == ' ' || text[end] == '\t'));
        Line l;
        l.raw = text.substr(at, end - at);
        std::string unfolded;
        for (std::size_t i = 0; i < l.raw.size(); ++i) {
            if (l.raw[i] == '\r') continue;
            if (l.raw[i] == '\n') {
                ++i;  // and the space or tab that continues the line
                continue;
            }
            unfolded.push_back(l.raw[i]);
        }
        auto name_end = unfolded.find_first_of(";:");
        l.name = upper(std::string_view(unfolded).substr(0, name_end));
        if (auto colon = unfolded.find(':'); colon != std::string::npos) l.value = unfolded.substr(colon + 1);
        out.push_back(std::move(l));
        at = end;
    }
    return out;
}

/// The properties that give a component's time and nothing else.
bool is_time_property(const std::string& name) {
    static constexpr std::array<std::string_view, 13> kept{"DTSTAMP", "DTSTART", "DTEND", "DURATION", "DUE",
                                                          "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID",
                                                          "SEQUENCE", "STATUS", "TRANSP", "CLASS"};
    return std::find(kept.begin(), kept.end(), name) != kept.end();
}

/// A UID that names the same series as `uid` without showing it (FNV-1a, 64 bits).
std::string hidden_uid(std::string_view uid) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char ch : uid) h = (h ^ ch) * 1099511628211ull;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return "private-" + std::string(buf) + "@kalends";
}

/// How much a component's CLASS holds back: 0 PUBLIC (or none), 1
/// CONFIDENTIAL, 2 PRIVATE or a class we do not know (RFC 5545 §3.8.1.3).
int secrecy_of(const std::vector<Line>& lines) {
    int depth = 0;
    for (const auto& l : lines) {
        if (l.name == "BEGIN") ++depth;
        if (depth == 1 && l.name == "CLASS") {
            auto cls = upper(l.value);
            return cls == "PUBLIC" ? 0 : cls == "CONFIDENTIAL" ? 1 : 2;
        }
        if (l.name == "END") --depth;
    }
    return 0;
}

/// One top-level component (its lines, BEGIN and END included) as the feed
/// shows it at `secrecy` (secrecy_of).
std::string feed_component(const std::vector<Line>& lines, int secrecy) {
    bool transparent = false, timed = false;
    int depth = 0;
    for (const auto& l : lines) {
        if (l.name == "BEGIN") ++depth;
        if (depth == 1 && l.name == "TRANSP") transparent = upper(l.value) == "TRANSPARENT";
        if (depth == 1 && (l.name == "DTSTART" || l.name == "DUE")) timed = true;
        if (l.name == "END") --depth;
    }
    std::string out;
    if (secrecy == 0) {
        for (const auto& l : lines) out += l.raw;
        return out;
    }
    const bool busy_only = secrecy == 2;
    if (busy_only && (transparent || !timed)) return {};
    depth = 0;
    for (const auto& l : lines) {
        if (l.name == "BEGIN") ++depth;
        const bool own = depth == 1;  // the component's own lines, not its alarms
        if (own && (l.name == "BEGIN" || l.name == "END" || is_time_property(l.name))) out += l.raw;
        if (own && l.name == "UID") out += busy_only ? "UID:" + hidden_uid(l.value) + "\r\n" : std::string(l.raw);
        if (own && l.name == "BEGIN" && busy_only) out += "SUMMARY:Busy\r\n";
        if (l.name == "END") --depth;
    }
    return out;
}

}  // namespace

std::string public_feed_components(std::string_view components) {
    auto lines = content_lines(components);
    std::vector<std::vector<Line>> blocks;
    std::vector<Line> block;
    int depth = 0;
    for (auto& l : lines) {
        if (l.name == "BEGIN") ++depth;
        if (depth > 0) block.push_back(std::move(l));
        if (block.empty() || block.back().name != "END") continue;
        if (--depth > 0) continue;
        blocks.push_back(std::move(block));
        block.clear();
    }
    // A series and its overrides are one event: the most secret of them
    // decides for all, so that an override keeps its series' UID.
    int secrecy = 0;
    for (const auto& b : blocks) secrecy = std::max(secrecy, secrecy_of(b));
    std::string out;
    for (const auto& b : blocks) out += feed_component(b, secrecy);
    return out;
}

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
        r = export_calendar(ctx, &public_feed_components);
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
