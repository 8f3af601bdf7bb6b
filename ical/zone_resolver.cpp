// Time zone lookup and UTC conversion shared by indexing, expansion and queries.
#include "ical/zone_resolver.hpp"

#include "ical/recurrence.hpp"
#include "ical/calendar_data.hpp"
#include "ical/windows_zones.hpp"

#include <chrono>
#include <cstdlib>

#include <mutex>
#include <string>
#include <unordered_map>

namespace ical {

namespace {

constexpr std::int64_t day_seconds = 86400;

/// libical's builtin zone table loads lazily and is not thread-safe in 3.0.
std::mutex& builtin_zone_mutex() {
    static std::mutex m;
    return m;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/// Civil year holding day `days` (days since 1970-01-01).
std::int64_t year_of(std::int64_t days) {
    days += 719468;
    std::int64_t era = floor_div(days, 146097);
    std::int64_t doe = days - era * 146097;
    std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    return yoe + era * 400 + ((5 * doy + 2) / 153 >= 10);
}

/// Weekday of day `days`, 0 = Thursday (1970-01-01).
std::int64_t weekday_of(std::int64_t days) { return days - floor_div(days, 7) * 7; }

/// libical 3.0 expands zone transitions only up to 2037 (ICALTIMEZONE_MAX_YEAR),
/// gives the last 2037 offset for every later instant (no DST after 2037), and
/// re-expands the whole zone on every lookup past it, which takes milliseconds
/// each. A later instant is looked up in the year of 2010–2037 with the same
/// weekday on 1 January and the same length: today's rules ("second Sunday of
/// March") then put the transitions on the same dates, as IANA's data does for
/// every year after its last rule change.
std::int64_t covered_instant(std::int64_t utc) {
    constexpr std::int64_t last_covered = 2145916799;  // 2037-12-31T23:59:59Z
    if (utc <= last_covered) return utc;
    std::int64_t year = year_of(floor_div(utc, day_seconds));
    std::int64_t jan1 = days_from_civil(static_cast<int>(year), 1, 1);
    for (std::int64_t y = 2037; y >= 2010; --y) {
        std::int64_t j = days_from_civil(static_cast<int>(y), 1, 1);
        if (is_leap(y) == is_leap(year) && weekday_of(j) == weekday_of(jan1)) return utc + (j - jan1) * day_seconds;
    }
    return last_covered;  // unreachable: every pattern occurs within 28 years
}

/// UTC offset (seconds east) of `zone` at the UTC instant `utc`.
int offset_at(icaltimezone* zone, std::int64_t utc) {
    // Builtin zones are shared between threads and libical extends their
    // transition table on demand: one conversion at a time.
    std::lock_guard lock(builtin_zone_mutex());
    icaltimetype t =
        icaltime_from_timet_with_zone(static_cast<time_t>(covered_instant(utc)), 0, icaltimezone_get_utc_timezone());
    int is_daylight = 0;
    return icaltimezone_get_utc_offset_of_utc_time(zone, &t, &is_daylight);
}

/// RFC 5545 §3.3.5 resolution of wall-clock `wall` given the offsets a day
/// before (`before`) and after (`after`) it.
template <class OffsetAt>
std::int64_t resolve(std::int64_t wall, int before, int after, OffsetAt&& offset) {
    if (before == after) return wall - before;
    std::int64_t u1 = wall - before;  // reading with the earlier offset
    std::int64_t u2 = wall - after;
    bool ok1 = offset(u1) == before;
    bool ok2 = offset(u2) == after;
    if (ok1 && ok2) return std::min(u1, u2);  // overlap: the first occurrence
    if (ok1) return u1;
    if (ok2) return u2;
    return u1;  // gap: the offset in force before the gap
}

/// Whether libical can expand a VTIMEZONE from the data without spinning: it
/// runs each STANDARD/DAYLIGHT RRULE through its own 3.0 iterator up to 2037
/// on first use, which takes minutes on FREQ=SECONDLY;BYMONTH=12 (found by
/// tests/fuzz/fuzz_ical) and can spin on rules that never match. Real zones
/// change offset on a few days a year (RFC 5545 §3.6.5): a rule must be
/// YEARLY, without BYHOUR/BYMINUTE/BYSECOND, and have an occurrence.
bool usable_vtimezone(icaltimezone* zone) {
    icalcomponent* vtz = icaltimezone_get_component(zone);
    if (!vtz) return true;
    for (icalcomponent* part = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); part;
         part = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
        icalproperty* start = icalcomponent_get_first_property(part, ICAL_DTSTART_PROPERTY);
        for (icalproperty* p = icalcomponent_get_first_property(part, ICAL_RRULE_PROPERTY); p;
             p = icalcomponent_get_next_property(part, ICAL_RRULE_PROPERTY)) {
            icalrecurrencetype r = icalproperty_get_rrule(p);
            if (!start || r.freq != ICAL_YEARLY_RECURRENCE || r.by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX ||
                r.by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX || r.by_second[0] != ICAL_RECURRENCE_ARRAY_MAX)
                return false;
            std::string why;
            auto it = RuleIterator::make(r, icalproperty_get_dtstart(start), why);
            if (!it || !it->next(std::chrono::steady_clock::now() + std::chrono::milliseconds(50))) return false;
        }
    }
    return true;
}

/// icaltimezone_get_builtin_timezone of `name`, remembered (found or not):
/// libical 3.0 looks a name up by comparing it with the names of its table,
/// which was a tenth of a create's time (issue 24); its zones are never freed.
/// The caller holds builtin_zone_mutex().
icaltimezone* builtin_zone(std::string_view name) {
    static std::unordered_map<std::string, icaltimezone*> known;
    if (auto it = known.find(std::string(name)); it != known.end()) return it->second;
    if (known.size() >= 4096) known.clear();  // names come from clients' data: bounded
    std::string key(name);
    icaltimezone* z = icaltimezone_get_builtin_timezone(key.c_str());
    known.emplace(std::move(key), z);
    return z;
}

}  // namespace

icaltimezone* zone_named(icalcomponent* calendar, std::string_view tzid, bool& unknown) {
    // An IANA name means the system's zone, whatever VTIMEZONE the data carries
    // (issue 3): the builtin zone object is shared, so its expanded transitions
    // are computed once per process rather than once per object and request.
    std::string_view n(tzid);
    if (n.starts_with("/")) n.remove_prefix(1);  // some clients send "/Europe/Berlin"
    {
        std::lock_guard lock(builtin_zone_mutex());
        if (icaltimezone* z = builtin_zone(n)) return z;
    }
    std::string name(tzid);
    if (calendar)
        if (icaltimezone* z = icalcomponent_get_timezone(calendar, name.c_str()); z && usable_vtimezone(z)) return z;
    // Outlook/Exchange send Windows names ("W. Europe Standard Time").
    if (auto iana = iana_for_windows_zone(n)) {
        std::lock_guard lock(builtin_zone_mutex());
        if (icaltimezone* z = builtin_zone(*iana)) return z;
    }
    unknown = true;
    return nullptr;
}

icaltimezone* zone_of(icalcomponent* calendar, icalproperty* prop, bool& unknown) {
    icalparameter* tzid = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
    if (!tzid) return nullptr;
    const char* name = icalparameter_get_tzid(tzid);
    if (!name) return nullptr;
    return zone_named(calendar, name, unknown);
}

std::int64_t wall_seconds(icaltimetype t) {
    // Days from civil (Howard Hinnant's algorithm): no libc time zone involved.
    std::int64_t y = t.year - (t.month <= 2);
    std::int64_t era = floor_div(y, 400);
    std::int64_t yoe = y - era * 400;
    std::int64_t mp = (t.month + 9) % 12;
    std::int64_t doy = (153 * mp + 2) / 5 + t.day - 1;
    std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    std::int64_t days = era * 146097 + doe - 719468;
    std::int64_t secs = t.is_date ? 0 : t.hour * 3600 + t.minute * 60 + t.second;
    return days * day_seconds + secs;
}

std::int64_t local_to_utc(icaltimetype local, icaltimezone* zone) {
    std::int64_t wall = wall_seconds(local);
    auto offset = [zone](std::int64_t utc) { return offset_at(zone, utc); };
    return resolve(wall, offset(wall - day_seconds), offset(wall + day_seconds), offset);
}

int utc_offset_at(icaltimezone* zone, std::int64_t utc) { return offset_at(zone, utc); }

icalcomponent* builtin_vtimezone(std::string_view iana) {
    std::lock_guard lock(builtin_zone_mutex());
    icaltimezone* zone = icaltimezone_get_builtin_timezone(std::string(iana).c_str());
    icalcomponent* vtz = zone ? icaltimezone_get_component(zone) : nullptr;
    if (!vtz) return nullptr;
    icalcomponent* copy = icalcomponent_new_clone(vtz);
    if (icalproperty* tzid = icalcomponent_get_first_property(copy, ICAL_TZID_PROPERTY))
        icalproperty_set_tzid(tzid, std::string(iana).c_str());
    return copy;
}

std::int64_t to_utc(icaltimetype t, icaltimezone* zone, bool& floating) {
    if (icaltime_is_utc(t)) return wall_seconds(t);
    if (t.is_date || !zone) {
        floating = true;
        return wall_seconds(t);
    }
    return local_to_utc(t, zone);
}

int ZoneConverter::offset_on_day(std::int64_t day) {
    for (const Entry& e : cache_)
        if (e.valid && e.day == day) return e.offset;
    int offset = offset_at(zone_, day * day_seconds);
    cache_[next_] = Entry{day, offset, true};
    next_ = (next_ + 1) % cache_.size();
    return offset;
}

std::int64_t ZoneConverter::wall_to_utc(std::int64_t wall) {
    // Offsets at UTC midnights a day either side bracket every reading of `wall`
    // (offsets stay under 24 h); equal offsets mean no transition in between.
    std::int64_t day = floor_div(wall, day_seconds);
    int before = offset_on_day(day - 1);
    int after = offset_on_day(day + 2);
    return resolve(wall, before, after, [this](std::int64_t utc) { return offset_at(zone_, utc); });
}

std::int64_t ZoneConverter::to_utc(icaltimetype local) { return wall_to_utc(wall_seconds(local)); }

std::size_t load_builtin_zone_table() {
    std::lock_guard lock(builtin_zone_mutex());
    icaltimezone_get_utc_timezone();
    icalarray* zones = icaltimezone_get_builtin_timezones();
    return zones ? zones->num_elements : 0;
}

namespace {
// Read before main() too, while a process has one thread, in every program
// that links this file (tests and tools start threads that parse as well):
// libical's parser reaches the table through icaltimezone_get_utc_timezone()
// for every UTC value, with no lock, and a lookup here during its first
// reading crashed the server (strcmp on a half-built table).
[[maybe_unused]] const std::size_t builtin_zones_at_start = load_builtin_zone_table();
}  // namespace

std::string zone_calendar(std::string_view iana) {
    ComponentPtr vtimezone(builtin_vtimezone(iana));
    if (!vtimezone) return {};
    ComponentPtr calendar(icalcomponent_new_vcalendar());
    icalcomponent_add_property(calendar.get(), icalproperty_new_version("2.0"));
    icalcomponent_add_property(calendar.get(), icalproperty_new_prodid("-//Kalends//Kalends//EN"));
    icalcomponent_add_component(calendar.get(), vtimezone.release());
    char* text = icalcomponent_as_ical_string_r(calendar.get());
    std::string out = text ? text : "";
    free(text);
    return out;
}

std::string zone_calendar_tzid(std::string_view vcalendar) {
    auto at = vcalendar.find("\nTZID:");
    std::size_t skip = 6;
    if (at == std::string_view::npos) {
        at = vcalendar.find("\nTZID;");  // with parameters: take the value after ':'
        if (at == std::string_view::npos) return {};
        auto colon = vcalendar.find(':', at);
        if (colon == std::string_view::npos) return {};
        skip = colon - at + 1;
    }
    auto value = vcalendar.substr(at + skip);
    auto eol = value.find_first_of("\r\n");
    return std::string(value.substr(0, eol));
}

}  // namespace ical
