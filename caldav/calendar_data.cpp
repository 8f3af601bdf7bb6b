// Calendar data validation for PUT, mapped to CalDAV preconditions (RFC 4791 §5.3.2.1).
#include "caldav/calendar_data.hpp"

#include "caldav/error.hpp"
#include "ical/object_index.hpp"

namespace caldav {

CalendarData validate_calendar_data(std::string_view data, const Limits& limits) {
    auto result = ical::index_object(data, limits.max_instances);
    if (!result) {
        const auto& e = *result.error;
        auto pre = e.kind == ical::IndexErrorKind::invalid_data ? Precondition::valid_calendar_data
                                                                 : Precondition::valid_calendar_object_resource;
        throw Error(403, pre, e.line ? e.message + " (line " + std::to_string(e.line) + ")" : e.message);
    }
    auto& i = *result.index;
    return {std::move(i.uid), std::move(i.component), i.first_start, i.last_end};
}

}  // namespace caldav
