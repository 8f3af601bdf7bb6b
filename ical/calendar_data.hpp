// Parsing iCalendar text (RFC 5545 §3.1, §3.4) into libical components with
// errors that name a line, shared by expansion, free/busy and validation.
#pragma once
#include <libical/ical.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ical/error.hpp"

namespace ical {

/// Frees a libical component tree.
struct ComponentDeleter {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
/// Sole owner of a libical component tree.
using ComponentPtr = std::unique_ptr<icalcomponent, ComponentDeleter>;

/// A parsed VCALENDAR, or why it could not be parsed.
struct ParsedCalendar {
    ComponentPtr calendar;
    std::optional<Error> error;
};

/// libical's parse of `ics` (null when it finds no component), keeping
/// properties and parameters libical 3.0 does not know (RFC 5545 §3.7, §3.8.8.1:
/// iana-token names such as RFC 9073's STRUCTURED-DATA): libical answers such
/// a property with an X-LIC-ERROR and drops such a parameter. Unknown
/// properties come back as X- properties under their own name, with their
/// value as written (not re-escaped), so they survive re-serialisation
/// byte-for-byte; unknown parameters as IANA parameters. All parsing of
/// calendar data goes through here. Never throws.
ComponentPtr parse_with_libical(std::string_view ics);

/// Parses one VCALENDAR. Content-line syntax errors, unbalanced BEGIN/END and
/// the errors libical reports (as X-LIC-ERROR) become an Error with the 1-based
/// line where they were found (0 when not tied to a line). Never throws.
ParsedCalendar parse_calendar(std::string_view ics);

/// True when icalcomponent_new_clone(calendar) serialises exactly as
/// `calendar` does. libical 3.0 clones the value of an X- property (and of the
/// unknown properties parse_with_libical keeps as X- properties) as TEXT, so
/// the clone writes "a,b" as "a\,b": false for a tree holding one whose
/// value has a character TEXT escapes (then it is cloned by parsing its text
/// again, issue 24). Never throws.
bool clones_faithfully(icalcomponent* calendar);

/// Every problem found in `ics`: syntax (with line numbers), the RFC 4791 §4.1
/// object rules and unknown TZIDs. Empty when the data is a valid calendar
/// object resource. Never throws.
std::vector<Error> validate_calendar(std::string_view ics);

/// The calendar components (VEVENT, VTODO, VJOURNAL, VFREEBUSY, VAVAILABILITY)
/// directly under `calendar`, in order.
std::vector<icalcomponent*> calendar_components(icalcomponent* calendar);

}  // namespace ical
