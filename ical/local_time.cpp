// Wall-clock time in one IANA zone (ical/local_time.hpp, RFC 5545 §3.3.5).
#include "ical/local_time.hpp"

#include "ical/calendar_data.hpp"
#include "ical/recurrence.hpp"
#include "ical/zone_resolver.hpp"

#include <algorithm>

namespace ical {

namespace {

constexpr std::int64_t day_seconds = 86400;


bool names_utc(std::string_view tzid) {
    return tzid == "UTC" || tzid == "Etc/UTC" || tzid == "GMT" || tzid == "Etc/GMT" || tzid == "Z";
}

}  // namespace

std::optional<ZoneClock> ZoneClock::named(std::string_view tzid) {
    if (names_utc(tzid)) return ZoneClock{};
    bool unknown = false;
    icaltimezone* z = zone_named(nullptr, tzid, unknown);
    if (!z) return std::nullopt;
    ZoneClock clock;
    clock.zone_ = z;
    // A lookup loads a builtin zone under the resolver's lock, so reading its
    // TZID after one races with no other loader. (libical 3.0's
    // icaltimezone_get_location gives garbage for builtin zones.)
    utc_offset_at(z, 0);
    std::string_view id = icaltimezone_get_tzid(z) ? icaltimezone_get_tzid(z) : "";
    // Builtin TZIDs carry libical's default prefix (icaltimezone_tzid_prefix
    // is not exported by libical 3.0).
    constexpr std::string_view prefix = "/freeassociation.sourceforge.net/";
    if (id.starts_with(prefix)) id.remove_prefix(prefix.size());
    clock.name_ = id.empty() ? std::string(tzid) : std::string(id);
    if (names_utc(clock.name_)) return ZoneClock{};
    return clock;
}

std::int64_t ZoneClock::wall_of(std::int64_t utc) const {
    return zone_ ? utc + utc_offset_at(zone_, utc) : utc;
}

std::int64_t ZoneClock::utc_of(std::int64_t wall) const {
    if (!zone_) return wall;
    return ZoneConverter(zone_).wall_to_utc(wall);
}

std::vector<std::pair<std::int64_t, std::int64_t>> daily_spans(const ZoneClock& clock, std::int64_t start,
                                                               std::int64_t end, const DailyMinutes& minutes) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    if (start >= end) return out;
    std::optional<ZoneConverter> converter;
    if (clock.zone()) converter.emplace(clock.zone());
    auto to_utc = [&](std::int64_t wall) { return converter ? converter->wall_to_utc(wall) : wall; };
    // A day before and after: spans may run past midnight into the range.
    std::int64_t first = floor_div(clock.wall_of(start), day_seconds) - 1;
    std::int64_t last = floor_div(clock.wall_of(end), day_seconds) + 1;
    for (std::int64_t day = first; day <= last; ++day) {
        int weekday = static_cast<int>(((day + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
        for (auto [from, to] : minutes[weekday]) {
            if (to <= from) continue;
            std::int64_t s = std::max(start, to_utc(day * day_seconds + from * 60LL));
            std::int64_t e = std::min(end, to_utc(day * day_seconds + to * 60LL));
            if (s < e) out.emplace_back(s, e);
        }
    }
    std::sort(out.begin(), out.end());
    std::vector<std::pair<std::int64_t, std::int64_t>> merged;
    for (const auto& p : out) {
        if (!merged.empty() && p.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, p.second);
        else
            merged.push_back(p);
    }
    return merged;
}

std::optional<std::string> zone_of_calendar_timezone(std::string_view vcalendar) {
    if (vcalendar.empty()) return std::nullopt;
    ComponentPtr calendar = parse_with_libical(vcalendar);
    if (!calendar) return std::nullopt;
    icalcomponent* vtz = icalcomponent_isa(calendar.get()) == ICAL_VTIMEZONE_COMPONENT
                             ? calendar.get()
                             : icalcomponent_get_first_component(calendar.get(), ICAL_VTIMEZONE_COMPONENT);
    if (!vtz) return std::nullopt;
    icalproperty* tzid = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
    const char* name = tzid ? icalproperty_get_tzid(tzid) : nullptr;
    if (!name) return std::nullopt;
    auto clock = ZoneClock::named(name);
    if (!clock) return std::nullopt;
    return clock->name();
}

}  // namespace ical
