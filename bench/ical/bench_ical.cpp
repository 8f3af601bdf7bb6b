// Expansion throughput (instances per second) and the time to expand a year,
// for daily, weekly-BYDAY and monthly-BYSETPOS rules in UTC and New York; with
// raw libical iteration (icalrecur_iterator + UTC conversion) of the same rules
// as the yardstick. Prints a table; asserts nothing (bench/README.md).
#include <libical/ical.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "ical/calendar_data.hpp"
#include "ical/expand.hpp"
#include "ical/zone_resolver.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Rule {
    const char* name;
    const char* rrule;
};

constexpr Rule rules[] = {
    {"daily", "FREQ=DAILY"},
    {"weekly-byday", "FREQ=WEEKLY;BYDAY=MO,WE,FR"},
    {"monthly-bysetpos", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"},
};

std::string object(const char* zone, const char* rrule) {
    std::string dtstart = std::string(zone) == "UTC" ? "DTSTART:20200106T090000Z"
                                                    : std::string("DTSTART;TZID=") + zone + ":20200106T090000";
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:b\r\n"
           "DTSTAMP:20200101T000000Z\r\n" +
           dtstart + "\r\nDURATION:PT1H\r\nRRULE:" + rrule + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Runs `body` (returning instances produced) until ~0.5 s; instances/second.
template <class Body>
double rate(Body&& body) {
    std::size_t n = 0;
    auto t0 = Clock::now();
    int rounds = 0;
    while (seconds_since(t0) < 0.5 || rounds < 3) {
        n += body();
        ++rounds;
    }
    return static_cast<double>(n) / seconds_since(t0);
}

/// Raw libical: iterate the rule from DTSTART until `end`, converting to UTC.
std::size_t libical_raw(const char* zone, const char* rrule, std::int64_t end) {
    icalrecurrencetype r = icalrecurrencetype_from_string(rrule);
    icaltimezone* z = std::string(zone) == "UTC" ? icaltimezone_get_utc_timezone()
                                                 : icaltimezone_get_builtin_timezone(zone);
    icaltimetype start = icaltime_from_string("20200106T090000");
    start.zone = z;
    icalrecur_iterator* it = icalrecur_iterator_new(r, start);
    std::size_t n = 0;
    for (icaltimetype t = icalrecur_iterator_next(it); !icaltime_is_null_time(t); t = icalrecur_iterator_next(it)) {
        if (static_cast<std::int64_t>(icaltime_as_timet_with_zone(t, z)) >= end) break;
        ++n;
    }
    icalrecur_iterator_free(it);
    return n;
}

}  // namespace

int main() {
    const std::int64_t from = ical::wall_seconds(icaltime_from_string("20200101T000000"));
    const std::int64_t ten_years = ical::wall_seconds(icaltime_from_string("20300101T000000"));
    const std::int64_t one_year = ical::wall_seconds(icaltime_from_string("20210101T000000"));
    ical::ExpandLimits limits{1000000, std::chrono::seconds(60)};
    std::printf("%-18s %-17s %12s %12s %12s %7s %12s %12s\n", "rule", "zone", "expand/s", "parsed/s", "libical/s",
                "ratio", "year expand", "year libical");
    for (const char* zone : {"UTC", "America/New_York"}) {
        for (const Rule& rule : rules) {
            std::string ics = object(zone, rule.rrule);
            // Whole API: parse + expand + sort, ten years per call.
            double api = rate([&] { return ical::expand(ics, from, ten_years, limits).instances.size(); });
            // Expansion alone, on an already parsed object.
            ical::ParsedCalendar parsed = ical::parse_calendar(ics);
            double core = rate([&] {
                std::vector<ical::Occurrence> out;
                (void)ical::expand_occurrences(parsed.calendar.get(), ICAL_VEVENT_COMPONENT, from, ten_years, limits,
                                               nullptr, out);
                return out.size();
            });
            double raw = rate([&] { return libical_raw(zone, rule.rrule, ten_years); });
            auto t0 = Clock::now();
            for (int i = 0; i < 20; ++i) (void)ical::expand(ics, from, one_year, limits);
            double year_ours = seconds_since(t0) / 20;
            t0 = Clock::now();
            for (int i = 0; i < 20; ++i) (void)libical_raw(zone, rule.rrule, one_year);
            double year_raw = seconds_since(t0) / 20;
            std::printf("%-18s %-17s %12.0f %12.0f %12.0f %7.2f %10.3fms %10.3fms\n", rule.name, zone, api, core, raw,
                        raw / api, year_ours * 1e3, year_raw * 1e3);
        }
    }
    std::printf("ratio = libical/s ÷ expand/s (time per instance, ours relative to raw libical; < 1.5 is the goal)\n");
    return 0;
}
