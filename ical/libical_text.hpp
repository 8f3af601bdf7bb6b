// Strings read from libical, which answers NULL where it has no name for a
// value (x-name and iana-token values, RFC 5545 §3.2, §3.3): every const char*
// it gives goes through here before it becomes a std::string.
#pragma once
#include <libical/ical.h>

#include <string>
#include <string_view>

namespace ical {

/// `text` as a string, or `fallback` when libical gave NULL.
inline std::string text_or(const char* text, std::string_view fallback = {}) {
    return text ? std::string(text) : std::string(fallback);
}

/// The PARTSTAT of an ATTENDEE as written, upper case (RFC 5545 §3.2.12):
/// a registered value, or the x-name or iana-token value libical keeps as an
/// X- value (X-FOO, ACCEPTEX, NONE); NEEDS-ACTION when absent. Never NULL-based.
std::string partstat_text(icalproperty* attendee);

/// A PARTSTAT parameter holding `partstat`: the libical enumerator for a
/// registered value, else an X- value kept as given (upper case).
icalparameter* new_partstat(std::string_view partstat);

/// The name of a property as written: the x-name of an X- property, the
/// registered name otherwise; "" when libical has none.
std::string property_name_of(icalproperty* p);

/// The name of a component kind ("VEVENT"), "" when libical has none.
std::string component_name(icalcomponent_kind kind);

/// The name of a property kind ("DTSTART"), "" when libical has none.
std::string property_kind_name(icalproperty_kind kind);

}  // namespace ical
