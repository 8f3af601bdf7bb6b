// `kalends import USER[/CALENDAR] FILE.ics` and `kalends export USER[/CALENDAR] [FILE]`:
// whole-calendar iCalendar files (RFC 5545 §3.4) split into calendar object
// resources (RFC 4791 §4.1) and joined back (issue 29 §3; man/kalends.8).
#pragma once
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

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

/// A calendar brought whole from another server (issue 29 §4): the name it
/// gets in the owner's home, its properties and its objects.
struct CalendarImport {
    std::string name;          ///< URL segment under the owner's home
    std::string display_name;  ///< DAV:displayname; empty: `name`
    std::string description;   ///< CALDAV:calendar-description
    std::string timezone;      ///< CALDAV:calendar-timezone, VCALENDAR text or empty
    std::string components;    ///< supported component set, "VEVENT,VTODO"; empty = all
    std::vector<caldav::DeadProperty> dead;  ///< Apple calendar-color and calendar-order
    /// The calendar object resources: (where it came from, iCalendar text).
    std::vector<std::pair<std::string, std::string>> objects;
    std::vector<std::string> skipped;  ///< what the reader already left out, and why
};

/// Stores `c` as calendar `c.name` of `owner`, through the same splitting,
/// validation and batched transactions as import_calendar (nothing is
/// scheduled). A calendar of that name that holds objects is refused unless
/// `merge` (then the objects are added, one with the same UID replacing the
/// stored one, and the calendar keeps its properties); an empty one (the
/// default calendar of a new account) takes `c`'s properties and objects.
/// The summary goes to `out`. Returns 0, or 1 when the calendar was refused
/// or the store failed (the reason on `err`).
int import_collection(caldav::Store& store, const caldav::Limits& limits, const caldav::PrincipalRecord& owner,
                      CalendarImport& c, bool merge, bool progress, std::ostream& out, std::ostream& err,
                      std::size_t batch = 1000);

/// Writes calendar `target` ("USER" or "USER/CALENDAR") as one iCalendar
/// file on `out`: every object's components, each VTIMEZONE once, the
/// calendar's name as X-WR-CALNAME. Returns 0, or 1 with the reason on `err`.
int export_calendar(caldav::Store& store, const std::string& target, std::ostream& out, std::ostream& err);

}  // namespace server
