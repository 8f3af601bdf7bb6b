// A deterministic calendar workload for benchmarks: the same seed gives the same
// events on every machine and against every server, and the generator knows
// every instance it implies, so the driver can check query answers (issue 7).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace bench {

/// One instance of an event: UTC seconds since the epoch, end exclusive.
struct Instance {
    std::int64_t start = 0;
    std::int64_t end = 0;
};

/// One generated event: resource name, UID, iCalendar text and its instances
/// after EXDATEs and overrides (what a correct server expands it to).
struct Event {
    std::string name;
    std::string uid;
    std::string ics;
    bool recurring = false;
    std::vector<Instance> instances;
};

/// A half-open UTC window [start, end) that queries ask about.
struct Window {
    std::int64_t start = 0;
    std::int64_t end = 0;
};

namespace detail {

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
    std::int64_t y;
    unsigned m;
    unsigned d;
};

constexpr Civil civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

/// Monday = 0 ... Sunday = 6.
constexpr int weekday(std::int64_t days) { return static_cast<int>(((days % 7) + 7 + 3) % 7); }

constexpr std::int64_t days_in_month(std::int64_t y, unsigned m) {
    return m == 12 ? days_from_civil(y + 1, 1, 1) - days_from_civil(y, 12, 1)
                   : days_from_civil(y, m + 1, 1) - days_from_civil(y, m, 1);
}

/// The n-th (1-based) Sunday of a month, or with n = -1 the last one.
constexpr std::int64_t sunday(std::int64_t y, unsigned m, int n) {
    if (n < 0) {
        std::int64_t last = days_from_civil(y, m, 1) + days_in_month(y, m) - 1;
        return last - (weekday(last) + 1) % 7;
    }
    std::int64_t first = days_from_civil(y, m, 1);
    return first + (6 - weekday(first)) + 7 * (n - 1);
}

/// UTC offset in seconds of a generated zone for a local date. Events start
/// between 07:00 and 18:45 local, never near a 02:00/03:00 transition, so the
/// date alone decides (US rules since 2007, EU rules since 1996).
inline std::int64_t utc_offset(int zone, std::int64_t local_days) {
    auto y = civil_from_days(local_days).y;
    switch (zone) {
    case 1: {  // America/New_York
        bool dst = local_days >= sunday(y, 3, 2) && local_days < sunday(y, 11, 1);
        return (dst ? -4 : -5) * 3600;
    }
    case 2: {  // Europe/Berlin
        bool dst = local_days >= sunday(y, 3, -1) && local_days < sunday(y, 10, -1);
        return (dst ? 2 : 1) * 3600;
    }
    case 3: return 9 * 3600;  // Asia/Tokyo
    default: return 0;        // UTC
    }
}

/// iCalendar DATE-TIME text (basic format) for days + seconds of day.
inline std::string ical_time(std::int64_t days, std::int64_t seconds) {
    auto c = civil_from_days(days + seconds / 86400);
    seconds %= 86400;
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04lld%02u%02uT%02lld%02lld00", static_cast<long long>(c.y), c.m, c.d,
                  static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60));
    return buf;
}

// splitmix64: a per-event stream, so event i never depends on events before it.
inline std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace detail

constexpr std::array<const char*, 4> zone_names = {"UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo"};

/// VTIMEZONE text for a generated zone (US and EU rules, fixed Asia/Tokyo), so
/// every server sees the same definitions. Empty for UTC.
inline const char* vtimezone(int zone) {
    switch (zone) {
    case 1:
        return "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\n"
               "TZOFFSETTO:-0400\r\nTZNAME:EDT\r\nDTSTART:20070311T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"
               "END:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\n"
               "DTSTART:20071104T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
    case 2:
        return "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
               "TZNAME:CEST\r\nDTSTART:19810329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
               "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19961027T030000\r\n"
               "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
    case 3:
        return "BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\n"
               "TZNAME:JST\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
    default: return "";
    }
}

/// First day of the generated spread: 2025-01-01; events start within 730 days of it.
constexpr std::int64_t base_days = detail::days_from_civil(2025, 1, 1);

