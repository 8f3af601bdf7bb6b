// NULL-safe strings from libical (see libical_text.hpp; RFC 5545 §3.2.12 for PARTSTAT).
#include "ical/libical_text.hpp"

#include <cctype>

namespace ical {

namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

/// True for the enumerators of values RFC 5545 §3.2.12 registers; libical
/// 3.0 reads every other value (x-name, iana-token, "NONE") as ICAL_PARTSTAT_X
/// and its enum_to_string gives NULL for them.
bool registered(icalparameter_partstat kind) { return kind > ICAL_PARTSTAT_X && kind < ICAL_PARTSTAT_NONE; }

}  // namespace

std::string partstat_text(icalproperty* attendee) {
    icalparameter* ps = attendee ? icalproperty_get_first_parameter(attendee, ICAL_PARTSTAT_PARAMETER) : nullptr;
    if (!ps) return "NEEDS-ACTION";
    auto kind = icalparameter_get_partstat(ps);
    if (registered(kind)) return text_or(icalparameter_enum_to_string(kind), "NEEDS-ACTION");
    const char* x = icalparameter_get_xvalue(ps);
    return x && *x ? upper(x) : std::string("NEEDS-ACTION");
}

icalparameter* new_partstat(std::string_view partstat) {
    std::string value = upper(partstat);
    int kind = icalparameter_string_to_enum(value.c_str());
    if (kind > ICAL_PARTSTAT_X && kind < ICAL_PARTSTAT_NONE)
        return icalparameter_new_partstat(static_cast<icalparameter_partstat>(kind));
    icalparameter* p = icalparameter_new_partstat(ICAL_PARTSTAT_X);
    icalparameter_set_xvalue(p, value.empty() ? "NEEDS-ACTION" : value.c_str());
    return p;
}

std::string property_name_of(icalproperty* p) {
    if (!p) return {};
    if (icalproperty_isa(p) == ICAL_X_PROPERTY) return text_or(icalproperty_get_x_name(p));
    return text_or(icalproperty_kind_to_string(icalproperty_isa(p)));
}

std::string component_name(icalcomponent_kind kind) { return text_or(icalcomponent_kind_to_string(kind)); }

std::string property_kind_name(icalproperty_kind kind) { return text_or(icalproperty_kind_to_string(kind)); }

}  // namespace ical
