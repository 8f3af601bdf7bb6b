// Time zone resolution for date-time properties (RFC 5545 §3.2.19): the
// VTIMEZONE in the data, else the system's IANA zone, else a Windows zone name
// mapped through CLDR; and local time → UTC conversion (RFC 5545 §3.3.5).
#pragma once
#include <libical/ical.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ical {

/// Reads libical's builtin zone table (its zones.tab) if not read yet, and
/// returns the number of zones in it. libical 3.0 builds that table lazily on
/// first use, and its own calls that reach it (the parser, for every UTC
/// value) take no lock: a program must have it read before its threads
/// parse. This file does so before main(); the server calls it again to
/// report the table.
std::size_t load_builtin_zone_table();

/// The zone named `tzid`: its VTIMEZONE in `calendar` (may be null), else the
/// IANA zone of that name, else the IANA zone CLDR maps a Windows name to. A
/// VTIMEZONE whose STANDARD/DAYLIGHT rules are not plain yearly rules with an
/// occurrence is not used (libical would spin expanding it).
/// Returns nullptr and sets `unknown` when nothing matches. The zone is owned
/// by `calendar` or by libical's builtin table. Thread-safe.
icaltimezone* zone_named(icalcomponent* calendar, std::string_view tzid, bool& unknown);

/// The zone of a date-time property per its TZID parameter (see zone_named);
/// nullptr for UTC or floating values. Sets `unknown` when a TZID resolves to
/// nothing. Thread-safe.
icaltimezone* zone_of(icalcomponent* calendar, icalproperty* prop, bool& unknown);

/// UTC seconds of the wall-clock time `local` in `zone` (non-null), per RFC 5545
/// §3.3.5: a time in a DST gap is read with the offset before the gap, an
/// ambiguous time in an overlap is its first occurrence. Ignores `local.zone`.
std::int64_t local_to_utc(icaltimetype local, icaltimezone* zone);

/// UTC offset (seconds east) of `zone` (non-null) at the UTC instant `utc`.
/// Thread-safe.
int utc_offset_at(icaltimezone* zone, std::int64_t utc);

/// A copy of the VTIMEZONE of libical's builtin zone `iana`, its TZID set to
/// `iana` (the system zones carry a "/freeassociation…/" prefix); nullptr
/// when there is no such zone. The caller owns it. Thread-safe.
icalcomponent* builtin_vtimezone(std::string_view iana);

/// Wall-clock seconds (local time read as UTC) of a date or date-time value:
/// the value's own fields, without any zone conversion.
std::int64_t wall_seconds(icaltimetype t);

/// UTC seconds of `t` in `zone`. Floating and DATE values are read as UTC and
/// set `floating`, so callers can widen bounds or apply a reader's zone.
std::int64_t to_utc(icaltimetype t, icaltimezone* zone, bool& floating);

/// local_to_utc for one zone with a small cache of UTC offsets, for converting
/// many instances of one rule. Not thread-safe; `zone` must outlive it.
class ZoneConverter {
public:
    explicit ZoneConverter(icaltimezone* zone) : zone_(zone) {}
    /// As local_to_utc(local, zone). Precondition: zone is non-null.
    std::int64_t to_utc(icaltimetype local);
    /// As local_to_utc, from wall-clock seconds.
    std::int64_t wall_to_utc(std::int64_t wall);

private:
    struct Entry {
        std::int64_t day = 0;
        int offset = 0;
        bool valid = false;
    };
    int offset_on_day(std::int64_t day);
    icaltimezone* zone_;
    std::array<Entry, 8> cache_{};
    std::size_t next_ = 0;
};

/// A VCALENDAR holding the VTIMEZONE of IANA zone `iana` from libical's
/// builtin table, as CALDAV:calendar-timezone holds one (RFC 4791 §5.2.2);
/// empty when libical does not know the zone. CRLF line endings.
std::string zone_calendar(std::string_view iana);

/// The TZID of the first VTIMEZONE in `vcalendar` (calendar-timezone text),
/// or empty.
std::string zone_calendar_tzid(std::string_view vcalendar);

}  // namespace ical
