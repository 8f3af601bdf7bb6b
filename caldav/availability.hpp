// The calendar service's availability operations (issue 23 §1): a calendar
// user's busy time, as scheduling shares it (RFC 6638 §5: the outbox
// free/busy lookup) and as the JSON API's availability check will. Busy time
// only: never what the events are.
#pragma once
#include <cstdint>
#include <vector>

#include "caldav/limits.hpp"
#include "caldav/store.hpp"
#include "ical/freebusy.hpp"

namespace caldav {

/// The busy periods of `who` overlapping [start, end): from the calendars
/// that count for free/busy (RFC 6638 §9.1 schedule-calendar-transp), the
/// meetings they declined left out, read from the time index where it
/// decides and parsed otherwise. An object whose expansion reaches the
/// limits takes no busy time rather than failing the answer (issue 22 §5).
/// Unsorted and unmerged (ical::render_freebusy merges them).
std::vector<ical::BusyPeriod> busy_time(Store& store, const Limits& limits, const PrincipalRecord& who,
                                        std::int64_t start, std::int64_t end);

}  // namespace caldav
