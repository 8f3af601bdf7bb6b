// Time zone lookup and UTC conversion shared by indexing and queries.
#include "ical/zone_resolver.hpp"

#include <mutex>
#include <string>
#include <string_view>

namespace ical {

namespace {

/// libical's builtin zone table loads lazily and is not thread-safe in 3.0.
std::mutex& builtin_zone_mutex() {
    static std::mutex m;
    return m;
}

}  // namespace

icaltimezone* zone_of(icalcomponent* calendar, icalproperty* prop, bool& unknown) {
    icalparameter* tzid = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
    if (!tzid) return nullptr;
    const char* name = icalparameter_get_tzid(tzid);
    if (!name) return nullptr;
    if (icaltimezone* z = icalcomponent_get_timezone(calendar, name)) return z;
    std::lock_guard lock(builtin_zone_mutex());
    std::string_view n(name);
    if (n.starts_with("/")) n.remove_prefix(1);  // some clients send "/Europe/Berlin"
    if (icaltimezone* z = icaltimezone_get_builtin_timezone(std::string(n).c_str())) return z;
    unknown = true;
    return nullptr;
}

std::int64_t to_utc(icaltimetype t, icaltimezone* zone, bool& floating) {
    if (icaltime_is_utc(t)) return static_cast<std::int64_t>(icaltime_as_timet(t));
    if (t.is_date || !zone) {
        floating = true;
        return static_cast<std::int64_t>(icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone()));
    }
    return static_cast<std::int64_t>(icaltime_as_timet_with_zone(t, zone));
}

}  // namespace ical
