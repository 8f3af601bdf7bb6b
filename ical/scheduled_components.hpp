// Internal to ical/: the components a scheduling message is about.
#pragma once

#include <libical/ical.h>

#include <vector>

#include "ical/calendar_data.hpp"

namespace ical::detail {

/// The VEVENT, VTODO and VJOURNAL components of a calendar.
inline std::vector<icalcomponent*> scheduled_components(icalcomponent* cal) {
    std::vector<icalcomponent*> out;
    for (icalcomponent* c : calendar_components(cal)) {
        auto k = icalcomponent_isa(c);
        if (k == ICAL_VEVENT_COMPONENT || k == ICAL_VTODO_COMPONENT || k == ICAL_VJOURNAL_COMPONENT)
            out.push_back(c);
    }
    return out;
}

}  // namespace ical::detail
