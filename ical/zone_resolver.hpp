// Time zone resolution for date-time properties (RFC 5545 §3.2.19): the
// VTIMEZONE in the data, else the system's IANA zone; and conversion to UTC.
#pragma once
#include <libical/ical.h>

#include <cstdint>

namespace ical {

/// The zone of a date-time property: its TZID's VTIMEZONE in `calendar`, else
/// the IANA zone of that name; nullptr for UTC or floating values. Sets
/// `unknown` when a TZID resolves to nothing. Thread-safe.
icaltimezone* zone_of(icalcomponent* calendar, icalproperty* prop, bool& unknown);

/// UTC seconds of `t` in `zone`. Floating and DATE values are read as UTC and
/// set `floating`, so callers can widen bounds or apply a reader's zone.
std::int64_t to_utc(icaltimetype t, icaltimezone* zone, bool& floating);

}  // namespace ical