/// Event `i` of the workload `seed`; `revision` > 0 changes only SUMMARY and
/// DTSTAMP (writes during the mixed phase keep every query's answer). 70% are
/// single; 30% recur (daily COUNT, weekly BYDAY on two weekdays, monthly last
/// weekday via BYSETPOS=-1), half of those with an EXDATE on a real instance and
/// half with the first instance overridden an hour later. DTSTART always
/// matches its rule, so every implementation must agree on the instances.
inline Event make_event(std::uint64_t seed, std::size_t i, int revision = 0) {
    using namespace detail;
    std::uint64_t state = mix(seed * 0x100000001b3ULL ^ i);
    auto pick = [&](int n) {
        state = mix(state);
        return static_cast<int>(state % static_cast<std::uint64_t>(n));
    };
    Event e;
    e.uid = "bench-" + std::to_string(seed) + "-" + std::to_string(i) + "@kalends.invalid";
    e.name = "ev" + std::to_string(i) + ".ics";
    std::int64_t day = base_days + pick(730);
    const std::int64_t tod = (7 + pick(11)) * 3600 + pick(4) * 900;
    const int zone = pick(4);
    const std::int64_t minutes = 30 * (1 + pick(4));
    const int attendees = 1 + pick(3);
    std::vector<int> people;
    for (int a = 0; a < attendees; ++a) people.push_back(pick(50));
    const bool recurring = pick(10) < 3;
    const int kind = pick(3);
    std::vector<std::int64_t> days;  // local dates of the rule's instances
    std::string rrule;
    static const char* names[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    if (recurring) {
        if (kind == 0) {
            int count = 5 + pick(30);
            rrule = "FREQ=DAILY;COUNT=" + std::to_string(count);
            for (int k = 0; k < count; ++k) days.push_back(day + k);
        } else if (kind == 1) {
            if (weekday(day) > 4) day += 7 - weekday(day);  // start on a weekday of the rule
            int first = weekday(day), other = (first + 1 + pick(4)) % 5;
            int count = 4 + pick(40);
            int lo = std::min(first, other), hi = std::max(first, other);
            rrule = std::string("FREQ=WEEKLY;BYDAY=") + names[lo] + "," + names[hi] + ";COUNT=" + std::to_string(count);
            std::int64_t monday = day - first;
            for (std::int64_t w = 0; static_cast<int>(days.size()) < count; ++w)
                for (int wd : {lo, hi})
                    if (monday + 7 * w + wd >= day && static_cast<int>(days.size()) < count)
                        days.push_back(monday + 7 * w + wd);
        } else {
            int count = 3 + pick(12);
            rrule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=" + std::to_string(count);
            auto c = civil_from_days(day);
            for (int k = 0; k < count; ++k) {
                auto y = c.y + (c.m - 1 + static_cast<unsigned>(k)) / 12;
                auto m = (c.m - 1 + static_cast<unsigned>(k)) % 12 + 1;
                std::int64_t last = days_from_civil(y, m, 1) + days_in_month(y, m) - 1;
                while (weekday(last) > 4) --last;
                days.push_back(last);
            }
            day = days.front();
        }
    } else {
        days.push_back(day);
    }
    const int exdate = recurring && pick(2) == 0 ? 1 + pick(std::min<int>(3, static_cast<int>(days.size()) - 1)) : -1;
    const bool moved = recurring && pick(2) == 0;

    auto stamp = [&](const char* prop, std::int64_t d, std::int64_t secs) {
        return zone == 0 ? std::string(prop) + ":" + ical_time(d, secs) + "Z\r\n"
                         : std::string(prop) + ";TZID=" + zone_names[static_cast<std::size_t>(zone)] + ":" +
                               ical_time(d, secs) + "\r\n";
    };
    std::string dtstamp = "DTSTAMP:2025010" + std::to_string(1 + revision % 9) + "T000000Z\r\n";
    std::string body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kalends//bench//EN\r\n";
    body += vtimezone(zone);
    body += "BEGIN:VEVENT\r\nUID:" + e.uid + "\r\n" + dtstamp + stamp("DTSTART", day, tod);
    body += "DURATION:PT" + std::to_string(minutes) + "M\r\n";
    body += "SUMMARY:Bench event " + std::to_string(i) + (revision ? " rev " + std::to_string(revision) : "") + "\r\n";
    body += "ORGANIZER;CN=Alice:mailto:alice@example.com\r\n";
    for (int p : people)
        body += "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:person" + std::to_string(p) + "@example.com\r\n";
    if (recurring) body += "RRULE:" + rrule + "\r\n";
    if (exdate >= 0) body += stamp("EXDATE", days[static_cast<std::size_t>(exdate)], tod);
    body += "END:VEVENT\r\n";
    if (moved) {
        body += "BEGIN:VEVENT\r\nUID:" + e.uid + "\r\n" + dtstamp + stamp("RECURRENCE-ID", day, tod);
        body += stamp("DTSTART", day, tod + 3600) + "DURATION:PT" + std::to_string(minutes) + "M\r\n";
        body += "SUMMARY:Moved instance\r\nEND:VEVENT\r\n";
    }
    body += "END:VCALENDAR\r\n";
    e.ics = std::move(body);
    e.recurring = recurring;
    for (std::size_t k = 0; k < days.size(); ++k) {
        if (static_cast<int>(k) == exdate) continue;
        std::int64_t secs = tod + (k == 0 && moved ? 3600 : 0);
        std::int64_t start = days[k] * 86400 + secs - utc_offset(zone, days[k]);
        e.instances.push_back({start, start + minutes * 60});
    }
    return e;
}

/// Does any instance overlap the window (RFC 4791 §9.9: start < end of range,
/// end > start of range)?
inline std::size_t overlapping(const Event& e, const Window& w) {
    std::size_t n = 0;
    for (const auto& in : e.instances)
        if (in.start < w.end && in.end > w.start) ++n;
    return n;
}

/// `count` one-week windows (Monday 00:00Z to Monday) spread over the two years.
inline std::vector<Window> week_windows(std::size_t count) {
    std::vector<Window> out;
    const std::int64_t monday = detail::days_from_civil(2025, 1, 6);
    for (std::size_t k = 0; k < count; ++k) {
        std::int64_t d = monday + 7 * static_cast<std::int64_t>(2 + k * 100 / std::max<std::size_t>(count, 1));
        out.push_back({d * 86400, (d + 7) * 86400});
    }
    return out;
}

/// `count` calendar-month windows (first of month 00:00Z), every fifth month from 2025-02.
inline std::vector<Window> month_windows(std::size_t count) {
    std::vector<Window> out;
    for (std::size_t k = 0; k < count; ++k) {
        unsigned m0 = static_cast<unsigned>(1 + 5 * k);  // months after 2025-01
        std::int64_t y = 2025 + m0 / 12;
        unsigned m = m0 % 12 + 1;
        std::int64_t d = detail::days_from_civil(y, m, 1);
        out.push_back({d * 86400, (d + detail::days_in_month(y, m)) * 86400});
    }
    return out;
}

/// What a correct server answers for one window.
struct Expected {
    std::set<std::string> names;                                 ///< resources with an instance in the window
    std::size_t instances = 0;                                   ///< instances in the window (expand)
    std::vector<std::pair<std::int64_t, std::int64_t>> busy;     ///< merged busy periods, clipped
};

/// Merges overlapping or touching periods in place (sorted by start).
inline void merge_periods(std::vector<std::pair<std::int64_t, std::int64_t>>& p) {
    std::sort(p.begin(), p.end());
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (const auto& x : p) {
        if (!out.empty() && x.first <= out.back().second) out.back().second = std::max(out.back().second, x.second);
        else out.push_back(x);
    }
    p = std::move(out);
}

/// Walks events [first, first + count) once and fills one Expected per window.
inline std::vector<Expected> expectations(std::uint64_t seed, std::size_t first, std::size_t count,
                                          const std::vector<Window>& windows) {
    std::vector<Expected> out(windows.size());
    for (std::size_t i = first; i < first + count; ++i) {
        Event e = make_event(seed, i);
        for (std::size_t w = 0; w < windows.size(); ++w) {
            std::size_t n = overlapping(e, windows[w]);
            if (!n) continue;
            out[w].names.insert(e.name);
            out[w].instances += n;
            for (const auto& in : e.instances)
                if (in.start < windows[w].end && in.end > windows[w].start)
                    out[w].busy.emplace_back(std::max(in.start, windows[w].start), std::min(in.end, windows[w].end));
        }
    }
    for (auto& x : out) merge_periods(x.busy);
    return out;
}

}  // namespace bench
