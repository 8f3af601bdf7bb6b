// Free/busy time of calendar objects (RFC 4791 §7.10, RFC 5545 §3.6.4,
// RFC 7953 VAVAILABILITY) and its VFREEBUSY rendering.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ical/error.hpp"
#include "ical/expand.hpp"

namespace ical {

/// One busy interval, UTC seconds [start, end).
struct BusyPeriod {
    std::int64_t start = 0, end = 0;
    BusyType type = BusyType::busy;
};

/// Adds the busy time of one stored object to `out`, clipped to [start, end):
/// VEVENT instances (TRANSP=TRANSPARENT and STATUS=CANCELLED ignored,
/// STATUS=TENTATIVE → BUSY-TENTATIVE, zero-length instances ignored), VFREEBUSY
/// FREEBUSY periods with their FBTYPE, and VAVAILABILITY time outside its
/// AVAILABLE slots as its BUSYTYPE (default BUSY-UNAVAILABLE). Floating and DATE
/// times are read in `floating_zone` — a TZID (IANA or Windows name) or a
/// VCALENDAR text holding one VTIMEZONE (CALDAV:calendar-timezone); empty means
/// UTC. Instances where one of `declined_by` (calendar user addresses, e.g.
/// "mailto:bob@example.com") is an ATTENDEE with PARTSTAT=DECLINED take no
/// time: a meeting its attendee declined is not their busy time. Returns an
/// Error on caps or unparseable data. Never throws.
std::optional<Error> collect_busy(std::string_view ics, std::int64_t start, std::int64_t end,
                                  const ExpandLimits& limits, std::vector<BusyPeriod>& out,
                                  std::string_view floating_zone = {},
                                  const std::vector<std::string>& declined_by = {});

/// Checks a reader's time zone as a request gives it (CALDAV:timezone, RFC 4791
/// §9.8) or a calendar holds it (calendar-timezone, §5.2.2): one VCALENDAR that
/// parses without error and holds one VTIMEZONE with a TZID and STANDARD or
/// DAYLIGHT observances, each with DTSTART, TZOFFSETFROM and TZOFFSETTO
/// (RFC 5545 §3.6.5). Returns what is wrong, or nothing. Never throws.
std::optional<Error> check_reader_zone(std::string_view vcalendar);

/// A VCALENDAR/VFREEBUSY (RFC 5545 §3.6.4) for [start, end): DTSTAMP now,
/// DTSTART/DTEND the range, the optional ORGANIZER/ATTENDEE/UID, and one
/// FREEBUSY line per merged period grouped by FBTYPE (BUSY, BUSY-TENTATIVE,
/// BUSY-UNAVAILABLE), sorted by start. CRLF line endings, folded at 75 octets.
std::string render_freebusy(std::vector<BusyPeriod> periods, std::int64_t start, std::int64_t end,
                            std::string_view organizer = {}, std::string_view attendee = {},
                            std::string_view uid = {});

/// Sorts `periods` and merges overlapping or touching periods of one type.
std::vector<BusyPeriod> merge_busy(std::vector<BusyPeriod> periods);

}  // namespace ical
