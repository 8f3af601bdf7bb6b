// Wall-clock time in one IANA zone (RFC 5545 §3.3.5 local time): UTC instants
// to local wall seconds and back, and the UTC spans of daily local hours
// (working hours, times of day) across DST changes.
#pragma once
#include <libical/ical.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ical {

/// One time zone for wall-clock arithmetic; UTC when default-constructed.
/// Holds a libical builtin zone (owned by libical, never freed). Cheap to copy.
class ZoneClock {
public:
    ZoneClock() = default;

    /// The zone `tzid` names: an IANA name (also "/"-prefixed), a Windows name
    /// CLDR maps to one, or "UTC"/"Etc/UTC"/"GMT"/"Z". nullopt when libical
    /// knows none of these.
    static std::optional<ZoneClock> named(std::string_view tzid);

    /// The IANA name of the zone ("UTC" for UTC).
    const std::string& name() const { return name_; }

    /// Local wall-clock seconds (the local date and time read as if UTC) of
    /// the UTC instant `utc`.
    std::int64_t wall_of(std::int64_t utc) const;

    /// UTC seconds of the wall-clock time `wall`: a time skipped by a DST
    /// change is read with the offset before the change, a repeated one is
    /// its first occurrence (RFC 5545 §3.3.5).
    std::int64_t utc_of(std::int64_t wall) const;

    /// The libical zone; nullptr for UTC.
    icaltimezone* zone() const { return zone_; }

private:
    icaltimezone* zone_ = nullptr;
    std::string name_ = "UTC";
};

/// Minutes after local midnight per weekday (0 Sunday … 6 Saturday): the
/// [from, to) spans of each day. `to` may pass 1440 (a span into the next day).
using DailyMinutes = std::array<std::vector<std::pair<int, int>>, 7>;

/// The UTC spans [start, end) of `minutes` on every local day of `clock`
/// that overlaps [start, end), clipped to it, sorted and merged. Each local
/// day is converted on its own, so 09:00 stays 09:00 across DST changes.
/// One entry per span per day: no per-minute work. Never throws.
std::vector<std::pair<std::int64_t, std::int64_t>> daily_spans(const ZoneClock& clock, std::int64_t start,
                                                               std::int64_t end, const DailyMinutes& minutes);

/// The IANA name of the zone a calendar-timezone value (RFC 4791 §5.2.2: a
/// VCALENDAR holding one VTIMEZONE) names by its TZID, when ZoneClock::named
/// knows it; nullopt for text that does not parse or names an unknown zone.
/// Never throws.
std::optional<std::string> zone_of_calendar_timezone(std::string_view vcalendar);

}  // namespace ical
