// `kalends import USER[/CALENDAR] FILE.ics` and `kalends export USER[/CALENDAR] [FILE]`:
// whole-calendar iCalendar files (RFC 5545 §3.4) split into calendar object
// resources (RFC 4791 §4.1) and joined back (issue 29 §3; man/kalends.8).
#pragma once
#include <cstddef>
#include <ostream>
#include <string>

#include "caldav/limits.hpp"
#include "caldav/store.hpp"

namespace server {

/// Stores the components of the iCalendar file `ics` (its text) in
/// calendar `target` ("USER" for their calendar "calendar", or
/// "USER/CALENDAR", created when missing and named after X-WR-CALNAME): one
/// object per UID, a recurring event's overridden instances with their
/// master, each with the VTIMEZONEs it names. Nothing is scheduled (no
/// invitations go out). Objects are written `batch` to a transaction. A
/// component without a UID, or whose object is not valid calendar data, is
/// skipped; the summary on `out` says which and why. `progress`: a line on
/// `err` redrawn as batches commit. Returns 0, or 1 when nothing could be
/// stored (or `target` is wrong, with the reason on `err`).
int import_calendar(caldav::Store& store, const caldav::Limits& limits, const std::string& target,
                    const std::string& ics, bool progress, std::ostream& out, std::ostream& err,
                    std::size_t batch = 1000);

/// Writes calendar `target` ("USER" or "USER/CALENDAR") as one iCalendar
/// file on `out`: every object's components, each VTIMEZONE once, the
/// calendar's name as X-WR-CALNAME. Returns 0, or 1 with the reason on `err`.
int export_calendar(caldav::Store& store, const std::string& target, std::ostream& out, std::ostream& err);

}  // namespace server
